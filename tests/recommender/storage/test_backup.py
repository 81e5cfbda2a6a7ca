"""Backups and restores: ``recommender.storage.backup`` and ``mentor-match backup`` / ``restore``.

The unit tests back up an engine's store in process; one test copies the store in small
steps while another process writes to it; the last one backs up a live server from a second
process while a thread streams acknowledged writes, restores into a fresh data folder and
serves from it.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from cli.main import app
from recommender.domain.errors import MentorMatchError
from recommender.engine import Engine, build_engine
from recommender.retrieval.embedding import SentenceTransformerEmbedder
from recommender.settings import Settings
from recommender.storage import backup as backup_module
from recommender.storage.backup import (
    DB_NAME,
    INDEX_META_NAME,
    INDEX_NAME,
    MANIFEST_NAME,
    BackupError,
    BackupManifest,
    backup,
    restore,
)
from recommender.storage.store import Store
from tests.api.test_durability import (
    CLI,
    TOKEN,
    Server,
    _server_env,
    admin_health,
    assert_index_agrees,
    holds,
    suggest,
)
from tests.conftest import FACULTY, TODAY, mentee

KINDS = ("mentors", "mentees", "feedback", "cohorts")


def _filled(make_engine: Callable[[], Engine]) -> Engine:
    engine = make_engine()
    engine.write("mentors", FACULTY)
    engine.write(
        "mentees",
        [mentee("ms1", interests=["heart failure"]), mentee("ms2", interests=["melanoma"])],
    )
    return engine


def _snapshot(store: Store) -> dict[str, list[str]]:
    return {kind: [r.model_dump_json() for r in store.records(kind)] for kind in KINDS}


def test_backup_restores_an_identical_store(
    make_engine: Callable[[], Engine],
    settings: Settings,
    embedder: SentenceTransformerEmbedder,
    tmp_path: Path,
) -> None:
    """A backup taken with the engine open restores to the same records and change number,
    with the index snapshot, and the restored data folder serves suggestions at once."""
    engine = _filled(make_engine)
    steps: list[tuple[int, int]] = []
    manifest = backup(
        settings, tmp_path / "bk", progress=lambda d, t: steps.append((d, t)), pages_per_step=4
    )

    assert manifest.store_seq == engine.store.seq() == len(FACULTY) + 2
    assert manifest.model_id == engine.embedder.model_id
    assert manifest.index_seq == engine.index.store_seq
    assert manifest.counts == {"mentors": len(FACULTY), "mentees": 2, "feedback": 0, "cohorts": 0}
    assert len(steps) > 1 and steps[-1][0] == steps[-1][1], "not copied in steps"
    assert sorted(p.name for p in (tmp_path / "bk").iterdir()) == sorted(
        [DB_NAME, INDEX_NAME, INDEX_META_NAME, MANIFEST_NAME]
    )
    on_disk = BackupManifest.from_json((tmp_path / "bk" / MANIFEST_NAME).read_text())
    assert on_disk == manifest
    assert not (tmp_path / "bk" / f"{DB_NAME}-wal").exists(), "the copy is one file"

    target = Settings(data_dir=tmp_path / "restored")
    assert restore(tmp_path / "bk", target) == manifest
    restored = Store(target.sqlalchemy_url)
    try:
        assert restored.seq() == engine.store.seq()
        assert _snapshot(restored) == _snapshot(engine.store)
    finally:
        restored.close()
    assert target.index_path.read_bytes() == settings.index_path.read_bytes()

    again = build_engine(target, embedder=embedder, today=lambda: TODAY)
    try:
        health: Any = again.health()
        assert health["index"]["in_sync"] and health["index"]["mentors"] == len(FACULTY)
        top = again.suggest(mentee("q", interests=["melanoma early detection"]), 3)
        assert top[0].mentor_id == "derm1"
    finally:
        again.store.close()


def test_a_damaged_or_missing_backup_file_is_named(
    make_engine: Callable[[], Engine], settings: Settings, tmp_path: Path
) -> None:
    """Restore checks every checksum first and names the damaged file; nothing is written."""
    _filled(make_engine)
    backup(settings, tmp_path / "bk")
    target = Settings(data_dir=tmp_path / "restored")

    db = tmp_path / "bk" / DB_NAME
    good = db.read_bytes()
    data = bytearray(good)
    data[len(data) // 2] ^= 0xFF
    db.write_bytes(bytes(data))
    with pytest.raises(BackupError, match=f"{DB_NAME} is damaged: SHA-256 checksum mismatch"):
        restore(tmp_path / "bk", target)
    db.write_bytes(good)

    meta = tmp_path / "bk" / INDEX_META_NAME
    meta.write_bytes(meta.read_bytes()[:-10])
    with pytest.raises(BackupError, match=f"{INDEX_META_NAME} is damaged: .* bytes"):
        restore(tmp_path / "bk", target)

    (tmp_path / "bk" / INDEX_NAME).unlink()
    with pytest.raises(BackupError, match=f"{INDEX_NAME} is missing"):
        restore(tmp_path / "bk", target)

    (tmp_path / "bk" / MANIFEST_NAME).unlink()
    with pytest.raises(BackupError, match="is not a backup"):
        restore(tmp_path / "bk", target)
    assert not target.data_dir.exists()


def test_backup_refuses_a_folder_that_is_not_empty(
    make_engine: Callable[[], Engine], settings: Settings, tmp_path: Path
) -> None:
    """OUT must be new or empty; a refused or failed backup leaves no partial folder."""
    _filled(make_engine)
    out = tmp_path / "bk"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    with pytest.raises(BackupError, match="exists and is not empty"):
        backup(settings, out)
    assert [p.name for p in out.iterdir()] == ["keep.txt"]

    empty = tmp_path / "empty"
    empty.mkdir()
    assert backup(settings, empty).store_seq > 0
    assert (empty / MANIFEST_NAME).is_file()
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".partial")]


def test_a_failed_backup_leaves_nothing(
    make_engine: Callable[[], Engine],
    settings: Settings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A snapshot whose checksum never matches fails the backup with a clear error, and
    neither OUT nor the temporary folder beside it is left behind."""
    _filled(make_engine)
    meta_path = settings.index_path.with_suffix(".meta.json")
    meta = json.loads(meta_path.read_text())
    meta_path.write_text(json.dumps({**meta, "checksum": "0" * 64}))
    monkeypatch.setattr(backup_module, "_SNAPSHOT_TRIES", 3)
    with pytest.raises(BackupError, match="could not be copied consistently"):
        backup(settings, tmp_path / "bk")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["var"]


def test_restore_over_an_existing_store_needs_force_and_a_stopped_server(
    make_engine: Callable[[], Engine], settings: Settings, tmp_path: Path
) -> None:
    """Without --force an existing store is kept; with it, a store held open by another
    connection (a server) is not replaced; once closed, it is, stale WAL files and all."""
    engine = _filled(make_engine)
    backup(settings, tmp_path / "bk")
    engine.write("mentors", [FACULTY[0].model_copy(update={"name": "Dr Changed"})])
    changed_seq = engine.store.seq()

    with pytest.raises(BackupError, match="already holds a store"):
        restore(tmp_path / "bk", settings)
    started = time.monotonic()
    with pytest.raises(BackupError, match=r"is in use .* stop the server"):
        restore(tmp_path / "bk", settings, force=True)
    assert time.monotonic() - started < 5
    assert engine.store.seq() == changed_seq

    engine.store.close()
    wal = Path(f"{settings.sqlalchemy_url.split('///', 1)[1]}-wal")
    wal.write_bytes(b"stale")
    manifest = restore(tmp_path / "bk", settings, force=True)
    assert not wal.exists()
    store = Store(settings.sqlalchemy_url)
    try:
        assert store.seq() == manifest.store_seq < changed_seq
        assert store.get_mentor(FACULTY[0].id).name == FACULTY[0].name
    finally:
        store.close()


def test_a_store_in_another_database_gets_a_clear_error(tmp_path: Path) -> None:
    """PostgreSQL stores are backed up with pg_dump; the URL's password is never shown."""
    settings = Settings(
        data_dir=tmp_path, database_url="postgresql+psycopg://mm:s3cret@db.example/mm"
    )
    with pytest.raises(BackupError, match="pg_dump") as caught:
        backup(settings, tmp_path / "bk")
    assert "s3cret" not in str(caught.value)
    assert isinstance(caught.value, MentorMatchError)
    with pytest.raises(BackupError, match=r"postgresql.*pg_dump"):
        restore(tmp_path / "bk", settings)


def test_cli_errors_exit_2_without_a_traceback(tmp_path: Path) -> None:
    """A library error is one ``error:`` line and exit code 2."""
    env = {"MENTOR_MATCH_DATA_DIR": str(tmp_path / "none")}
    runner = CliRunner()
    for args, message in [("backup", "no store to back up"), ("restore", "is not a backup")]:
        result = runner.invoke(app, [args, str(tmp_path / "bk")], env=env)
        text = " ".join(result.output.split())  # rich wraps long lines
        assert result.exit_code == 2, result.output
        assert text.startswith("error:") and message in text, text
        assert "Traceback" not in text


_WRITER = textwrap.dedent(
    """
    import sys
    from recommender.domain.profiles import Mentor
    from recommender.storage.store import Store

    store = Store(sys.argv[1])
    n = 0
    while True:
        store.upsert("mentors", [Mentor(id=f"w{n:06d}", name="W", career_stage="senior",
                                        specialty="internal medicine", capacity=3)])
        n += 1
        if n == 50:
            print("writing", flush=True)
    """
)


def test_backup_is_one_consistent_state_while_another_process_writes(tmp_path: Path) -> None:
    """Copied one page per step, slowly, while another process commits one mentor per
    transaction: the copy finishes (no restart loop) and holds exactly the first N mentors
    with change number N, though the live store moved on during the copy."""
    settings = Settings(data_dir=tmp_path / "var")
    store = Store(settings.sqlalchemy_url)
    writer = subprocess.Popen(
        [sys.executable, "-c", _WRITER, settings.sqlalchemy_url],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert writer.stdout is not None and writer.stdout.readline().strip() == "writing"
        seq_at_start = store.seq()
        manifest = backup(
            settings, tmp_path / "bk", progress=lambda d, t: time.sleep(0.002), pages_per_step=1
        )
        seq_after = store.seq()
    finally:
        writer.kill()
        writer.wait()
        store.close()
    copy = Store(f"sqlite:///{tmp_path / 'bk' / DB_NAME}")
    try:
        ids = sorted(copy.ids("mentors"))
        assert copy.seq() == manifest.store_seq == len(ids)
        assert ids == [f"w{n:06d}" for n in range(len(ids))], "not a prefix of the writes"
    finally:
        copy.close()
    assert seq_at_start <= manifest.store_seq < seq_after, "no write landed during the copy"
    print(
        f"\n[steps] copy at change {manifest.store_seq}; the live store went "
        f"{seq_at_start} -> {seq_after} during the {manifest.seconds:.2f} s copy"
    )


# -- a live server ------------------------------------------------------------------------

# Research topics far apart: no two have a cosine above 0.66 (all-MiniLM-L6-v2), below the
# 0.70 at which the similarity signal saturates, so a query with one ranks its mentor first.
TOPICS = (
    "sepsis bundles in the emergency department",
    "insulin pump therapy for type 1 diabetes",
    "sodium restriction in heart failure",
    "school-based asthma education",
    "kidney transplant rejection biomarkers",
    "stroke rehabilitation robotics",
    "melanoma immunotherapy resistance",
    "ketamine for treatment-resistant depression",
    "knee replacement outcomes",
    "preterm infant nutrition",
    "buprenorphine access in rural pharmacies",
    "anticoagulation after atrial fibrillation ablation",
    "low-dose CT lung cancer screening",
    "hip fracture surgery timing in the elderly",
    "hepatitis C elimination programs",
    "HIV pre-exposure prophylaxis uptake",
    "multidrug-resistant tuberculosis treatment",
    "migraine prevention with CGRP antibodies",
    "bariatric surgery and weight regain",
    "pulmonary rehabilitation for emphysema",
    "sickle cell disease pain crises",
    "cystic fibrosis gene modulators",
    "Parkinson disease deep brain stimulation",
    "multiple sclerosis relapse prediction",
    "epilepsy surgery in children",
    "autism early screening in toddlers",
    "ADHD medication adherence in adolescents",
    "eating disorders in college athletes",
    "postpartum hemorrhage prevention",
    "gestational diabetes screening",
    "cervical cancer HPV vaccination",
    "prostate cancer active surveillance",
    "breast cancer genetic counseling",
    "colorectal cancer screening colonoscopy",
    "pancreatic cancer early detection",
    "thyroid nodule ultrasound classification",
    "osteoporosis fracture prevention",
    "rheumatoid arthritis biologic therapy",
    "lupus nephritis outcomes",
    "psoriasis and cardiovascular risk",
    "atopic dermatitis in infants",
    "acne isotretinoin safety",
    "glaucoma progression imaging",
    "cataract surgery complications",
    "diabetic retinopathy telescreening",
    "hearing loss and cochlear implants",
    "chronic sinusitis surgery",
    "obstructive sleep apnea and CPAP adherence",
    "snakebite envenoming in rural India",
    "malaria vaccine trials in Africa",
    "dengue fever outbreak forecasting",
    "antibiotic resistance in urinary infections",
    "Clostridioides difficile fecal transplant",
    "hand hygiene compliance in hospitals",
    "central line infection prevention",
    "ventilator weaning protocols",
    "acute respiratory distress syndrome proning",
    "cardiac arrest targeted temperature management",
    "trauma hemorrhage whole blood transfusion",
    "burn wound healing dressings",
    "concussion in youth football",
    "rotator cuff repair recovery",
    "spinal fusion for low back pain",
    "scoliosis bracing in teenagers",
    "clubfoot casting in newborns",
    "congenital heart defect repair",
    "Kawasaki disease coronary aneurysms",
    "neonatal jaundice phototherapy",
    "sudden infant death prevention",
    "childhood obesity prevention in schools",
    "lead poisoning in children",
    "food allergy oral immunotherapy",
    "celiac disease gluten-free diet",
    "inflammatory bowel disease biologics",
    "irritable bowel syndrome diet",
    "gallstone pancreatitis management",
    "liver transplant allocation fairness",
    "alcohol use disorder treatment",
    "smoking cessation with varenicline",
    "e-cigarette use among teenagers",
    "homelessness and emergency care use",
    "firearm injury prevention",
    "intimate partner violence screening",
    "refugee mental health services",
    "physician burnout interventions",
    "medical student wellbeing",
    "surgical checklist adoption",
    "robotic surgery learning curves",
    "anesthesia awareness during surgery",
    "postoperative delirium in older adults",
    "chronic pain opioid tapering",
    "palliative care consultation in the ICU",
    "advance care planning conversations",
    "dementia caregiver support",
    "Alzheimer disease amyloid imaging",
    "falls prevention in nursing homes",
    "frailty assessment before surgery",
    "hypertension control with home monitoring",
    "familial hypercholesterolemia cascade testing",
    "aortic stenosis valve replacement",
    "peripheral artery disease amputation",
    "venous thromboembolism prophylaxis",
    "pulmonary embolism risk scores",
    "anemia in chronic kidney disease",
    "dialysis vascular access failure",
    "polycystic kidney disease progression",
    "kidney stones and diet",
    "bladder cancer immunotherapy",
    "erectile dysfunction after prostatectomy",
    "male infertility sperm quality",
    "in vitro fertilization success rates",
    "endometriosis diagnosis delay",
    "polycystic ovary syndrome metabolism",
    "menopause hormone therapy",
    "contraception access for adolescents",
    "maternal mortality in rural hospitals",
    "preeclampsia aspirin prophylaxis",
    "stillbirth prevention",
    "Down syndrome prenatal screening",
    "rare disease genome sequencing",
    "pharmacogenomics of warfarin dosing",
    "CAR-T therapy for leukemia",
    "bone marrow transplant graft-versus-host disease",
    "lymphoma relapse imaging",
    "myeloma novel therapies",
    "radiation therapy for brain metastases",
    "proton therapy in pediatric tumors",
    "cancer cachexia and muscle loss",
    "chemotherapy-induced nausea",
    "oncology clinical trial diversity",
    "health literacy and medication errors",
    "electronic health record alert fatigue",
    "artificial intelligence for chest X-rays",
    "wearable sensors for arrhythmia detection",
    "telepsychiatry in prisons",
    "wildfire smoke and lung function",
    "heat waves and hospital admissions",
    "vaccine hesitancy among parents",
    "measles outbreaks and herd immunity",
    "influenza vaccine effectiveness",
    "COVID-19 long-term symptoms",
    "Lyme disease diagnosis",
    "rabies post-exposure prophylaxis",
    "leprosy stigma",
    "schistosomiasis mass drug administration",
    "vitamin D supplementation trials",
    "iron deficiency in pregnancy",
    "scurvy and food insecurity",
    "sports cardiology screening of athletes",
    "high altitude sickness",
    "diving decompression illness",
    "space medicine bone loss",
)
WRITE_INTERVAL_S = 0.05
"""The writer sends at most 20 writes a second, so the topics last the whole test."""


@dataclass
class Sent:
    """One new mentor PUT to the server: when it was sent and acknowledged (monotonic)."""

    content: dict[str, Any]
    sent: float
    acked: float | None = None


@dataclass
class Stream:
    """Every write sent, in order (one writer thread), and why the stream stopped early."""

    writes: list[Sent] = field(default_factory=list)
    failure: str = ""


def _mentor(n: int, topic: str) -> dict[str, Any]:
    """A new mentor alike all others but for the name and one research topic."""
    return {
        "id": f"bk-{n:04d}",
        "name": f"Dr Backup {n}",
        "career_stage": "senior",
        "specialty": "internal medicine",
        "research_areas": [topic],
        "capacity": 3,
    }


def _stream(url: str, log: Stream, stop: threading.Event) -> None:
    """PUT new mentors one after another until ``stop`` is set or the topics run out."""
    headers = {"Authorization": f"Bearer {TOKEN}"}
    with httpx.Client(base_url=url, headers=headers, timeout=30) as client:
        for n, topic in enumerate(TOPICS):
            if stop.is_set():
                return
            record = _mentor(n, topic)
            sent = Sent(record, time.monotonic())
            log.writes.append(sent)
            body = {k: v for k, v in record.items() if k != "id"}
            try:
                reply = client.put(f"/v1/mentors/{record['id']}", json=body)
            except httpx.HTTPError as exc:
                log.failure = f"{type(exc).__name__}: {exc}"
                return
            if reply.status_code != 201:
                log.failure = f"PUT answered {reply.status_code}: {reply.text[:300]}"
                return
            sent.acked = time.monotonic()
            stop.wait(max(0.0, sent.sent + WRITE_INTERVAL_S - sent.acked))


def _cli(args: list[str], data_dir: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [CLI, *args], env=_server_env(data_dir), capture_output=True, text=True, timeout=120
    )


def _all_mentors(client: httpx.Client) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    while True:
        reply = client.get("/v1/mentors", params={"offset": len(found), "limit": 500})
        assert reply.status_code == 200, reply.text
        page = reply.json()["data"]
        found.update({m["id"]: m for m in page})
        if len(page) < 500:
            return found


def test_backup_of_a_live_server_restores_every_write_acknowledged_before_it(
    tmp_path: Path,
) -> None:
    """``mentor-match backup`` from a second process while a thread streams acknowledged
    writes; ``mentor-match restore`` into a fresh folder; a server there holds every write
    acknowledged before the backup began, with its content, searchable, the index in sync,
    and the restored writes are a prefix of the stream (one consistent state)."""
    live = Server(tmp_path / "live", tmp_path)
    again = Server(tmp_path / "restored", tmp_path)
    log, stop = Stream(), threading.Event()
    out = tmp_path / "backup"
    try:
        live.start()
        writer = threading.Thread(target=_stream, args=(live.url, log, stop))
        writer.start()
        try:
            deadline = time.monotonic() + 20
            while sum(w.acked is not None for w in log.writes) < 20 and not log.failure:
                assert time.monotonic() < deadline, "writes are too slow"
                time.sleep(0.05)
            began = time.monotonic()
            made = _cli(["backup", str(out)], live.data_dir)
            ended = time.monotonic()
            time.sleep(0.5)  # a few more writes land after the backup
        finally:
            stop.set()
            writer.join(timeout=60)
        assert not writer.is_alive() and not log.failure, log.failure
        during = [w for w in log.writes if w.acked is not None and began <= w.acked <= ended]
        assert during, "no write was acknowledged while the backup ran"
        assert made.returncode == 0, made.stdout + made.stderr
        assert "Traceback" not in made.stdout + made.stderr
        live.stop()

        manifest = BackupManifest.from_json((out / MANIFEST_NAME).read_text())
        put_back = _cli(["restore", str(out)], again.data_dir)
        assert put_back.returncode == 0, put_back.stdout + put_back.stderr
        assert "Traceback" not in put_back.stdout + put_back.stderr

        again.start()
        acked = [w for w in log.writes if w.acked is not None]
        before = [w for w in acked if w.acked is not None and w.acked < began]
        with again.client() as client:
            stored = _all_mentors(client)
            missing = [w.content["id"] for w in before if w.content["id"] not in stored]
            assert not missing, f"acknowledged before the backup, not restored: {missing}"
            for w in before:
                assert holds(stored[w.content["id"]], w.content), stored[w.content["id"]]
            present = [w.content["id"] in stored for w in log.writes]
            assert present == sorted(present, reverse=True), "restored writes are not a prefix"
            assert not any(w.content["id"] in stored for w in log.writes if w.sent > ended)
            health = admin_health(client)
            assert_index_agrees(health)
            assert health["counts"]["mentors"] == len(stored) == sum(present)
            assert health["index"]["store_seq"] == manifest.store_seq
            searched = time.monotonic()
            for w in before:
                top = suggest(client, w.content["research_areas"][0], k=3)
                assert top[0]["mentor_id"] == w.content["id"], (w.content, top)
            searched = time.monotonic() - searched
    finally:
        stop.set()
        live.kill()
        again.kill()
    print(
        f"\n[backup] writes acknowledged: {len(before)} before the backup began, "
        f"{len(during)} while it ran ({ended - began:.2f} s CLI, {manifest.seconds:.3f} s "
        f"inside), {len(acked) - len(before) - len(during)} after; {sum(present)} found after "
        f"restore (store change {manifest.store_seq}); backup size {manifest.size:,} bytes "
        f"({', '.join(f'{f.name} {f.size:,}' for f in manifest.files)}); "
        f"{len(before)} searched first in {searched:.1f} s"
    )

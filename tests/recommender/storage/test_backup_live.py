"""Backups of a live server: ``mentor-match backup`` / ``restore`` end to end.

A second process backs up a live server while a thread streams acknowledged writes; the
backup is restored into a fresh data folder and served from it.
"""

from __future__ import annotations

import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from recommender.storage.backup import MANIFEST_NAME, BackupManifest
from tests.api.durability_support import (
    CLI,
    TOKEN,
    Server,
    _server_env,
    admin_health,
    assert_index_agrees,
    holds,
    suggest,
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

"""Adapting the embedder without labels: the split, pairs and batches (seeded, no mentor twice
in a batch), the held-out measure, and one real run of the real model on a tiny program whose
output folder loads as a new model."""

from __future__ import annotations

import itertools
import json
import math
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from recommender.domain.items import Item
from recommender.retrieval.adapt import (
    CARD_FILE,
    MIN_HELD_OUT,
    RECORD_FILE,
    Adaptation,
    AdaptConfig,
    OutputExists,
    Pair,
    adapt,
    build_batches,
    check_output,
    distinct_items,
    held_out_metrics,
    is_specific,
    lr_factor,
    save_adaptation,
    split_mentors,
    training_pairs,
)
from recommender.retrieval.embedding import SentenceTransformerEmbedder

_TOPIC_LINES = """
hf: heart failure with preserved ejection fraction | stiff hearts in older adults | cardiology
acl: anterior cruciate ligament reconstruction | knee injuries in football players | orthopaedics
mel: melanoma early detection | skin cancer screening in primary care | dermatology
dep: adolescent depression and suicide prevention | mood disorders in teenagers | psychiatry
aki: acute kidney injury after cardiac surgery | timing of dialysis | nephrology
stroke: thrombectomy for acute ischaemic stroke | brain clots and stroke units | neurology
sepsis: early antibiotics in septic shock | fluid resuscitation in sepsis | critical care
asthma: childhood asthma inhalers | wheezing in preschool children | paediatrics
dm: insulin pumps for type 1 diabetes | glucose monitoring in young adults | endocrinology
ibd: Crohn's disease biologics | ulcerative colitis flares | gastroenterology
hiv: HIV pre-exposure prophylaxis uptake | antiretroviral adherence | infectious diseases
copd: pulmonary rehabilitation for COPD | chronic bronchitis exacerbations | pulmonology
ra: rheumatoid arthritis joint erosion | methotrexate for inflammatory arthritis | rheumatology
preg: pre-eclampsia in first pregnancies | high blood pressure during pregnancy | obstetrics
cat: cataract surgery outcomes | lens replacement and vision after surgery | ophthalmology
hip: hip fractures in frail older people | falls prevention in care homes | geriatrics
ear: cochlear implants in deaf children | hearing loss and speech development | otolaryngology
skin: burn wound grafting | scar reconstruction after burns | plastic surgery
lymph: Hodgkin lymphoma chemotherapy | blood cancer in young adults | haematology
pros: prostate cancer active surveillance | PSA screening in older men | urology
anes: regional nerve blocks for shoulder surgery | post-operative pain control | anaesthesiology
trauma: major trauma haemorrhage control | massive transfusion after injury | emergency medicine
tb: drug-resistant tuberculosis regimens | latent TB screening in migrants | public health
sleep: obstructive sleep apnoea and CPAP | snoring and daytime sleepiness | sleep medicine
"""
TOPICS: dict[str, tuple[str, ...]] = {
    key: tuple(part.strip() for part in rest.split("|"))
    for key, _, rest in (line.partition(":") for line in _TOPIC_LINES.strip().splitlines())
}
"""24 mentors of 3 items each; one mentor's items are about one thing."""

Call = tuple[int, int, float]
"""One ``progress(step, total, loss)`` call."""
Run = tuple[Adaptation, Path, str, list[Call]]
"""The adaptation, its folder, its model id and the progress calls."""

FAST = AdaptConfig(seed=3, pairs_per_mentor=2, batch_size=8, epochs=1)


def themed(n: int = len(TOPICS)) -> dict[str, list[Item]]:
    """``n`` mentors, each with a specific research area, a longer interest and a specialty."""
    return {
        f"mentor-{key}": [Item("research", a), Item("interest", b), Item("specialty", c)]
        for key, (a, b, c) in list(TOPICS.items())[:n]
    }


def every_text() -> list[str]:
    return [text for topic in TOPICS.values() for text in topic]


# -- split, pairs, batches ------------------------------------------------------------------


def test_split_is_seeded_disjoint_and_keeps_enough_held_out() -> None:
    items = themed() | {"mentor-one-item": [Item("specialty", "cardiology")]}
    split = split_mentors(items, held_out=0.1, seed=1)
    assert len(split.held_out) == MIN_HELD_OUT  # 10% of 24 is 2: the floor wins
    assert set(split.train).isdisjoint(split.held_out)
    assert set(split.train) | set(split.held_out) == set(themed())
    assert split.without_pairs == ["mentor-one-item"]
    assert split == split_mentors(dict(reversed(items.items())), held_out=0.1, seed=1)
    assert split.held_out != split_mentors(items, held_out=0.1, seed=2).held_out


def test_too_few_mentors_is_a_clear_error() -> None:
    items = themed(19) | {
        "m-x": [Item("specialty", "x")],
        "m-y": [Item("bio", "y"), Item("bio", "y ")],
    }
    with pytest.raises(
        ValueError, match=r"at least 20 mentors with two or more distinct items.*19 of 21"
    ):
        split_mentors(items, held_out=0.1, seed=1)
    with pytest.raises(ValueError, match="at least 20 mentors"):
        adapt(items, config=FAST)  # before any model is loaded


def test_pairs_are_two_different_items_of_one_mentor_specific_first() -> None:
    items = {
        "m": [
            Item("research", "lipid lowering after myocardial infarction"),
            Item("interest", "cardiology"),
            Item("interest", "Cardiology "),  # the same text: counts once
            Item("interest", "teaching"),
            Item("interest", "leadership"),
            Item("specialty", "internal medicine"),
        ]
    }
    assert [i.text for i in distinct_items(items["m"])] == [
        "lipid lowering after myocardial infarction",
        "cardiology",
        "teaching",
        "leadership",
        "internal medicine",
    ]
    for seed in range(20):
        few = training_pairs(items, ["m"], per_mentor=3, seed=seed)
        assert len(few) == 3
        assert not any(p.generic for p in few)  # 4 pairs hold the specific item: those first
        every = training_pairs(items, ["m"], per_mentor=100, seed=seed)
        assert len(every) == 10  # C(5, 2): every pair once
        assert [p.generic for p in every] == [False] * 4 + [True] * 6
        unordered = {frozenset((p.anchor, p.positive)) for p in every}
        assert len(unordered) == 10
        assert all(p.anchor != p.positive and p.mentor_id == "m" for p in every)


def test_pairs_from_many_items_are_drawn_not_enumerated() -> None:
    items = {
        "m": [Item("item", f"answer number {n} about the history of medicine") for n in range(400)]
    }
    pairs = training_pairs(items, ["m"], per_mentor=8, seed=0)
    assert len({frozenset((p.anchor, p.positive)) for p in pairs}) == 8
    assert all(p.anchor != p.positive for p in pairs)


def test_specific_items() -> None:
    assert is_specific(Item("publication", "Heart"))
    assert is_specific(Item("interest", "quality improvement in rural emergency care"))
    assert not is_specific(Item("interest", "quality improvement"))
    assert not is_specific(Item("specialty", "cardiology (heart failure, imaging)"))


def _check(batches: list[list[Pair]], pairs: list[Pair], size: int) -> None:
    for batch in batches:
        assert 2 <= len(batch) <= size
        assert len({p.mentor_id for p in batch}) == len(batch)
        texts = [t.casefold() for p in batch for t in (p.anchor, p.positive)]
        assert len(set(texts)) == len(texts)
    placed = Counter(p for batch in batches for p in batch)
    assert all(placed[p] <= Counter(pairs)[p] for p in placed)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 12), st.integers(0, 30), st.integers(0, 30)).filter(
            lambda t: t[1] != t[2]
        ),
        max_size=120,
    ),
    st.integers(2, 16),
    st.integers(0, 2**32),
)
def test_batches_never_hold_one_mentor_twice(
    raw: list[tuple[int, int, int]], size: int, seed: int
) -> None:
    pairs = [Pair(f"m{m}", f"text {a}", f"text {b}", False) for m, a, b in raw]
    batches = build_batches(pairs, size, seed)
    _check(batches, pairs, size)
    assert batches == build_batches(pairs, size, seed)


def test_batches_of_real_pairs_over_many_seeds() -> None:
    items = themed()
    for seed in range(50):
        pairs = training_pairs(items, sorted(items), per_mentor=3, seed=seed)
        for epoch in range(2):
            batches = build_batches(pairs, 8, seed, epoch)
            _check(batches, pairs, 8)
            # every mentor's 3 pairs fit: 24 mentors give 9 batches' worth of room
            assert sum(map(len, batches)) >= len(pairs) - 8


def test_same_seed_same_pairs_and_batches() -> None:
    items = themed()
    ids = sorted(items)
    first = training_pairs(items, ids, per_mentor=3, seed=11)
    assert first == training_pairs(items, ids, per_mentor=3, seed=11)
    assert first != training_pairs(items, ids, per_mentor=3, seed=12)
    assert build_batches(first, 8, 11) == build_batches(first, 8, 11)
    assert build_batches(first, 8, 11) != build_batches(first, 8, 11, epoch=1)


def test_learning_rate_warms_up_then_decays() -> None:
    factors = [lr_factor(step, warmup=3, total=10) for step in range(10)]
    assert factors[:3] == pytest.approx([1 / 3, 2 / 3, 1.0])
    assert factors[3] == 1.0
    assert all(a > b > 0 for a, b in itertools.pairwise(factors[3:]))


# -- the held-out measure -------------------------------------------------------------------


def _topic_encoder(texts: list[str]) -> np.ndarray:
    """One axis per topic: a text's vector points at the topic it comes from."""
    keys = list(TOPICS)
    out = np.zeros((len(texts), len(keys)), dtype=np.float32)
    for row, text in enumerate(texts):
        out[row, next(i for i, k in enumerate(keys) if text in TOPICS[k])] = 1.0
    return out


def test_held_out_metrics_find_the_owner() -> None:
    items = themed()
    ids = sorted(items)
    perfect = held_out_metrics(_topic_encoder, items, ids)
    assert (perfect.mrr, perfect.recall_at_1, perfect.recall_at_10) == (1.0, 1.0, 1.0)
    assert perfect.queries == perfect.candidates == 24

    def same(texts: list[str]) -> np.ndarray:  # every text alike: everyone ties
        return np.ones((len(texts), 4), dtype=np.float32) / 2

    tied = held_out_metrics(same, items, ids)
    assert tied.recall_at_1 == 0.0 and tied.mrr == pytest.approx(1 / 24)


def test_the_query_item_is_left_out_of_its_owner() -> None:
    # Each mentor's longest item is unique to it; its other items are a shared word. With the
    # query left in, every mentor would find itself; left out, all tie.
    items = {
        f"m{n}": [Item("research", f"a long and very particular research area number {n}"),
                  Item("interest", "medicine")]
        for n in range(12)
    }  # fmt: skip

    def encode(texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), 13), dtype=np.float32)
        for row, text in enumerate(texts):
            out[row, int(text.rsplit(" ", 1)[1]) if text[-1].isdigit() else 12] = 1.0
        return out

    metrics = held_out_metrics(encode, items, sorted(items))
    assert metrics.recall_at_1 == 0.0


# -- the output folder ----------------------------------------------------------------------


def test_a_non_empty_output_is_refused_without_force(tmp_path: Path) -> None:
    check_output(tmp_path / "new")
    (tmp_path / "empty").mkdir()
    check_output(tmp_path / "empty")
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "x").write_text("x")
    with pytest.raises(OutputExists, match="not empty"):
        check_output(tmp_path / "full")
    check_output(tmp_path / "full", force=True)
    (tmp_path / "file").write_text("x")
    with pytest.raises(OutputExists, match="not a folder"):
        check_output(tmp_path / "file", force=True)


@pytest.fixture(scope="module")
def adapted(tmp_path_factory: pytest.TempPathFactory) -> Run:
    """One real run: adapt the packaged model on the 24 themed mentors and save it."""
    calls: list[Call] = []
    result = adapt(themed(), config=FAST, progress=lambda *args: calls.append(args))
    out = tmp_path_factory.mktemp("adapted") / "program-model"
    model_id = save_adaptation(result, out)
    return result, out, model_id, calls


def test_the_adapted_model_loads_as_a_new_model(
    adapted: Run,
) -> None:
    result, out, model_id, _ = adapted
    loaded = SentenceTransformerEmbedder(str(out))
    base = SentenceTransformerEmbedder()
    assert loaded.model_id == model_id and model_id.startswith("program-model@")
    assert loaded.model_id != base.model_id
    assert result.base_id == base.model_id
    assert loaded.dim == base.dim == 384
    assert not [p for p in out.parent.iterdir() if p.name.startswith(".")]  # no stage left


def test_adaptation_json_has_counts_losses_and_metrics(
    adapted: Run,
) -> None:
    result, out, model_id, calls = adapted
    record = json.loads((out / RECORD_FILE).read_text())
    counts = record["counts"]
    assert counts["mentors"] == 24 and counts["items"] == 72
    assert counts["held_out_mentors"] == 10 and counts["train_mentors"] == 14
    assert counts["pairs"] == 28 and counts["steps"] == len(record["loss"]) >= 4
    assert counts["pairs_trained"] + counts["pairs_left_out"] == counts["pairs"]
    assert all(math.isfinite(x) and x > 0 for x in record["loss"])
    assert [c[:2] for c in calls] == [(n, counts["steps"]) for n in range(1, counts["steps"] + 1)]
    assert [c[2] for c in calls] == record["loss"]
    for when in ("before", "after"):
        metrics = record["metrics"][when]
        assert metrics["queries"] == metrics["candidates"] == 10
        assert 0 < metrics["mrr"] <= 1 and 0 <= metrics["recall_at_1"] <= metrics["recall_at_10"]
    assert record["model_id"] == model_id and record["seed"] == 3
    assert record["base_model"]["id"] == result.base_id
    assert record["hyperparameters"]["batch_size"] == 8
    assert record["hyperparameters"]["lr"] == 2e-5


def test_the_model_card_has_the_table_and_no_profile_text(
    adapted: Run,
) -> None:
    _, out, model_id, _ = adapted
    card = (out / CARD_FILE).read_text()
    assert "| metric | before | after | change |" in card
    assert "| MRR |" in card and "| recall@10 |" in card
    assert f"MENTOR_MATCH_MODEL_PATH={out}" in card and model_id in card
    stored = card + (out / RECORD_FILE).read_text()
    leaked = [t for t in every_text() if t.casefold() in stored.casefold()]
    assert not leaked


def test_a_failed_save_leaves_nothing_behind(adapted: Run, tmp_path: Path) -> None:
    result, _, _, _ = adapted
    out = tmp_path / "model"

    def broken(folder: Path) -> None:
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        save_adaptation(result, out, extra=broken)
    assert list(tmp_path.iterdir()) == []
    (tmp_path / "model").mkdir()
    (tmp_path / "model" / "keep.txt").write_text("mine")
    with pytest.raises(OutputExists):
        save_adaptation(result, out)
    assert [p.name for p in tmp_path.iterdir()] == ["model"]
    assert (out / "keep.txt").read_text() == "mine"

"""The BM25 lexical index: tokens, scores against a plain reference, updates in place equal a
fresh build, the snapshot file, explanations."""

from __future__ import annotations

import math
from collections import Counter
from pathlib import Path
from unittest import mock

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from recommender.retrieval import lexical
from recommender.retrieval.lexical import LexicalIndex, tokens, word_stems

DOCS: dict[int, list[str]] = {
    0: ["Pediatric cardiology", "Congenital heart disease in children"],
    1: ["Neuro-oncology", "Brain tumors and glioma research"],
    2: ["Pediatric surgery", "Minimally invasive surgery in children"],
    3: ["Adult cardiology", "Heart failure, arrhythmia"],
    4: ["Pediatric oncology", "Leukemia in children; tumor biology"],
    5: ["Global health", "Medical education and mentoring of residents"],
}


def build(docs: dict[int, list[str]], k1: float = 1.2, b: float = 0.0) -> LexicalIndex:
    index = LexicalIndex(k1=k1, b=b)
    for slot, texts in docs.items():
        index.put(slot, texts)
    return index


def all_slots(extra: int = 3) -> np.ndarray:
    """Every slot the tests use, one below them and some above."""
    return np.arange(-1, 10 + extra, dtype=np.int64)


def reference(
    docs: dict[int, list[str]], query: list[str], slot: int, k1: float, b: float
) -> float:
    """BM25 of one document, written out plainly."""
    counts = {s: Counter(t for text in texts for t in tokens(text)) for s, texts in docs.items()}
    n = len(docs)
    avgdl = sum(sum(c.values()) for c in counts.values()) / n
    q = {t for text in query for t in tokens(text)}
    score = most = 0.0
    for term in q:
        df = sum(term in c for c in counts.values())
        if not df:
            continue
        idf = math.log(1 + (n - df + 0.5) / (df + 0.5))
        most += idf * (k1 + 1)
        tf = counts[slot][term]
        if tf:
            dl = sum(counts[slot].values())
            score += idf * tf * (k1 + 1) / (tf + k1 * (1 - b + b * dl / avgdl))
    return score / most if most else 0.0


# -- tokens ----------------------------------------------------------------------------------


def test_tokens_drop_stop_words_short_words_and_punctuation() -> None:
    assert tokens("The patient and a x in the ICU, with_care!") == ["patient", "icu", "care"]
    assert tokens("") == []
    assert tokens("the and of a") == []


def test_tokens_stem_and_lowercase() -> None:
    assert tokens("tumors") == tokens("tumor") == ["tumor"]
    assert tokens("Cardiology") == tokens("cardiology") == tokens("CARDIOLOGY")
    assert tokens("children's hearts") == tokens("children heart") == ["children", "heart"]
    assert tokens("Ärzte über 2024") == ["ärzte", "über", "2024"]


def test_word_stems_keep_the_word_as_written() -> None:
    assert word_stems("The Tumors of MRI") == [(tokens("tumors")[0], "Tumors"), ("mri", "MRI")]
    assert [stem for stem, _ in word_stems("Brain tumors, glioma")] == tokens(
        "Brain tumors, glioma"
    )


# -- scores ----------------------------------------------------------------------------------


def test_scores_equal_a_plain_reference() -> None:
    for k1, b in [(1.2, 0.0), (1.5, 0.75), (0.8, 1.0)]:
        index = build(DOCS, k1, b)
        query = ["children with heart tumors", "cardiology research"]
        got = index.scores(query, np.arange(6))
        want = [reference(DOCS, query, s, k1, b) for s in range(6)]
        np.testing.assert_allclose(got, want, rtol=0, atol=1e-12)
        assert got.dtype == np.float64


def test_a_rare_query_term_outranks_a_common_one() -> None:
    index = build(DOCS)
    # "pediatric" is in three documents, "glioma" in one
    rare, common = index.scores(["pediatric glioma"], np.array([1, 0]))
    assert rare > common > 0


def test_tumors_match_tumor_and_case_is_ignored() -> None:
    index = build(DOCS)
    assert index.scores(["TUMOR"], np.array([1]))[0] > 0
    assert index.scores(["cardiology"], np.array([0]))[0] > 0
    assert (
        index.scores(["Cardiology"], np.array([0]))[0]
        == index.scores(["cardiology"], np.array([0]))[0]
    )


def test_scores_lie_in_unit_interval_and_are_zero_without_a_document() -> None:
    index = build(DOCS)
    docs = {**DOCS, 7: ["cardiology " * 50]}
    index.put(7, docs[7])
    slots = np.array([7, 0, 3, 6, 8, 100, -5, 10**9, 7], dtype=np.int64)
    got = index.scores(["cardiology"], slots)
    assert got.shape == (len(slots),)
    assert ((got >= 0) & (got < 1)).all()
    assert got[0] > 0.9 and got[0] == got[-1]  # saturated, yet below 1; repeats allowed
    assert (got[3:8] == 0).all()
    assert (index.scores(["zebrafish ontology"], slots) == 0).all()
    assert (index.scores([], slots) == 0).all()
    assert (index.scores(["the of and"], slots) == 0).all()
    assert index.scores(["cardiology"], np.zeros(0, dtype=np.int64)).shape == (0,)


def test_query_terms_count_once() -> None:
    index = build(DOCS)
    once = index.scores(["heart"], np.arange(6))
    np.testing.assert_array_equal(index.scores(["heart hearts", "Heart"], np.arange(6)), once)


def test_length_normalisation_favours_the_short_document() -> None:
    filler = " ".join(f"word{i}" for i in range(40))
    docs = {0: ["glioma surgery"], 1: [f"glioma surgery {filler}"], 2: ["cardiology"]}
    short, long = build(docs, b=0.75).scores(["glioma"], np.array([0, 1]))
    assert short > long > 0
    flat_short, flat_long = build(docs, b=0.0).scores(["glioma"], np.array([0, 1]))
    assert flat_short == flat_long


def test_an_empty_document_counts_but_scores_zero() -> None:
    index = build(DOCS)
    index.put(9, [])
    index.put(10, ["the and of"])
    assert len(index) == 8 and 9 in index and 10 in index
    assert (index.scores(["cardiology"], np.array([9, 10])) == 0).all()
    np.testing.assert_allclose(
        index.scores(["cardiology"], np.arange(6)),
        build({**DOCS, 9: [], 10: []}).scores(["cardiology"], np.arange(6)),
        atol=1e-12,
    )


# -- updates ---------------------------------------------------------------------------------

QUERIES = [["pediatric heart"], ["tumor glioma brain"], ["children surgery", "education"], ["x"]]


def assert_same_scores(a: LexicalIndex, b: LexicalIndex, slots: np.ndarray) -> None:
    for query in QUERIES:
        np.testing.assert_allclose(a.scores(query, slots), b.scores(query, slots), atol=1e-12)


def test_replacing_a_document_updates_document_frequencies() -> None:
    index = build(DOCS)
    final = {**DOCS, 0: ["Glioma surgery"], 3: ["Brain tumors"], 4: ["Cardiology"]}
    for slot in (0, 3, 4):
        index.put(slot, final[slot])
    assert len(index) == len(final)
    assert_same_scores(index, build(final), all_slots())
    # the replaced text no longer matches
    assert index.scores(["leukemia"], np.array([4]))[0] == 0


def test_remove() -> None:
    index = build(DOCS)
    assert index.remove(1) is True
    assert index.remove(1) is False
    assert index.remove(77) is False
    assert index.remove(-1) is False
    assert 1 not in index and 0 in index and "0" not in index and True not in index
    assert len(index) == len(DOCS) - 1
    rest = {s: t for s, t in DOCS.items() if s != 1}
    assert_same_scores(index, build(rest), all_slots())
    assert index.scores(["glioma"], np.array([1]))[0] == 0


def test_a_removed_slot_can_be_reused() -> None:
    index = build(DOCS)
    index.remove(2)
    index.put(2, ["Interventional radiology"])
    assert 2 in index and len(index) == len(DOCS)
    assert index.scores(["radiology"], np.array([2]))[0] > 0
    assert index.scores(["surgery"], np.array([2]))[0] == 0
    assert_same_scores(index, build({**DOCS, 2: ["Interventional radiology"]}), all_slots())


def test_sparse_high_slots() -> None:
    index = build({999_999: ["glioma"], 3: ["cardiology"]})
    assert 999_999 in index and 999_998 not in index
    got = index.scores(["glioma"], np.array([999_999, 3, 1_000_000]))
    assert got[0] > 0 and got[1] == 0 and got[2] == 0


def test_bad_arguments_are_refused() -> None:
    with pytest.raises(ValueError):
        LexicalIndex(k1=0.0)
    with pytest.raises(ValueError):
        LexicalIndex(b=1.5)
    index = LexicalIndex()
    with pytest.raises(ValueError):
        index.put(-1, ["x"])
    with pytest.raises(TypeError):
        index.put(1.0, ["x"])  # type: ignore[arg-type]


WORDS = ["heart", "hearts", "tumor", "tumors", "brain", "surgery", "child", "children", "the"]
text = st.lists(st.sampled_from(WORDS), max_size=6).map(" ".join)
operation = st.tuples(st.integers(0, 7), st.none() | st.lists(text, max_size=3))


@pytest.mark.parametrize("min_compact", [0, lexical.MIN_COMPACT])
@settings(max_examples=150, deadline=None)
@given(ops=st.lists(operation, max_size=40), b=st.sampled_from([0.0, 0.75]))
def test_updates_in_any_order_equal_a_fresh_build(
    min_compact: int, ops: list[tuple[int, list[str] | None]], b: float
) -> None:
    """With ``min_compact`` 0 the flat postings are compacted whenever abandoned runs
    outweigh the live ones and the arrays are full, so moved runs are checked too."""
    index = LexicalIndex(b=b)
    docs: dict[int, list[str]] = {}
    with mock.patch.object(lexical, "MIN_COMPACT", min_compact):
        for slot, texts in ops:
            if texts is None:
                assert index.remove(slot) is (slot in docs)
                docs.pop(slot, None)
            else:
                index.put(slot, texts)
                docs[slot] = texts
    fresh = build(docs, b=b)
    assert len(index) == len(fresh) == len(docs)
    assert all((s in index) == (s in docs) for s in range(9))
    slots = np.arange(9)
    for query in [["heart tumor"], ["brain", "children surgery"], ["tumors"]]:
        np.testing.assert_allclose(
            index.scores(query, slots), fresh.scores(query, slots), atol=1e-12
        )


# -- snapshot --------------------------------------------------------------------------------


def test_save_and_load_give_identical_scores(tmp_path: Path) -> None:
    index = build(DOCS, k1=1.4, b=0.5)
    index.put(12, ["Sports medicine"])
    index.remove(1)  # its terms ("glioma", ...) leave the saved vocabulary
    index.put(9, [])
    path = tmp_path / "lexical.npz"
    index.save(path)
    assert [p.name for p in tmp_path.iterdir()] == ["lexical.npz"]  # no temp file left
    loaded = LexicalIndex.load(path)
    assert loaded is not None
    assert (loaded.k1, loaded.b, len(loaded)) == (1.4, 0.5, len(index))
    assert loaded.n_terms < index.n_terms
    assert all((s in loaded) == (s in index) for s in range(-1, 20))
    slots = all_slots(extra=5)
    for query in [*QUERIES, ["sports glioma"]]:
        np.testing.assert_array_equal(loaded.scores(query, slots), index.scores(query, slots))
    # the loaded index keeps updating like the original
    for each in (index, loaded):
        each.put(1, ["Glioma and sports"])
        each.remove(12)
    assert_same_scores(loaded, index, slots)
    assert loaded.scores(["glioma"], np.array([1]))[0] > 0


def test_a_loaded_index_takes_updates_and_compacts(tmp_path: Path) -> None:
    many = {slot: [f"{DOCS[slot % 6][1]} case {slot}"] for slot in range(200)}
    build(many).save(tmp_path / "lexical.npz")
    index = LexicalIndex.load(tmp_path / "lexical.npz")
    assert index is not None
    compact = LexicalIndex._compact
    with (
        mock.patch.object(lexical, "MIN_COMPACT", 0),
        mock.patch.object(LexicalIndex, "_compact", autospec=True, side_effect=compact) as spy,
    ):
        for round_ in range(6):  # rewrites half the documents, so abandoned runs pile up
            for slot in range(0, 200, 2):
                many[slot] = [f"{DOCS[(slot + round_) % 6][0]} visit {round_}"]
                index.put(slot, many[slot])
            index.remove(199 - round_)
            many.pop(199 - round_)
            assert_same_scores(index, build(many), np.arange(205))
    assert spy.call_count >= 2
    assert index._used - index._dead == int(index._nterms.sum())


def test_term_counts_are_kept_up_to_the_cap_and_round_trip(tmp_path: Path) -> None:
    """A word repeated past ``TF_MAX`` counts as ``TF_MAX`` times, in memory and on disk."""
    cap = lexical.TF_MAX
    index = build({0: ["heart " * (cap + 45)], 1: ["heart " * cap], 2: ["heart " * (cap - 1)]})
    index.put(3, ["glioma"])
    slots = np.arange(4)
    over, at, under, _ = index.scores(["heart"], slots)
    assert over == at > under > 0
    index.save(tmp_path / "lexical.npz")
    loaded = LexicalIndex.load(tmp_path / "lexical.npz")
    assert loaded is not None
    np.testing.assert_array_equal(loaded.scores(["heart"], slots), index.scores(["heart"], slots))


def test_save_replaces_an_older_file(tmp_path: Path) -> None:
    path = tmp_path / "lexical.npz"
    build(DOCS).save(path)
    build({0: ["glioma"]}).save(path)
    loaded = LexicalIndex.load(path)
    assert loaded is not None and len(loaded) == 1


def test_an_empty_index_round_trips(tmp_path: Path) -> None:
    path = tmp_path / "lexical.npz"
    LexicalIndex().save(path)
    loaded = LexicalIndex.load(path)
    assert loaded is not None and len(loaded) == 0
    assert (loaded.scores(["heart"], np.arange(3)) == 0).all()


def test_load_refuses_missing_and_corrupt_files(tmp_path: Path) -> None:
    assert LexicalIndex.load(tmp_path / "absent.npz") is None
    assert LexicalIndex.load(tmp_path) is None  # a folder
    path = tmp_path / "lexical.npz"
    build(DOCS).save(path)
    data = path.read_bytes()
    for bad in [data[: len(data) // 2], data[:10], b"", b"not a numpy file at all"]:
        path.write_bytes(bad)
        assert LexicalIndex.load(path) is None
    flipped = bytearray(data)
    middle = len(flipped) // 2
    flipped[middle : middle + 8] = bytes(8)
    path.write_bytes(bytes(flipped))
    assert LexicalIndex.load(path) is None


def rewritten(path: Path, **changes: np.ndarray) -> None:
    with np.load(path) as data:
        arrays = {name: data[name] for name in data.files}
    arrays.update(changes)
    with path.open("wb") as handle:
        np.savez(handle, **arrays)


def test_load_refuses_another_version_and_inconsistent_content(tmp_path: Path) -> None:
    path = tmp_path / "lexical.npz"
    index = build(DOCS)
    for changes in [
        {"version": np.asarray(99)},
        {"df": np.ones(index.n_terms, dtype=np.int64)},
        {"slots": np.array([5, 4, 3, 2, 1, 0])},
        {"tfs": np.zeros(1, dtype=np.int32)},
        {"terms": np.arange(index.n_terms)},
    ]:
        index.save(path)
        assert LexicalIndex.load(path) is not None
        rewritten(path, **changes)
        assert LexicalIndex.load(path) is None, changes
    index.save(path)
    with np.load(path) as data:
        arrays = {name: data[name] for name in data.files if name != "offsets"}
    with path.open("wb") as handle:
        np.savez(handle, **arrays)
    assert LexicalIndex.load(path) is None


# -- explanations ----------------------------------------------------------------------------


def test_matched_terms_are_the_query_words_rarest_first() -> None:
    index = build(DOCS)
    query = ["Pediatric Glioma and children's Tumors", "pediatric research"]
    got = index.matched_terms(
        query,
        [
            "Brain tumor and glioma research",  # tumor: 2 docs, glioma: 1, research: 1
            "pediatric surgery in children",  # pediatric: 3 docs, children: 3
            "cardiology",
            "",
        ],
    )
    # glioma and research are in one document each (ties keep query order), tumor in two
    assert got[0] == ["Glioma", "research", "Tumors"]
    assert got[1] == ["Pediatric", "children"]  # "pediatric" once, as first written
    assert got[2:] == [[], []]
    # a term no document holds is the rarest of all
    assert index.matched_terms(["heart zebrafish"], ["zebrafish heart"]) == [["zebrafish", "heart"]]
    assert index.matched_terms([], ["heart"]) == [[]]
    assert index.matched_terms(["heart"], []) == []


def test_nbytes_grows_with_the_index() -> None:
    small = build({0: ["heart"]})
    big = build({s: [f"term{s} heart surgery {s * 7}"] for s in range(500)})
    assert 0 < small.nbytes() < big.nbytes()


def test_shared_words_follow_the_index_as_it_changes() -> None:
    """The query's analysis is kept between calls, but a put that makes a word common
    reorders the words (rarest first) at once."""
    index = LexicalIndex()
    index.put(0, ["stroke thrombectomy"])
    index.put(1, ["stroke care"])
    query, item = ["thrombectomy after stroke"], ["stroke thrombectomy outcomes"]
    assert index.shared_words(query, item) == [[["thrombectomy", "stroke"]]]
    for slot in range(2, 6):
        index.put(slot, ["thrombectomy"])
    assert index.shared_words(query, item) == [[["stroke", "thrombectomy"]]]
    assert index.matched_terms(query, item) == [["stroke", "thrombectomy"]]

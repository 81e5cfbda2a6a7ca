"""The History Stack Exchange converter: exact mapping on a tiny source, checks on the real one."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from evaluation.beir import BeirDataset, DatasetError, load_beir
from evaluation.stackexchange import convert_stackexchange
from recommender.domain.profiles import Feedback, Mentor

SOURCE = (
    Path(__file__).resolve().parents[3] / "shared/datasets/stackexchange_history_expert_finding"
)

# (question id, asker, [(answerer, answer id, score)], accepted answer id, tags)
TINY: list[tuple[int, int, list[tuple[int, int, int]], int, list[str]]] = [
    (10, 1, [(2, 11, 12), (3, 12, 4)], 11, ["rome", "military"]),
    (20, 2, [(2, 21, 5), (4, 22, 7)], 22, ["rome"]),  # user 2 answers their own question
    (30, 1, [(3, 31, 10), (4, 32, 4)], 32, ["greece"]),
    (40, 5, [(4, 41, 4), (3, 42, 6)], 41, ["greece"]),
    (50, 5, [(4, 51, 4), (6, 52, 4)], 52, ["egypt"]),
    (60, 6, [(4, 61, 4), (3, 62, 4)], 62, ["egypt"]),
    (70, 5, [(4, 71, 4), (6, 72, 4)], 71, ["egypt"]),
    (80, 6, [(4, 81, 4), (3, 82, 4)], 81, ["egypt"]),
    # query period: the oldest 80% of 10 questions (ids 10..80) build the profiles
    (90, 3, [(2, 91, 12), (3, 92, 20), (4, 93, 4), (9, 94, 50), (4, 95, 11)], 91, ["rome"]),
    (100, 1, [(9, 101, 5), (1, 102, 9)], 101, ["china"]),  # nobody relevant in the corpus
]


def _write_source(root: Path) -> Path:
    root.mkdir(parents=True)
    records, titles, bodies, tags, scores, authors = [], [], [], [], [], ["answerID answererID"]
    for qid, asker, answers, accepted, qtags in TINY:
        by_id = {a: u for u, a, _ in answers}
        records.append(
            {
                "QuestionId": str(qid),
                "QuestionOwnerId": str(asker),
                "AcceptedAnswerId": str(accepted),
                "AcceptedAnswererId": str(by_id[accepted]),
                "AnswererIdList": [str(u) for u, _, _ in answers],
                "AnswererAnswerTuples": [[str(u), str(a)] for u, a, _ in answers],
                "Tags": qtags,
            }
        )
        titles.append(f"{qid} title of question {qid}")
        bodies.append(f"{qid} body of question {qid}")
        tags.append(f"{qid} {' '.join(qtags)}")
        scores += [f"{a} {s}" for _, a, s in answers]
        authors += [f"{a} {u}" for u, a, _ in answers]
    files = {
        "Record_All.json": [json.dumps(r) for r in records],
        "Q_title.txt": titles,
        "Q_content.txt": bodies,
        "Q_tags.txt": tags,
        "A_score.txt": scores,
        "answer_user_ids.txt": authors,
    }
    for name, lines in files.items():
        (root / name).write_text("\n".join(lines) + "\n", encoding="utf-8")
    return root


def _files(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


def test_tiny_source_maps_exactly(tmp_path: Path) -> None:
    src = _write_source(tmp_path / "src")
    summary = convert_stackexchange(src, tmp_path / "out", pseudo=False)
    data = load_beir(tmp_path / "out")
    assert data.warnings == []
    assert list(data.corpus) == ["u2", "u3", "u4", "u6"]  # user 9 only answered in the test
    assert list(data.queries) == ["q90"]  # q100 has no relevant answerer in the corpus
    # accepted and score >= 10: 3; the asker (u3) is excluded; u4's best answer has 11 votes
    assert data.qrels == {"q90": {"u2": 3.0, "u4": 2.0}}

    query = data.queries["q90"]
    assert query.text == "title of question 90. body of question 90"
    assert query.metadata["asker"] == "u3"
    assert query.metadata["conflicts"] == ["u3"]
    assert query.metadata["target_specialties"] == ["rome"]
    assert query.metadata["interests"] == ["title of question 90"]

    u2 = data.corpus["u2"]
    assert u2.text == "tags: rome, military"
    assert u2.items == (
        "title of question 10. body of question 10 [tags: rome, military]",
        "title of question 20. body of question 20 [tags: rome]",
    )
    assert u2.metadata["specialty"] == "rome"
    assert u2.metadata["subspecialties"] == ["military"]
    assert u2.metadata["past_mentees"] == 1  # answering oneself does not count
    (feedback,) = u2.metadata["feedback"]  # the self-answer gives no feedback
    assert feedback["id"] == "a11"
    assert feedback["mentee_id"] == "u1"
    assert feedback["mentor_id"] == "u2"
    assert (feedback["overall"], feedback["would_recommend"]) == (5, True)

    overall = {f["id"]: f["overall"] for f in data.corpus["u4"].metadata["feedback"]}
    # 2 + [score >= 5] + [score >= 10] + [accepted], at most 5
    assert overall == {"a22": 4, "a32": 3, "a41": 3, "a51": 2, "a61": 2, "a71": 3, "a81": 3}
    overall = {f["id"]: f["overall"] for f in data.corpus["u3"].metadata["feedback"]}
    assert overall == {"a12": 2, "a31": 4, "a42": 3, "a62": 3, "a82": 2}
    assert summary["test"]["queries"] == 1
    assert summary["test"]["mentors"] == 4
    assert not (tmp_path / "out" / "train").exists()


def test_missing_source_file_is_named(tmp_path: Path) -> None:
    src = _write_source(tmp_path / "src")
    (src / "A_score.txt").unlink()
    with pytest.raises(DatasetError, match=r"A_score\.txt"):
        convert_stackexchange(src, tmp_path / "out")


def test_bad_record_line_is_named(tmp_path: Path) -> None:
    src = _write_source(tmp_path / "src")
    with (src / "Record_All.json").open("a") as handle:
        handle.write("{not json\n")
    with pytest.raises(DatasetError, match=r"Record_All\.json:11"):
        convert_stackexchange(src, tmp_path / "out")


def test_test_fraction_must_be_a_fraction(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="test_fraction"):
        convert_stackexchange(tmp_path, tmp_path / "out", test_fraction=1.0)


# --- the real data -------------------------------------------------------------------------

needs_source = pytest.mark.skipif(
    not (SOURCE / "Record_All.json").is_file(),
    reason=f"History Stack Exchange data not found at {SOURCE}",
)


@pytest.fixture(scope="module")
def converted(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    if not (SOURCE / "Record_All.json").is_file():
        pytest.skip(f"History Stack Exchange data not found at {SOURCE}")
    out = tmp_path_factory.mktemp("history") / "beir"
    return out, convert_stackexchange(SOURCE, out)


@pytest.fixture(scope="module")
def real(converted: tuple[Path, dict[str, Any]]) -> BeirDataset:
    return load_beir(converted[0])


@needs_source
def test_counts_in_expected_ranges(converted: tuple[Path, dict[str, Any]], real: Any) -> None:
    out, summary = converted
    assert 300 <= len(real.queries) <= 345
    assert 900 <= len(real.corpus) <= 1000
    assert len(real.queries) <= sum(len(j) for j in real.qrels.values()) <= 1500
    assert set(real.qrels) == set(real.queries)
    assert real.warnings == []
    assert json.loads((out / "split.json").read_text()) == summary
    assert summary["test"]["mentors"] == len(real.corpus)
    assert "CC BY-SA" in (out / "README.md").read_text()


@needs_source
def test_metadata_validates_as_mentor_and_feedback(real: BeirDataset) -> None:
    for doc in real.corpus.values():
        fields = dict(doc.metadata)
        feedback = fields.pop("feedback")
        mentor = Mentor(id=doc.id, **fields)
        assert mentor.specialty == fields["interests"][0]
        for entry in feedback:
            assert Feedback(**entry).mentor_id == doc.id


@needs_source
def test_no_test_text_in_profiles(real: BeirDataset) -> None:
    items = "\n".join(item for doc in real.corpus.values() for item in doc.items)
    leaked = [q.id for q in real.queries.values() if q.metadata["interests"][0] in items]
    assert leaked == []


@needs_source
def test_no_asker_is_relevant_to_their_own_question(real: BeirDataset) -> None:
    for query_id, judged in real.qrels.items():
        assert real.queries[query_id].metadata["asker"] not in judged
        assert set(judged.values()) <= {1.0, 2.0, 3.0}


@needs_source
def test_profile_dates_before_as_of_before_queries(
    converted: tuple[Path, dict[str, Any]], real: BeirDataset
) -> None:
    as_of = date.fromisoformat(converted[1]["test"]["as_of"])
    for doc in real.corpus.values():
        assert date.fromisoformat(doc.metadata["last_active"]) < as_of
        assert all(date.fromisoformat(f["date"]) < as_of for f in doc.metadata["feedback"])
    assert all(date.fromisoformat(q.metadata["date"]) >= as_of for q in real.queries.values())


@needs_source
def test_pseudo_split_stays_in_the_training_period(converted: tuple[Path, dict[str, Any]]) -> None:
    out, summary = converted
    train = load_beir(out / "train")
    as_of = date.fromisoformat(summary["test"]["as_of"])
    inner_as_of = date.fromisoformat(summary["train"]["as_of"])
    assert len(train.queries) > 100 and len(train.corpus) > 500
    for query in train.queries.values():
        assert inner_as_of <= date.fromisoformat(query.metadata["date"]) < as_of
    for doc in train.corpus.values():
        assert date.fromisoformat(doc.metadata["last_active"]) < inner_as_of


@needs_source
def test_conversion_is_deterministic(
    converted: tuple[Path, dict[str, Any]], tmp_path: Path
) -> None:
    convert_stackexchange(SOURCE, tmp_path / "again")
    assert _files(tmp_path / "again") == _files(converted[0])


@needs_source
def test_rolling_activity_never_reaches_past_its_part(
    converted: tuple[Path, dict[str, Any]],
) -> None:
    converted_rolling = converted[0]
    outer = json.loads((converted_rolling / "split.json").read_text())
    outer_as_of = outer["test"]["as_of"]
    train = load_beir(converted_rolling / "train")
    logged = [d for doc in train.corpus.values() for d in doc.metadata.get("activity_dates", [])]
    assert logged and max(logged) < outer_as_of
    test = load_beir(converted_rolling)
    assert any(
        d >= outer_as_of
        for doc in test.corpus.values()
        for d in doc.metadata.get("activity_dates", [])
    )


@needs_source
def test_static_conversion_has_no_activity_log(tmp_path: Path) -> None:
    convert_stackexchange(SOURCE, tmp_path / "static", rolling=False)
    for part in (tmp_path / "static", tmp_path / "static" / "train"):
        corpus = load_beir(part).corpus.values()
        assert not any("activity_dates" in doc.metadata for doc in corpus)
        assert all("recent_mentees" in doc.metadata for doc in corpus)

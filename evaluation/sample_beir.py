"""The bundled synthetic sample cohort in the BEIR layout, with its planted ground truth.

Mentors become the corpus (every mentor field in ``metadata``, their ratings under
``metadata.feedback``), mentees become queries (every mentee field in ``metadata``, plus the
export date), and the generator's planted truth becomes graded qrels: the best-fitting third of
a mentee's planted mentors get gain 3, the next third 2, the rest 1.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import Any

from recommender.domain.profiles import Feedback, Mentee, Mentor
from recommender.storage.ingest import parse_file


def _jsonl(path: Path, rows: Iterable[dict[str, Any]]) -> None:
    with path.open("w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")


def _gain(position: int, n: int) -> int:
    return 3 - min(2, (3 * position) // max(n, 1))


def convert_sample(src: Path, out: Path, as_of: date = date(2026, 9, 1)) -> dict[str, int]:
    """Write ``src`` (``mentors.jsonl``, ``mentees.jsonl``, ``feedback.jsonl``, ``truth.jsonl``)
    to ``out`` in the BEIR layout; returns counts."""
    mentors: list[Mentor] = parse_file(src / "mentors.jsonl").records  # type: ignore[assignment]
    mentees: list[Mentee] = parse_file(src / "mentees.jsonl").records  # type: ignore[assignment]
    ratings: list[Feedback] = parse_file(src / "feedback.jsonl").records  # type: ignore[assignment]
    by_mentor: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for fb in ratings:
        by_mentor[fb.mentor_id].append(fb.model_dump(mode="json", exclude={"mentor_id"}))
    out.mkdir(parents=True, exist_ok=True)
    (out / "qrels").mkdir(exist_ok=True)
    _jsonl(
        out / "corpus.jsonl",
        (
            {
                "_id": m.id,
                "title": "",
                "text": "",
                "metadata": {
                    **m.model_dump(mode="json", exclude={"id"}),
                    "feedback": by_mentor.get(m.id, []),
                },
            }
            for m in mentors
        ),
    )
    _jsonl(
        out / "queries.jsonl",
        (
            {
                "_id": m.id,
                "text": "",
                "metadata": {**m.model_dump(mode="json", exclude={"id"}), "date": str(as_of)},
            }
            for m in mentees
        ),
    )
    truth = [json.loads(line) for line in (src / "truth.jsonl").open(encoding="utf-8")]
    rows = 0
    with (out / "qrels" / "test.tsv").open("w", encoding="utf-8") as handle:
        handle.write("query-id\tcorpus-id\tscore\n")
        for row in truth:
            ids = row["mentor_ids"]
            for position, mentor_id in enumerate(ids):
                handle.write(f"{row['mentee_id']}\t{mentor_id}\t{_gain(position, len(ids))}\n")
                rows += 1
    return {"mentors": len(mentors), "mentees": len(mentees), "qrels": rows}

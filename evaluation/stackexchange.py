"""Convert the History Stack Exchange expert-finding data to the BEIR layout, split by time.

Askers are mentees, answerers are mentors; answer votes and the accepted answer are outcome
feedback. The source (team2box preprocessing of the Sept 2019 dump, CC BY-SA) is read at run
time and never copied into the repository.

The files carry no dates. Question ids follow time, so every question gets an approximate
date by linear interpolation of its id between the smallest id (2011-10-11, the site's start)
and the largest (2019-09-01, the dump); an answer gets its question's date. The oldest
``1 - test_fraction`` of the questions build the mentor profiles, the newest are the queries.
Everything a profile holds (texts, tags, activity, feedback) comes from the profile period only.

Reading lives in `evaluation.stackexchange_read`, splitting and building the parts in
`evaluation.stackexchange_build`; their public names are importable from here too.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from evaluation.beir import QRELS_HEADER
from evaluation.stackexchange_build import (
    RECENT_DAYS,
    TOP_TAGS,
    Part,
    build_part,
    temporal_split,
)
from evaluation.stackexchange_read import (
    FIRST_DAY,
    LAST_DAY,
    Answer,
    Question,
    approximate_date,
    read_questions,
)

__all__ = [
    "FIRST_DAY",
    "LAST_DAY",
    "RECENT_DAYS",
    "TOP_TAGS",
    "Answer",
    "Part",
    "Question",
    "approximate_date",
    "build_part",
    "convert_stackexchange",
    "read_questions",
    "temporal_split",
]


def convert_stackexchange(
    src: Path, out: Path, test_fraction: float = 0.2, pseudo: bool = True, rolling: bool = True
) -> dict[str, Any]:
    """Write the History Stack Exchange data in ``src`` as a BEIR data set in ``out``.

    Args:
        src: Folder with ``Record_All.json``, ``Q_title.txt``, ``Q_content.txt``,
            ``Q_tags.txt``, ``A_score.txt`` and ``answer_user_ids.txt``.
        out: Output folder (created); receives ``corpus.jsonl``, ``queries.jsonl``,
            ``qrels/test.tsv``, ``split.json``, ``README.md`` and, with ``pseudo``, ``train/``.
        test_fraction: Share of the newest questions used as test queries, in (0, 1).
        pseudo: Also write ``train/``: the profile period split again the same way, so that
            ranker weights can be learned without touching the test queries.
        rolling: Give each mentor the dated log of every answer of the part's whole period
            (``activity_dates``), so recency and recent activity are computed as of each
            query's date from answers strictly before it, as a deployed system would see them.
            Texts, feedback and the other fields stay profile-period only. With False, activity
            is summarised once at ``as_of`` (``last_active``, ``recent_mentees``).

    Returns:
        The summary written to ``split.json``: counts and dates per part.

    Raises:
        DatasetError: A source file is missing or malformed, or too few questions to split.
        ValueError: ``test_fraction`` is outside (0, 1).
    """
    if not 0.0 < test_fraction < 1.0:
        raise ValueError(f"test_fraction must be in (0, 1), got {test_fraction}")
    src, out = Path(src), Path(out)
    questions = read_questions(src)
    train, test = temporal_split(questions, test_fraction)
    summary: dict[str, Any] = {
        "source": src.name,
        "license": "CC BY-SA (History Stack Exchange contributors; team2box preprocessing)",
        "test_fraction": test_fraction,
        "dates": {
            "approximation": "linear in question id",
            "first_question": questions[0].id,
            "first_date": FIRST_DAY.isoformat(),
            "last_question": questions[-1].id,
            "last_date": LAST_DAY.isoformat(),
        },
    }
    part = build_part(train, test, questions if rolling else None)
    as_of = test[0].day
    _write_part(out, part)
    summary["test"] = part.stats
    summary["activity"] = "rolling" if rolling else "static"
    if pseudo:
        inner_train, inner_test = temporal_split(train, test_fraction)
        inner = build_part(inner_train, inner_test, train if rolling else None, as_of)
        _write_part(out / "train", inner)
        summary["train"] = inner.stats
    (out / "split.json").write_text(
        json.dumps(summary, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    (out / "README.md").write_text(_readme(summary), encoding="utf-8")
    return summary


# --- writing -------------------------------------------------------------------------------


def _write_jsonl(path: Path, rows: list[dict[str, Any]]) -> None:
    with path.open("w", encoding="utf-8", newline="\n") as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")


def _write_part(folder: Path, part: Part) -> None:
    (folder / "qrels").mkdir(parents=True, exist_ok=True)
    _write_jsonl(folder / "corpus.jsonl", part.corpus)
    _write_jsonl(folder / "queries.jsonl", part.queries)
    with (folder / "qrels" / "test.tsv").open("w", encoding="utf-8", newline="\n") as handle:
        handle.write("\t".join(QRELS_HEADER) + "\n")
        for query_id, doc_id, gain in part.qrels:
            handle.write(f"{query_id}\t{doc_id}\t{gain}\n")


def _counts(stats: dict[str, Any]) -> str:
    return (
        f"{stats['profile_questions']} profile-period questions "
        f"({stats['profile_period'][0]} to {stats['profile_period'][1]}), "
        f"{stats['mentors']} mentors, {stats['feedback']} feedback entries; "
        f"{stats['query_questions']} query-period questions "
        f"({stats['query_period'][0]} to {stats['query_period'][1]}), "
        f"{stats['queries']} queries with a relevant mentor, {stats['qrels']} qrels rows "
        f"(gains {stats['gains']}); as_of {stats['as_of']}."
    )


def _readme(summary: dict[str, Any]) -> str:
    dates = summary["dates"]
    lines = [
        "# History Stack Exchange expert finding, as mentor matching (BEIR layout)",
        "",
        "Generated by `evaluation.stackexchange.convert_stackexchange`; do not edit.",
        "Askers are mentees (queries), answerers are mentors (corpus). Votes and the accepted",
        "answer give graded relevance and the mentors' past-mentee feedback.",
        "",
        "## License and attribution",
        "",
        "CC BY-SA (3.0/4.0 by post date, per the Stack Exchange data dump). Content by the",
        "contributors of History Stack Exchange (https://history.stackexchange.com), from the",
        "Sept 2019 data dump (https://archive.org/details/stackexchange); preprocessing by the",
        "team2box authors (https://github.com/team-formation/team2box, MIT, © 2020 AAAI2021);",
        f"see the README of the source folder `{summary['source']}`.",
        "This adaptation is CC BY-SA too: keep it apart from files under other licenses.",
        "",
        "## Split",
        "",
        "Questions are sorted by id (ids follow time).",
        f"The oldest {1 - summary['test_fraction']:.0%} build the mentor profiles (texts, tags,",
        "activity, feedback: nothing from later);",
        f"the newest {summary['test_fraction']:.0%} are the queries.",
        "`as_of` is the date of the first query-period question (the cut moves past questions",
        "of the same day, so every profile date is before it). A query is kept when an answerer",
        "other than the asker is in the corpus; the gain is 1 + [answer score >= 10] +",
        "[accepted answerer]. Non-answerers count as non-relevant (pessimistic).",
        "",
        "## Dates are approximate",
        "",
        "The source has no dates. Each question's date is interpolated linearly from its id:",
        f"id {dates['first_question']} is {dates['first_date']} (the site's start),",
        f"id {dates['last_question']} is {dates['last_date']} (the dump).",
        "An answer gets its question's date. Use them for ordering and rough recency only.",
        "",
        "## Counts",
        "",
        f"- test (this folder): {_counts(summary['test'])}",
    ]
    if "train" in summary:
        lines.append(
            f"- train/ (the profile period split again, for learning weights): "
            f"{_counts(summary['train'])}"
        )
    return "\n".join(lines) + "\n"

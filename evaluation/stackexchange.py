"""Convert the History Stack Exchange expert-finding data to the BEIR layout, split by time.

Askers are mentees, answerers are mentors; answer votes and the accepted answer are outcome
feedback. The source (team2box preprocessing of the Sept 2019 dump, CC BY-SA) is read at run
time and never copied into the repository.

The files carry no dates. Question ids follow time, so every question gets an approximate
date by linear interpolation of its id between the smallest id (2011-10-11, the site's start)
and the largest (2019-09-01, the dump); an answer gets its question's date. The oldest
``1 - test_fraction`` of the questions build the mentor profiles, the newest are the queries.
Everything a profile holds (texts, tags, activity, feedback) comes from the profile period only.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from evaluation.beir import QRELS_HEADER, DatasetError, json_object

FIRST_DAY = date(2011, 10, 11)
"""History Stack Exchange's public start: the date given to the smallest question id."""
LAST_DAY = date(2019, 9, 1)
"""The data dump: the date given to the largest question id."""
TOP_TAGS = 10
"""Tags kept per mentor (specialty + up to 9 subspecialties)."""
RECENT_DAYS = 365
"""Window of ``recent_mentees`` before ``as_of``."""


@dataclass(frozen=True)
class Answer:
    """One answer: its id, author, vote score and approximate date (from its own post id)."""

    id: int
    user: int
    score: int
    day: date


@dataclass(frozen=True)
class Question:
    """One question with its answers and approximate date."""

    id: int
    asker: int
    accepted_answer: int | None
    accepted_user: int | None
    answers: tuple[Answer, ...]
    title: str
    body: str
    tags: tuple[str, ...]
    day: date

    @property
    def text(self) -> str:
        """``<title>. <body>``: the text of the need."""
        return f"{self.title}. {self.body}".strip()


@dataclass(frozen=True)
class Part:
    """One BEIR data set built from a profile period and a query period."""

    corpus: list[dict[str, Any]]
    queries: list[dict[str, Any]]
    qrels: list[tuple[str, str, int]]
    stats: dict[str, Any]


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


# --- reading -------------------------------------------------------------------------------


def read_questions(src: Path) -> list[Question]:
    """All questions of ``src``, sorted by id (= by time), with approximate dates.

    Raises:
        DatasetError: A file is missing or malformed (the message names file and line).
    """
    titles = _id_texts(src / "Q_title.txt")
    bodies = _id_texts(src / "Q_content.txt")
    tags = {k: tuple(v.split()) for k, v in _id_texts(src / "Q_tags.txt").items()}
    scores = {k: _int(v, where) for k, (v, where) in _pairs(src / "A_score.txt").items()}
    authors = {k: _int(v, where) for k, (v, where) in _pairs(src / "answer_user_ids.txt").items()}
    raw = list(_records(src / "Record_All.json"))
    if len(raw) < 2:
        raise DatasetError(f"{src / 'Record_All.json'}: needs at least 2 questions")
    ids = [int(r["QuestionId"]) for r, _ in raw]
    low, high = min(ids), max(ids)
    questions = []
    for record, where in raw:
        qid = int(record["QuestionId"])
        for name, table in (("Q_title.txt", titles), ("Q_content.txt", bodies)):
            if qid not in table:
                raise DatasetError(f"{src / name}: no line for question {qid} ({where})")
        answers = []
        for user_text, answer_text in record["AnswererAnswerTuples"]:
            user, answer = _int(user_text, where), _int(answer_text, where)
            if answer not in scores:
                raise DatasetError(f"{src / 'A_score.txt'}: no score for answer {answer}")
            if authors.get(answer, user) != user:
                raise DatasetError(
                    f"{src / 'answer_user_ids.txt'}: answer {answer} is by {authors[answer]}, "
                    f"but {where} says {user}"
                )
            day = approximate_date(answer, low, high)
            answers.append(Answer(id=answer, user=user, score=scores[answer], day=day))
        accepted = _optional_int(record.get("AcceptedAnswerId"), where)
        by_answer = {a.id: a.user for a in answers}
        accepted_user = by_answer.get(accepted) if accepted is not None else None
        if accepted_user is None:
            accepted_user = _optional_int(record.get("AcceptedAnswererId"), where)
        questions.append(
            Question(
                id=qid,
                asker=_int(record["QuestionOwnerId"], where),
                accepted_answer=accepted,
                accepted_user=accepted_user,
                answers=tuple(sorted(answers, key=lambda a: a.id)),
                title=titles[qid],
                body=bodies[qid],
                tags=tags.get(qid, tuple(str(t) for t in record.get("Tags") or ())),
                day=approximate_date(qid, low, high),
            )
        )
    return sorted(questions, key=lambda q: q.id)


def approximate_date(post_id: int, low: int, high: int) -> date:
    """Date of ``post_id`` by linear interpolation: ``low`` → FIRST_DAY, ``high`` → LAST_DAY."""
    span = (LAST_DAY - FIRST_DAY).days
    fraction = (post_id - low) / (high - low) if high > low else 0.0
    return FIRST_DAY + timedelta(days=int(fraction * span))


def _lines(path: Path, header: bool = True) -> Iterator[tuple[str, str]]:
    """(``file:line``, line) for each non-blank line.

    With ``header``, a first line that does not start with a number is skipped (some of the
    text files have one, such as ``answerID answererID``).
    """
    if not path.is_file():
        raise DatasetError(f"{path}: file not found")
    try:
        with path.open(encoding="utf-8") as handle:
            for number, line in enumerate(handle, start=1):
                line = line.rstrip("\r\n")
                if not line.strip():
                    continue
                if header and number == 1 and not line.split()[0].lstrip("-").isdigit():
                    continue
                yield f"{path}:{number}", line
    except UnicodeDecodeError as exc:
        raise DatasetError(f"{path}: not UTF-8 text ({exc.reason})") from exc


def _id_texts(path: Path) -> dict[int, str]:
    """``<id> <text>`` lines as ``{id: text}`` (text may be empty)."""
    table: dict[int, str] = {}
    for where, line in _lines(path):
        head, _, text = line.partition(" ")
        table[_int(head, where)] = text.strip()
    return table


def _pairs(path: Path) -> dict[int, tuple[str, str]]:
    """``<id> <value>`` lines as ``{id: (value, location)}``."""
    table: dict[int, tuple[str, str]] = {}
    for where, line in _lines(path):
        fields = line.split()
        if len(fields) != 2:
            raise DatasetError(f"{where}: expected 2 fields, got {len(fields)}")
        table[_int(fields[0], where)] = (fields[1], where)
    return table


def _records(path: Path) -> Iterator[tuple[dict[str, Any], str]]:
    required = ("QuestionId", "QuestionOwnerId", "AnswererAnswerTuples")
    for where, line in _lines(path, header=False):
        record = json_object(line, where)
        missing = [key for key in required if key not in record]
        if missing:
            raise DatasetError(f"{where}: missing {', '.join(missing)}")
        tuples = record["AnswererAnswerTuples"]
        if not isinstance(tuples, list) or not all(
            isinstance(t, list) and len(t) == 2 for t in tuples
        ):
            raise DatasetError(f"{where}: AnswererAnswerTuples must be [[user, answer], ...]")
        _int(record["QuestionId"], where)
        yield record, where


def _int(value: Any, where: str) -> int:
    try:
        return int(str(value).strip())
    except ValueError:
        raise DatasetError(f"{where}: expected an integer, got {value!r}") from None


def _optional_int(value: Any, where: str) -> int | None:
    return None if value is None or str(value).strip() == "" else _int(value, where)


# --- splitting and building ----------------------------------------------------------------


def temporal_split(
    questions: list[Question], test_fraction: float
) -> tuple[list[Question], list[Question]]:
    """The oldest ``1 - test_fraction`` of ``questions`` and the newest rest.

    The cut is moved forward past questions sharing the last profile day's date, so every
    profile-period date is strictly before ``as_of`` (the first query-period date).

    Raises:
        DatasetError: Too few questions (or days) to leave both periods non-empty.
    """
    ordered = sorted(questions, key=lambda q: q.id)
    cut = int(len(ordered) * (1.0 - test_fraction))
    while 0 < cut < len(ordered) and ordered[cut].day == ordered[cut - 1].day:
        cut += 1
    if not 0 < cut < len(ordered):
        raise DatasetError(
            f"cannot split {len(ordered)} questions with test_fraction={test_fraction}"
        )
    return ordered[:cut], ordered[cut:]


def build_part(
    train: list[Question],
    test: list[Question],
    activity: list[Question] | None = None,
    until: date | None = None,
) -> Part:
    """Mentor profiles from ``train``; queries and graded judgements from ``test``.

    ``activity``: questions whose answers make up each mentor's dated activity log, each
    answer dated by its own post id (the engine only counts entries dated before a query);
    None for no log. ``until``: leave out answers dated on or after it.
    """
    as_of = test[0].day
    logs: dict[int, list[str]] = {}
    for question in activity or []:
        for answer in question.answers:
            if answer.user != question.asker and (until is None or answer.day < until):
                logs.setdefault(answer.user, []).append(answer.day.isoformat())
    corpus = [
        _mentor_doc(user, answered, as_of, logs.get(user, []))
        for user, answered in sorted(_by_user(train).items())
    ]
    mentors = {doc["_id"] for doc in corpus}
    queries: list[dict[str, Any]] = []
    qrels: list[tuple[str, str, int]] = []
    for question in test:
        gains = _gains(question, mentors)
        if not gains:
            continue
        asker = f"u{question.asker}"
        queries.append(
            {
                "_id": f"q{question.id}",
                "text": question.text,
                "metadata": {
                    "date": question.day.isoformat(),
                    "asker": asker,
                    "target_specialties": list(question.tags),
                    "interests": [question.title],
                    "conflicts": [asker] if asker in mentors else [],
                },
            }
        )
        qrels.extend((f"q{question.id}", doc_id, gain) for doc_id, gain in gains)
    stats = {
        "profile_questions": len(train),
        "query_questions": len(test),
        "queries": len(queries),
        "mentors": len(corpus),
        "qrels": len(qrels),
        "feedback": sum(len(doc["metadata"]["feedback"]) for doc in corpus),
        "profile_period": [train[0].day.isoformat(), train[-1].day.isoformat()],
        "query_period": [test[0].day.isoformat(), test[-1].day.isoformat()],
        "as_of": as_of.isoformat(),
        "gains": {str(g): n for g, n in sorted(Counter(g for _, _, g in qrels).items())},
    }
    return Part(corpus=corpus, queries=queries, qrels=qrels, stats=stats)


def _by_user(questions: list[Question]) -> dict[int, list[tuple[Question, Answer]]]:
    """Each answerer's (question, answer) pairs, oldest question first."""
    table: dict[int, list[tuple[Question, Answer]]] = {}
    for question in questions:
        for answer in question.answers:
            table.setdefault(answer.user, []).append((question, answer))
    return table


def _gains(question: Question, mentors: set[str]) -> list[tuple[str, int]]:
    """``(doc id, gain)`` per answerer in ``mentors`` other than the asker, by user id.

    gain = 1 + [answer score >= 10] + [answerer is the accepted answerer].
    """
    best: dict[int, int] = {}
    for answer in question.answers:
        if answer.user == question.asker or f"u{answer.user}" not in mentors:
            continue
        gain = 1 + (answer.score >= 10) + (answer.user == question.accepted_user)
        best[answer.user] = max(gain, best.get(answer.user, 0))
    return [(f"u{user}", gain) for user, gain in sorted(best.items())]


def _top_tags(questions: list[Question]) -> list[str]:
    counts = Counter(tag for question in questions for tag in question.tags)
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return [tag for tag, _ in ranked[:TOP_TAGS]]


def _years_between(start: date, end: date) -> int:
    """Whole years from ``start`` to ``end``."""
    return max(0, end.year - start.year - ((end.month, end.day) < (start.month, start.day)))


def _career_stage(years: int) -> str:
    """``Mentor.career_stage`` from years of activity, as the domain profiles define it."""
    return "early_career" if years < 8 else "mid_career" if years <= 20 else "senior"


def _mentor_doc(
    user: int, answered: list[tuple[Question, Answer]], as_of: date, log: list[str]
) -> dict[str, Any]:
    """One corpus entry: texts from the answered questions, Mentor fields, feedback."""
    doc_id = f"u{user}"
    questions = list({q.id: q for q, _ in answered}.values())
    tags = _top_tags(questions)
    days = [q.day for q, _ in answered]
    others = [(q, a) for q, a in answered if q.asker != user]
    recent_start = as_of - timedelta(days=RECENT_DAYS)
    years = _years_between(min(days), as_of)
    feedback = [
        {
            "id": f"a{answer.id}",
            "mentee_id": f"u{question.asker}",
            "mentor_id": doc_id,
            "date": question.day.isoformat(),
            "overall": min(
                5,
                2
                + (answer.score >= 5)
                + (answer.score >= 10)
                + (answer.id == question.accepted_answer),
            ),
            "would_recommend": answer.id == question.accepted_answer,
        }
        for question, answer in others
    ]
    metadata: dict[str, Any] = {
        "name": f"History SE user {user}",
        "career_stage": _career_stage(years),
        "specialty": tags[0] if tags else "history",
        "subspecialties": tags[1:],
        "interests": tags,
        "last_active": max(days).isoformat(),
        "years_in_practice": years,
        "past_mentees": len({q.asker for q, _ in others}),
        "recent_mentees": len({q.asker for q, _ in others if recent_start <= q.day < as_of}),
        "feedback": feedback,
    }
    if log:
        metadata["activity_dates"] = sorted(log)
    return {
        "_id": doc_id,
        "title": "",
        "text": f"tags: {', '.join(tags)}",
        "items": [f"{q.text} [tags: {', '.join(q.tags)}]" for q in questions],
        "metadata": metadata,
    }


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

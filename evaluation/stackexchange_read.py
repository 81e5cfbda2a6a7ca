"""Read the team2box History Stack Exchange files into dated `Question` records.

The files carry no dates. Question ids follow time, so every question gets an approximate
date by linear interpolation of its id between the smallest id (`FIRST_DAY`) and the largest
(`LAST_DAY`); see `approximate_date`. Used by `evaluation.stackexchange`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from evaluation.beir import DatasetError, json_object

FIRST_DAY = date(2011, 10, 11)
"""History Stack Exchange's public start: the date given to the smallest question id."""
LAST_DAY = date(2019, 9, 1)
"""The data dump: the date given to the largest question id."""


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

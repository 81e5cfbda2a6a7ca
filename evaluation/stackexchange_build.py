"""Split dated questions by time and build one BEIR part: mentor profiles, queries, qrels.

Askers are mentees, answerers are mentors; answer votes and the accepted answer are outcome
feedback. Everything a profile holds (texts, tags, activity, feedback) comes from the profile
period only. Used by `evaluation.stackexchange`.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from evaluation.beir import DatasetError
from evaluation.stackexchange_read import Answer, Question

TOP_TAGS = 10
"""Tags kept per mentor (specialty + up to 9 subspecialties)."""
RECENT_DAYS = 365
"""Window of ``recent_mentees`` before ``as_of``."""


@dataclass(frozen=True)
class Part:
    """One BEIR data set built from a profile period and a query period."""

    corpus: list[dict[str, Any]]
    queries: list[dict[str, Any]]
    qrels: list[tuple[str, str, int]]
    stats: dict[str, Any]


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

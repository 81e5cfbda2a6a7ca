"""A BEIR data set seen as mentors and mentees, so the product's engine can rank it.

Corpus documents become ``Mentor`` records (their ``metadata`` holds mentor fields; absent
fields take neutral defaults that are the same for every mentor), the ``feedback`` list in a
document's metadata becomes ``Feedback`` records, and queries become inline ``Mentee``
profiles. Ids are mapped to internal ones (``m000001``, ``q000001``) because data sets may use
any string; results are mapped back, so runs carry the ids as given.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from pydantic import ValidationError

from evaluation.beir import BeirDataset, DatasetError, Doc, Query
from recommender.domain.profiles import (
    MAX_TEXT,
    MAX_WORK_ITEMS,
    UNSPECIFIED,
    Feedback,
    Mentee,
    Mentor,
)

DEFAULT_STAGE = "PGY3"
"""Stage given to a query whose metadata names none (stage-based reordering is then off)."""

_MENTOR_FIELDS = frozenset(Mentor.model_fields) - {"id", "conflicts"}
_MENTEE_FIELDS = frozenset(Mentee.model_fields) - {"id", "conflicts"}


def _pieces(text: str, limit: int = MAX_TEXT) -> list[str]:
    """``text`` cut at word boundaries into pieces of at most ``limit`` characters."""
    out: list[str] = []
    current = ""
    for word in text.split():
        word = word[:limit]
        if current and len(current) + 1 + len(word) > limit:
            out.append(current)
            current = word
        else:
            current = f"{current} {word}" if current else word
    if current:
        out.append(current)
    return out


def _problem(error: ValidationError) -> str:
    first = error.errors()[0]
    return f"{'.'.join(map(str, first['loc']))}: {first['msg']}"


@dataclass
class Cohort:
    """The data set as records, with the id maps both ways."""

    mentors: list[Mentor] = field(default_factory=list)
    feedback: list[Feedback] = field(default_factory=list)
    mentees: dict[str, Mentee] = field(default_factory=dict)  # by original query id
    doc_of: dict[str, str] = field(default_factory=dict)  # internal mentor id -> original doc id
    mentor_of: dict[str, str] = field(default_factory=dict)  # original doc id -> internal id
    staged: set[str] = field(default_factory=set)  # query ids whose metadata gave a stage
    dates: dict[str, date] = field(default_factory=dict)  # query id -> its date, if given
    as_of: date | None = None


def _head(doc: Doc) -> str:
    """The document's title and text as one work item, without the text when it only joins
    the document's items: each item is a work item of its own, and a joined copy would embed
    every item twice and be chunked into pieces that straddle two items (two papers, two
    answers), which would then count as items of their own."""
    text = doc.text
    if doc.items and text and _joins(text, doc.items):
        text = ""
    return ". ".join(part for part in (doc.title, text) if part)


def _joins(text: str, items: Sequence[str]) -> bool:
    """Whether ``text`` holds the start of every item (it is their concatenation, perhaps
    with separators), compared with whitespace folded."""
    flat = " ".join(text.split())
    return all(" ".join(item.split())[:80] in flat for item in items)


def _mentor(internal: str, doc: Doc) -> tuple[Mentor, list[dict[str, Any]]]:
    meta = dict(doc.metadata)
    feedback = meta.pop("feedback", []) or []
    fields = {k: v for k, v in meta.items() if k in _MENTOR_FIELDS}
    fields.setdefault("name", (doc.title or doc.id)[:200] or internal)
    fields.setdefault("career_stage", "mid_career")
    fields.setdefault("specialty", UNSPECIFIED)
    work = [p for text in (_head(doc), *doc.items) for p in _pieces(text)]
    fields["work_items"] = list(fields.get("work_items", [])) + work
    fields["work_items"] = fields["work_items"][:MAX_WORK_ITEMS]
    try:
        mentor = Mentor.model_validate({"id": internal, **fields})
    except ValidationError as exc:
        raise DatasetError(f"corpus document {doc.id!r}: metadata {_problem(exc)}") from exc
    if not isinstance(feedback, list):
        raise DatasetError(f"corpus document {doc.id!r}: metadata feedback must be a list")
    return mentor, feedback


def _mentee(internal: str, query: Query, mentor_of: dict[str, str]) -> Mentee:
    meta = dict(query.metadata)
    fields = {k: v for k, v in meta.items() if k in _MENTEE_FIELDS}
    fields.setdefault("stage", DEFAULT_STAGE)
    fields["goals"] = (list(fields.get("goals", [])) + _pieces(query.text))[:20]
    fields["target_specialties"] = list(fields.get("target_specialties", []))[:10]
    fields["conflicts"] = [mentor_of[c] for c in meta.get("conflicts", []) if c in mentor_of]
    try:
        return Mentee.model_validate({"id": internal, **fields})
    except ValidationError as exc:
        raise DatasetError(f"query {query.id!r}: {_problem(exc)}") from exc


def _query_date(query: Query) -> date | None:
    value = query.metadata.get("date")
    if not value:
        return None
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError as exc:
        raise DatasetError(f"query {query.id!r}: metadata date {value!r} is not ISO") from exc


def to_cohort(dataset: BeirDataset, query_ids: list[str] | None = None) -> Cohort:
    """Mentors, feedback and mentees for ``dataset`` (all queries, or ``query_ids``).

    ``as_of`` is the earliest query date; each query is also ranked as of its own date, so
    signals see only what was logged before the query.

    Raises:
        DatasetError: a document or query whose metadata does not fit the profile schema.
    """
    cohort = Cohort()
    for n, doc in enumerate(dataset.corpus.values(), start=1):
        internal = f"m{n:06d}"
        cohort.mentor_of[doc.id] = internal
        cohort.doc_of[internal] = doc.id
    for doc in dataset.corpus.values():
        internal = cohort.mentor_of[doc.id]
        mentor, feedback = _mentor(internal, doc)
        cohort.mentors.append(mentor)
        for n, row in enumerate(feedback):
            data = {**row, "mentor_id": internal}
            data.setdefault("id", f"{internal}-f{n}")
            try:
                cohort.feedback.append(Feedback.model_validate(data))
            except ValidationError as exc:
                raise DatasetError(f"corpus document {doc.id!r}: feedback {_problem(exc)}") from exc
    dates = []
    wanted = query_ids if query_ids is not None else list(dataset.queries)
    for n, qid in enumerate(wanted, start=1):
        query = dataset.queries[qid]
        cohort.mentees[qid] = _mentee(f"q{n:06d}", query, cohort.mentor_of)
        if "stage" in query.metadata:
            cohort.staged.add(qid)
        day = _query_date(query)
        if day is not None:
            dates.append(day)
            cohort.dates[qid] = day
    cohort.as_of = min(dates) if dates else None
    return cohort

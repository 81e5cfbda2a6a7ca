"""Read an evaluation data set in the BEIR layout.

The layout is the convention of IR benchmarks (see DESIGN.md, "Contracts")::

    DIR/corpus.jsonl      one mentor profile per line: _id, title, text, [items], [metadata]
    DIR/queries.jsonl     one mentee need per line: _id, text, [metadata]
    DIR/qrels/<split>.tsv query-id <TAB> corpus-id <TAB> score, with a header line

Ids are kept exactly as given (JSON numbers become their string form). Files are streamed
line by line so that 100k-document corpora load quickly; no progress is shown here.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from recommender.domain.errors import MentorMatchError

QRELS_HEADER = ("query-id", "corpus-id", "score")


class DatasetError(MentorMatchError, ValueError):
    """A data set file that cannot be read; the message names the file and the line."""


@dataclass(frozen=True)
class Doc:
    """One corpus entry: a mentor profile.

    Attributes:
        id: The ``_id`` as given.
        title: Short title (often empty).
        text: The profile's main text.
        items: The profile's separate texts (one per work item, answer, publication...).
        metadata: Mentor fields (see ``recommender.domain.profiles.Mentor``), possibly empty.
    """

    id: str
    title: str = ""
    text: str = ""
    items: tuple[str, ...] = ()
    metadata: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Query:
    """One query: a mentee's need.

    Attributes:
        id: The ``_id`` as given.
        text: The query text.
        metadata: Mentee fields and extras (date, conflicts...), possibly empty.
    """

    id: str
    text: str = ""
    metadata: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class BeirDataset:
    """A loaded data set.

    Attributes:
        name: The folder's name.
        corpus: Documents by id, in file order.
        queries: Queries by id, in file order (queries without judgements are kept).
        qrels: ``qrels[query_id][doc_id]`` = graded relevance (may be fractional).
        warnings: Problems that were tolerated, such as qrels rows naming unknown ids.
    """

    name: str
    corpus: dict[str, Doc]
    queries: dict[str, Query]
    qrels: dict[str, dict[str, float]]
    warnings: list[str] = field(default_factory=list)


def load_beir(path: Path, split: str = "test") -> BeirDataset:
    """Load the data set in folder ``path``.

    Args:
        path: Folder holding ``corpus.jsonl``, ``queries.jsonl`` and ``qrels/<split>.tsv``.
        split: Which qrels file to read.

    Returns:
        The data set. Qrels rows whose query or document id is unknown are dropped and
        counted in ``warnings``.

    Raises:
        DatasetError: A file is missing or malformed; the message names file and line.
    """
    path = Path(path)
    corpus = {doc.id: doc for doc in _read_corpus(path / "corpus.jsonl")}
    queries = {query.id: query for query in _read_queries(path / "queries.jsonl")}
    qrels, warnings = _read_qrels(path / "qrels" / f"{split}.tsv", queries, corpus)
    return BeirDataset(
        name=path.name, corpus=corpus, queries=queries, qrels=qrels, warnings=warnings
    )


def _lines(path: Path) -> Iterator[tuple[int, str]]:
    """(1-based line number, line without its end) for every non-blank line of ``path``."""
    if not path.is_file():
        raise DatasetError(f"{path}: file not found")
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            for number, line in enumerate(handle, start=1):
                line = line.rstrip("\r\n")
                if line.strip():
                    yield number, line
    except UnicodeDecodeError as exc:
        raise DatasetError(f"{path}: not UTF-8 text ({exc.reason})") from exc


def json_object(line: str, where: str) -> dict[str, Any]:
    """One JSON object parsed from a line; ``DatasetError`` naming ``where`` otherwise."""
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as exc:
        raise DatasetError(f"{where}: bad JSON ({exc.msg}, column {exc.colno})") from exc
    if not isinstance(obj, dict):
        raise DatasetError(f"{where}: expected a JSON object, got {type(obj).__name__}")
    return obj


def _objects(path: Path) -> Iterator[tuple[str, dict[str, Any]]]:
    """(``file:line`` location, object with a string ``_id``) for each line of a JSONL file.

    Duplicate ids are reported here, so both readers share the check.
    """
    seen: dict[str, int] = {}
    for number, line in _lines(path):
        where = f"{path}:{number}"
        obj = json_object(line, where)
        obj["_id"] = _id(obj, where)
        if obj["_id"] in seen:
            raise DatasetError(
                f"{where}: duplicate _id {obj['_id']!r} (first on line {seen[obj['_id']]})"
            )
        seen[obj["_id"]] = number
        yield where, obj


def _id(obj: dict[str, Any], where: str) -> str:
    """The ``_id`` as a string: strings as given, JSON numbers in their string form."""
    if "_id" not in obj:
        raise DatasetError(f"{where}: missing _id")
    value = obj["_id"]
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise DatasetError(f"{where}: _id must be a string or a number, got {value!r}")
    text = str(value)
    if not text:
        raise DatasetError(f"{where}: _id is empty")
    return text


def _string(obj: dict[str, Any], key: str, where: str) -> str:
    value = obj.get(key, "")
    if value is None:
        return ""
    if not isinstance(value, str):
        raise DatasetError(f"{where}: {key} must be a string, got {type(value).__name__}")
    return value


def _metadata(obj: dict[str, Any], where: str) -> dict[str, Any]:
    value = obj.get("metadata")
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise DatasetError(f"{where}: metadata must be an object, got {type(value).__name__}")
    return value


def _items(obj: dict[str, Any], where: str) -> tuple[str, ...]:
    value = obj.get("items")
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise DatasetError(f"{where}: items must be a list of strings")
    return tuple(value)


def _read_corpus(path: Path) -> Iterator[Doc]:
    for where, obj in _objects(path):
        yield Doc(
            id=obj["_id"],
            title=_string(obj, "title", where),
            text=_string(obj, "text", where),
            items=_items(obj, where),
            metadata=_metadata(obj, where),
        )


def _read_queries(path: Path) -> Iterator[Query]:
    for where, obj in _objects(path):
        yield Query(id=obj["_id"], text=_string(obj, "text", where), metadata=_metadata(obj, where))


def _score(text: str, where: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise DatasetError(f"{where}: score {text!r} is not a number") from None
    if not math.isfinite(value):
        raise DatasetError(f"{where}: score {text!r} is not a finite number")
    return value


def _read_qrels(
    path: Path, queries: dict[str, Query], corpus: dict[str, Doc]
) -> tuple[dict[str, dict[str, float]], list[str]]:
    """Judgements by query id, and warnings about rows that were dropped or merged."""
    qrels: dict[str, dict[str, float]] = {}
    unknown_query = unknown_doc = duplicates = 0
    first = True
    for number, line in _lines(path):
        where = f"{path}:{number}"
        fields = [f.strip() for f in line.split("\t")]
        if first and tuple(f.lower() for f in fields) == QRELS_HEADER:
            first = False
            continue
        first = False
        if len(fields) != 3:
            raise DatasetError(
                f"{where}: expected 3 tab-separated columns (query-id, corpus-id, score), "
                f"got {len(fields)}"
            )
        query_id, doc_id, score_text = fields
        score = _score(score_text, where)
        if query_id not in queries:
            unknown_query += 1
            continue
        if doc_id not in corpus:
            unknown_doc += 1
            continue
        judged = qrels.setdefault(query_id, {})
        if doc_id in judged:
            duplicates += 1
            score = max(score, judged[doc_id])
        judged[doc_id] = score
    warnings = []
    if unknown_query:
        warnings.append(f"{path}: dropped {unknown_query} rows with an unknown query id")
    if unknown_doc:
        warnings.append(f"{path}: dropped {unknown_doc} rows with an unknown corpus id")
    if duplicates:
        warnings.append(f"{path}: {duplicates} repeated query–document rows (kept the highest)")
    return qrels, warnings

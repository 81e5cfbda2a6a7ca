"""Reading and writing runs (TREC format) and qrels (BEIR ``qrels/*.tsv``).

Ranking convention, used everywhere in ``evaluation/``: a query's documents are ranked by
score descending, and equal scores are broken by document id ascending (see `ranked`).
The rank column of a run file is informational only; order always comes from the scores,
as in trec_eval. The runs we write have no ties, so the tie rule only matters for runs
produced elsewhere.
"""

from __future__ import annotations

from pathlib import Path

Run = dict[str, dict[str, float]]
"""Query id -> document id -> retrieval score (higher is better)."""

Qrels = dict[str, dict[str, float]]
"""Query id -> document id -> graded relevance (may be fractional; <= 0 means not relevant)."""

_RUN_FIELDS = 6


def ranked(docs: dict[str, float]) -> list[str]:
    """Return document ids by score descending, ties broken by document id ascending.

    Args:
        docs: Document id -> score for one query.

    Returns:
        The document ids, best first.
    """
    return sorted(docs, key=lambda doc_id: (-docs[doc_id], doc_id))


def write_run(run: Run, path: Path, tag: str, depth: int = 100) -> None:
    """Write ``run`` as a TREC run file: ``qid Q0 docid rank score tag`` per line.

    Queries are written in sorted order, each with at most ``depth`` documents in `ranked`
    order, ranks starting at 1. Scores are written with ``repr`` precision so that reading
    the file back gives exactly the same scores, hence the same order.

    Args:
        run: Query id -> document id -> score.
        path: File to create or overwrite.
        tag: Run name for the last column; must be non-empty without whitespace.
        depth: Maximum number of documents written per query (positive).

    Raises:
        ValueError: If ``depth`` is not positive, or a query id, document id or the tag is
            empty or contains whitespace.
    """
    if depth < 1:
        raise ValueError(f"depth must be positive, got {depth}")
    _check_token(tag, "tag")
    lines: list[str] = []
    for qid in sorted(run):
        _check_token(qid, "query id")
        docs = run[qid]
        for doc_id in docs:
            _check_token(doc_id, f"document id (query {qid!r})")
        for rank, doc_id in enumerate(ranked(docs)[:depth], start=1):
            lines.append(f"{qid} Q0 {doc_id} {rank} {float(docs[doc_id])!r} {tag}\n")
    with path.open("w", encoding="utf-8") as handle:
        handle.writelines(lines)


def read_run(path: Path) -> Run:
    """Read a TREC run file (fields separated by any whitespace; blank lines ignored).

    Args:
        path: File in ``qid Q0 docid rank score tag`` format.

    Returns:
        Query id -> document id -> score.

    Raises:
        ValueError: On a malformed line (wrong field count, non-numeric rank or score) or a
            document listed twice for the same query; the message gives the line number.
    """
    run: Run = {}
    with path.open(encoding="utf-8") as handle:
        for line_no, line in enumerate(handle, start=1):
            fields = line.split()
            if not fields:
                continue
            if len(fields) != _RUN_FIELDS:
                raise ValueError(
                    f"{path}:{line_no}: expected 6 fields 'qid Q0 docid rank score tag', "
                    f"got {len(fields)}: {line.rstrip()!r}"
                )
            qid, _, doc_id, rank, score, _ = fields
            try:
                int(rank)
                value = float(score)
            except ValueError:
                raise ValueError(
                    f"{path}:{line_no}: rank must be an integer and score a number: "
                    f"{line.rstrip()!r}"
                ) from None
            docs = run.setdefault(qid, {})
            if doc_id in docs:
                raise ValueError(
                    f"{path}:{line_no}: document {doc_id!r} appears twice for query {qid!r}"
                )
            docs[doc_id] = value
    return run


def read_qrels(path: Path) -> Qrels:
    """Read BEIR qrels: tab-separated ``query-id corpus-id score``, header optional.

    The first non-blank line is taken as a header when its score column is not a number. A repeated
    (query, document) pair keeps the last value, as BEIR's own loader does. Pairs judged
    non-relevant (score <= 0) are kept; metrics treat them as not relevant.

    Args:
        path: The ``qrels/<split>.tsv`` file.

    Returns:
        Query id -> document id -> relevance (int or fractional, stored as float).

    Raises:
        ValueError: On a malformed line; the message gives the line number.
    """
    qrels: Qrels = {}
    first = True
    with path.open(encoding="utf-8") as handle:
        for line_no, line in enumerate(handle, start=1):
            stripped = line.rstrip("\r\n")
            if not stripped.strip():
                continue
            may_be_header, first = first, False
            fields = stripped.split("\t")
            if len(fields) != 3 or not fields[0] or not fields[1]:
                raise ValueError(
                    f"{path}:{line_no}: expected 3 tab-separated fields "
                    f"'query-id corpus-id score', got {stripped!r}"
                )
            qid, doc_id, score = fields
            try:
                value = float(score)
            except ValueError:
                if may_be_header:
                    continue  # header, e.g. "query-id\tcorpus-id\tscore"
                raise ValueError(f"{path}:{line_no}: score {score!r} is not a number") from None
            qrels.setdefault(qid, {})[doc_id] = value
    return qrels


def _check_token(value: str, what: str) -> None:
    """Raise ValueError unless ``value`` is a non-empty string without whitespace."""
    if not value or any(char.isspace() for char in value):
        raise ValueError(f"{what} {value!r} must be non-empty and contain no whitespace")

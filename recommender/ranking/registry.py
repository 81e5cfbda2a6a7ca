"""The signal registry: every signal declared once, with its function, weight and meaning.

``SIGNALS`` (the column order of every signal matrix), ``DEFAULT_WEIGHTS`` (the ranker's
hand-set weights), ``compute_signals`` and the components of a ``Suggestion`` all derive
from ``REGISTRY``; a new signal is one more ``Signal`` in it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from recommender.domain.profiles import Mentee, Mentor
from recommender.ranking import batch as columnar
from recommender.ranking.batch import Batch, Column, Parts
from recommender.ranking.signals import (
    NEUTRAL,
    SignalContext,
    SignalValue,
    accessibility,
    credibility,
    feedback,
    similarity,
    stage_fit,
)


@dataclass(frozen=True)
class SignalPair:
    """What a signal is computed from: one mentee–mentor pair and the request's context.

    Attributes:
        item_sims: float32 ``(n_query_items, n_mentor_items)`` cosines, or None.
        lexical: the pair's word-overlap match in [0, 1], or None (not computed).
    """

    mentee: Mentee
    mentor: Mentor
    item_sims: np.ndarray | None
    ctx: SignalContext
    lexical: float | None = None


@dataclass(frozen=True)
class Signal:
    """One signal's declaration.

    Attributes:
        name: the key in signal dicts and the column name in signal matrices.
        compute: the signal's value (and parts) for one pair.
        weight: its default weight in the ranker (before normalisation).
        description: one line saying what it measures.
        columnar: the same signal for every candidate of a ``Batch`` at once (float64,
            NaN where absent) with its parts as columns; None: computed pair by pair.
    """

    name: str
    compute: Callable[[SignalPair], SignalValue]
    weight: float
    description: str
    columnar: Callable[[Batch], Column] | None = None


@dataclass(frozen=True)
class BatchSignals:
    """Every signal of a registry for every candidate of a batch, with its parts.

    Attributes:
        names: the signals, in column order.
        X: float64 ``(n, len(names))`` values as ranked (absent ones neutral).
        raw: float64 ``(n, len(names))`` values, NaN where absent.
        columns: each columnar signal's parts as columns.
        pairs: each other signal's value per candidate, as computed pair by pair.
    """

    names: tuple[str, ...]
    X: np.ndarray
    raw: np.ndarray
    columns: Mapping[str, Parts]
    pairs: Mapping[str, list[SignalValue]]

    def at(self, rows: Sequence[int]) -> list[dict[str, SignalValue]]:
        """The signals of candidates ``rows`` as ``SignalRegistry.compute`` gives them for
        their pairs (absent value: None; absent part: left out), read from the columns
        (each column's values for all ``rows`` taken at once)."""
        index = np.asarray(rows, dtype=np.intp)
        raw = self.raw[index].tolist()
        parts = {
            name: [(part, column[index].astype(np.float64).tolist()) for part, column in columns]
            for name, columns in self.columns.items()
        }
        out = []
        for r, i in enumerate(rows):
            signals: dict[str, SignalValue] = {}
            values = raw[r]
            for j, name in enumerate(self.names):
                kept = self.pairs.get(name)
                if kept is not None:
                    signals[name] = kept[i]
                    continue
                found = {part: v for part, column in parts[name] if (v := column[r]) == v}
                value = values[j]
                signals[name] = SignalValue(None if value != value else value, found)  # NaN: absent
            out.append(signals)
        return out


@dataclass(frozen=True)
class SignalRegistry:
    """An ordered set of signals; the order is the column order of signal matrices."""

    signals: tuple[Signal, ...]

    def __post_init__(self) -> None:
        names = [s.name for s in self.signals]
        if len(set(names)) != len(names):
            raise ValueError(f"signals declared more than once: {sorted(names)}")
        if any(s.weight < 0 for s in self.signals):
            raise ValueError("signal weights must be non-negative")

    def __iter__(self) -> Iterator[Signal]:
        return iter(self.signals)

    def __len__(self) -> int:
        return len(self.signals)

    @property
    def names(self) -> tuple[str, ...]:
        """Signal names in column order."""
        return tuple(s.name for s in self.signals)

    @property
    def default_weights(self) -> dict[str, float]:
        """Signal name → default weight, in column order."""
        return {s.name: s.weight for s in self.signals}

    def with_signal(self, signal: Signal) -> SignalRegistry:
        """A registry with ``signal`` appended as the last column."""
        return SignalRegistry((*self.signals, signal))

    def compute(self, pair: SignalPair) -> dict[str, SignalValue]:
        """Every signal for one pair, keyed by name in column order."""
        return {s.name: s.compute(pair) for s in self.signals}

    def batch_signals(self, batch: Batch, pair: Callable[[int], SignalPair]) -> BatchSignals:
        """Every signal for every candidate of ``batch``, with its parts. Signals without
        a columnar form are computed per pair (``pair(i)`` gives candidate ``i``'s pair)."""
        raw = np.full((len(batch), len(self.signals)), np.nan, dtype=np.float64)
        columns: dict[str, Parts] = {}
        pairs: dict[str, list[SignalValue]] = {}
        for j, signal in enumerate(self.signals):
            if signal.columnar is not None:
                raw[:, j], columns[signal.name] = signal.columnar(batch)
            else:
                found = pairs[signal.name] = [signal.compute(pair(i)) for i in range(len(batch))]
                raw[:, j] = [np.nan if v.value is None else v.value for v in found]
        X = np.where(np.isnan(raw), NEUTRAL, raw)
        return BatchSignals(self.names, X, raw, columns, pairs)

    def matrix(self, rows: Sequence[Mapping[str, float | None]]) -> np.ndarray:
        """Rows of signal values → float64 ``(n, len(self))``, absent values as neutral."""
        out = np.full((len(rows), len(self.signals)), NEUTRAL, dtype=np.float64)
        for i, row in enumerate(rows):
            for j, name in enumerate(self.names):
                value = row.get(name)
                if value is not None:
                    out[i, j] = value
        return out


SIMILARITY = Signal(
    "similarity",
    lambda p: similarity(p.item_sims, p.ctx, p.lexical),
    0.40,
    "How closely the mentor's texts match the mentee's interests and goals.",
    columnar.similarity,
)
ACCESSIBILITY = Signal(
    "accessibility",
    lambda p: accessibility(p.mentee, p.mentor, p.ctx),
    0.20,
    "How reachable the mentor is: free places, hours, meeting mode, timezone, replies.",
    columnar.accessibility,
)
CREDIBILITY = Signal(
    "credibility",
    lambda p: credibility(p.mentee, p.mentor),
    0.20,
    "Expertise in the mentee's target specialty and standing in the field.",
    columnar.credibility,
)
FEEDBACK = Signal(
    "feedback",
    lambda p: feedback(p.mentor, p.ctx),
    0.10,
    "Past mentees' ratings, recency-weighted and shrunk toward the program mean.",
    columnar.feedback,
)
STAGE_FIT = Signal(
    "stage_fit",
    lambda p: stage_fit(p.mentee, p.mentor),
    0.10,
    "Whether the mentor suits the mentee's career stage and what they seek.",
    columnar.stage_fit,
)

REGISTRY = SignalRegistry((SIMILARITY, ACCESSIBILITY, CREDIBILITY, FEEDBACK, STAGE_FIT))
"""The signals the engine computes, in column order."""

SIGNALS: tuple[str, ...] = REGISTRY.names
DEFAULT_WEIGHTS: dict[str, float] = REGISTRY.default_weights


def compute_signals(
    mentee: Mentee,
    mentor: Mentor,
    item_sims: np.ndarray | None,
    ctx: SignalContext,
    registry: SignalRegistry = REGISTRY,
) -> dict[str, SignalValue]:
    """Every signal of ``registry`` for one pair, keyed by name."""
    return registry.compute(SignalPair(mentee, mentor, item_sims, ctx))


def signal_matrix(
    rows: Sequence[Mapping[str, float | None]], registry: SignalRegistry = REGISTRY
) -> np.ndarray:
    """Rows of signal values → float64 ``(n, len(registry))``, absent values as neutral."""
    return registry.matrix(rows)


INTERACTIONS: tuple[tuple[str, str], ...] = (
    ("similarity", "credibility.specialty"),
    ("similarity.cosine", "similarity.lexical"),
    ("similarity", "accessibility.capacity"),
    ("credibility.specialty", "accessibility.recency"),
)
"""Products of signals and parts (``signal`` or ``signal.part``) a learned ranker reads
beside them (``recommender.ranking.features``): a linear learner cannot form them itself."""

"""The signals for many candidates at once, from the mentor columns.

Each function here computes one signal of ``recommender.ranking.signals`` for every
candidate row of a ``Batch`` as a float64 array (NaN where the signal is absent for a
pair), with its parts as columns too, with the same formulas and the same order of
arithmetic as the per-pair functions, so both agree to rounding (a property test holds
values and parts within 1e-6). The explanations of the candidates shown read their parts
from these columns (``BatchSignals.signals``), so no signal is computed twice.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property, lru_cache

import numpy as np

from recommender.domain.profiles import CAREER_LEVEL, STAGE_LEVEL, Mentee
from recommender.domain.specialties import specialty_match
from recommender.ranking.columns import MODE_BIT, OFFER_BIT, MentorColumns, bits
from recommender.ranking.signals import (
    ACCESS_WEIGHTS,
    ACTIVE_MENTEES,
    COSINE_CEIL,
    COSINE_FLOOR,
    CRED_WEIGHTS,
    EXPERIENCED,
    FIT_WEIGHTS,
    FeedbackStats,
    SignalContext,
    _utc_offset_hours,
    mentee_targets,
    stage_needs,
)

Parts = list[tuple[str, np.ndarray]]
"""A signal's parts in declaration order: name → float64 values, NaN where absent."""

Column = tuple[np.ndarray, Parts]
"""A signal for every candidate: float64 values (NaN where absent) and the parts."""


@dataclass(frozen=True)
class FeedbackColumns:
    """Released ratings per slot, as the feedback signal reads them (see ``FeedbackStats``)."""

    raters: np.ndarray
    weighted_sum: np.ndarray
    weight: np.ndarray
    program_mean: float | None
    mean_overall: np.ndarray
    """Mean overall rating per slot (for the explanations)."""
    recommend_share: np.ndarray
    """Share who would recommend the mentor, NaN where no one said."""

    @classmethod
    def of(
        cls, stats: FeedbackStats, slot: Callable[[str], int | None], size: int
    ) -> FeedbackColumns:
        """``stats`` laid out by slot (mentors not indexed are left out)."""
        raters = np.zeros(size, dtype=np.int64)
        weighted_sum = np.zeros(size)
        weight = np.zeros(size)
        mean_overall = np.zeros(size)
        recommend_share = np.full(size, np.nan)
        for mentor_id, agg in stats.per_mentor.items():
            row = slot(mentor_id)
            if row is not None and row < size:
                raters[row] = agg.raters
                weighted_sum[row] = agg.weighted_sum
                weight[row] = agg.weight
                mean_overall[row] = agg.mean_overall
                if agg.recommend_share is not None:
                    recommend_share[row] = agg.recommend_share
        return cls(raters, weighted_sum, weight, stats.program_mean, mean_overall, recommend_share)


@dataclass
class Batch:
    """One mentee against candidate rows: what the vectorised signals read.

    Attributes:
        rows: int64 slots of the candidates.
        best: float32 ``(n_query_items, len(rows))``: each query item's match with the
            candidate, its cosines with the candidate's items pooled (NaN for a candidate
            without items); None: no text match.
        lexical: float64 per candidate, its word-overlap match in [0, 1] (``LexicalIndex``);
            None: not computed (the text match is the embedding match alone).
        released: int64 per candidate, places counted free again for this request.
    """

    mentee: Mentee
    rows: np.ndarray
    columns: MentorColumns
    ctx: SignalContext
    feedback: FeedbackColumns
    best: np.ndarray | None = None
    released: np.ndarray | None = None
    lexical: np.ndarray | None = None
    _cache: dict[str, np.ndarray] = field(default_factory=dict, repr=False)

    def __len__(self) -> int:
        return len(self.rows)

    def col(self, name: str) -> np.ndarray:
        """Column ``name`` at the candidate rows."""
        found = self._cache.get(name)
        if found is None:
            found = self._cache[name] = getattr(self.columns, name)[self.rows]
        return found

    @cached_property
    def free_places(self) -> np.ndarray:
        """Free places per candidate, counting this request's released places free."""
        return self.columns.free_places(self.rows, self.released)

    @cached_property
    def specialty(self) -> np.ndarray:
        """Specialty match with the mentee's targets (NaN for an undecided mentee)."""
        targets = mentee_targets(self.mentee)
        if not targets:
            return np.full(len(self), np.nan)
        ids = self.columns.specialties[self.rows]
        used = np.unique(ids[ids >= 0])
        table = np.full(len(self.columns.specialty_names.names) + 1, -np.inf)
        names = self.columns.specialty_names.names
        key = frozenset(targets)
        table[used] = [_specialty_score(key, names[i]) for i in used.tolist()]
        out: np.ndarray = table[ids].max(axis=1)  # -1 padding reads the -inf sentinel
        return out


@lru_cache(maxsize=16_384)
def _specialty_score(targets: frozenset[str], name: str) -> float:
    """``specialty_match`` of a mentor of the one specialty ``name`` (the taxonomy is
    fixed, so a pair's answer never changes)."""
    return specialty_match(set(targets), {name})


def weighted_mean(parts: Parts, weights: Mapping[str, float]) -> np.ndarray:
    """Per row, ``Σ wₖ·pₖ / Σ wₖ`` over the parts present (NaN where none is), the sums
    taken part by part in declaration order (as the per-pair function adds them)."""
    values = np.stack([v for _, v in parts])
    w = np.array([weights[name] for name, _ in parts])[:, None]
    present = ~np.isnan(values)
    total = np.where(present, w, 0.0)
    top = np.where(present, values * w, 0.0)
    for k in range(1, len(parts)):  # row by row in order: the same rounding as one pair's
        total[0] += total[k]
        top[0] += top[k]
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total[0] > 0, top[0] / np.where(total[0] > 0, total[0], 1.0), np.nan)


def text_match(raw: np.ndarray, lexical: np.ndarray | None, lexical_weight: float) -> np.ndarray:
    """The similarity signal from its parts: the pooled cosine ``raw`` rescaled to [0, 1],
    mixed with the lexical match (when computed) by ``lexical_weight``."""
    value = np.clip((raw - COSINE_FLOOR) / (COSINE_CEIL - COSINE_FLOOR), 0.0, 1.0)
    if lexical is None:
        return value
    return (1 - lexical_weight) * value + lexical_weight * lexical


def similarity(b: Batch) -> Column:
    """Text match: ``0.7·mean + 0.3·max`` of each query item's pooled match, rescaled, mixed
    with the lexical match by ``lexical_weight`` (see ``signals.similarity``)."""
    if b.best is None or not len(b.best):
        return np.full(len(b), np.nan), []
    has = ~np.isnan(b.best).any(axis=0)
    best = np.where(has, b.best, 0).astype(np.float32)
    raw = 0.7 * best.mean(axis=0).astype(np.float64) + 0.3 * best.max(axis=0).astype(np.float64)
    value = text_match(raw, b.lexical, b.ctx.lexical_weight)
    parts = [("cosine", np.where(has, raw, np.nan))]
    if b.lexical is not None:
        parts.append(("lexical", np.where(has, b.lexical, np.nan)))
    return np.where(has, value, np.nan), parts


def _timezone(b: Batch) -> np.ndarray:
    tz = b.col("tz")
    out = np.full(len(b), np.nan)
    if not b.mentee.timezone:
        return out
    own = _utc_offset_hours(b.mentee.timezone, b.ctx.as_of)
    names = b.columns.timezones.names
    used = np.unique(tz[tz >= 0])
    offsets = np.zeros(max(len(names), 1))
    offsets[used] = [_utc_offset_hours(names[i], b.ctx.as_of) for i in used.tolist()]
    gap = np.abs(own - offsets[np.maximum(tz, 0)])
    return np.where(tz >= 0, 1.0 - np.minimum(gap, 8.0) / 8.0, np.nan)


def _activity(b: Batch) -> tuple[np.ndarray, np.ndarray]:
    """Last activity (ordinal, -1: none) and recent activity (NaN: unknown) per candidate,
    as ``recommender.ranking.signals._activity`` reads them."""
    logged = b.col("act_len") > 0
    last, recent = b.col("last_active"), b.col("recent")
    if not logged.any():
        return last, recent
    day = b.ctx.as_of.toordinal()
    end = b.columns.activity_before(b.rows, day)
    start = b.columns.activity_before(b.rows, day - b.ctx.activity_window_days)
    last_logged = b.columns.last_activity_date(b.rows, end)
    per_year = (end - start) * 365.0 / b.ctx.activity_window_days
    last = np.where(logged & (end > 0), last_logged, last)
    recent = np.where(logged, np.where(end > 0, per_year, 0.0), recent)
    return last, recent


def accessibility(b: Batch) -> Column:
    """How reachable each candidate is (free places, hours, mode, timezone, replies,
    recency and volume of mentoring activity)."""
    capacity = b.col("capacity")
    free = np.maximum(0, b.free_places)
    with np.errstate(invalid="ignore", divide="ignore"):
        places = 0.5 * np.minimum(free, 3) / 3 + 0.5 * free / np.maximum(capacity, 1)
    parts: Parts = [("capacity", np.where(capacity > 0, places, np.nan))]
    parts.append(("hours", np.minimum(1.0, b.col("hours") / 8.0)))
    if b.mentee.meeting_modes:
        wanted = np.uint16(bits(b.mentee.meeting_modes, MODE_BIT))
        parts.append(("meeting_mode", ((b.col("modes") & wanted) != 0).astype(np.float64)))
    parts.append(("timezone", _timezone(b)))
    parts.append(("response", 1.0 / (1.0 + b.col("response") / 24.0)))
    last, recent = _activity(b)
    age = np.maximum(0, b.ctx.as_of.toordinal() - last)
    recency = 0.5 ** (age / b.ctx.activity_half_life_days)
    parts.append(("recency", np.where(last >= 0, recency, np.nan)))
    saturation = np.log1p(ACTIVE_MENTEES)
    with np.errstate(invalid="ignore"):
        parts.append(("activity", np.minimum(1.0, np.log1p(recent) / saturation)))
    return weighted_mean(parts, ACCESS_WEIGHTS), parts


def credibility(b: Batch) -> Column:
    """Expertise in the mentee's field and standing (specialty, experience, academic
    record, seniority, mentoring experience)."""
    academic = (
        np.minimum(1.0, np.log1p(b.col("publications")) / np.log1p(100))
        + np.minimum(1.0, b.col("teaching") / 2.0)
        + b.col("training")
    ) / 3.0
    with np.errstate(invalid="ignore"):
        mentoring = np.minimum(1.0, np.log1p(b.col("past")) / np.log1p(EXPERIENCED))
    parts: Parts = [
        ("specialty", b.specialty),
        ("experience", np.minimum(1.0, b.col("years") / 20.0)),
        ("academic", academic),
        ("seniority", b.col("career") / max(CAREER_LEVEL.values())),
        ("mentoring", mentoring),
    ]
    return weighted_mean(parts, CRED_WEIGHTS), parts


def feedback(b: Batch) -> Column:
    """Bayesian average rating mapped to [0, 1]; the program mean where too few rated."""
    prior = b.feedback.program_mean
    if prior is None:
        return np.full(len(b), np.nan), []
    fb, ctx = b.feedback, b.ctx
    raters = fb.raters[b.rows]
    shrunk = (ctx.prior_strength * prior + fb.weighted_sum[b.rows]) / (
        ctx.prior_strength + fb.weight[b.rows]
    )
    released = (raters > 0) & (raters >= ctx.min_raters)
    bayes_mean = np.where(released, shrunk, prior)
    parts: Parts = [
        ("bayes_mean", bayes_mean),
        ("withheld", np.where(released, np.nan, 1.0)),
        ("raters", np.where(released, raters, np.nan)),
        ("mean_overall", np.where(released, fb.mean_overall[b.rows], np.nan)),
        ("recommend_share", np.where(released, fb.recommend_share[b.rows], np.nan)),
    ]
    return (bayes_mean - 1.0) / 4.0, parts


def stage_fit(b: Batch) -> Column:
    """Lead in training over the mentee, offers against needs, and (decided trainees from
    MS3 on) the specialty match again."""
    level = STAGE_LEVEL[b.mentee.stage]
    lead = np.minimum(1.0, np.maximum(0.0, (b.col("career") - level) / 8.0))
    needs = stage_needs(b.mentee)
    offers = b.col("offers")
    shared = np.bitwise_count(offers & np.uint16(bits(needs, OFFER_BIT))).astype(np.float64)
    parts: Parts = [("lead", lead), ("needs", np.where(offers != 0, shared / len(needs), np.nan))]
    if mentee_targets(b.mentee) and level >= 3:
        parts.append(("specialty_focus", b.specialty))
    return weighted_mean(parts, FIT_WEIGHTS), parts

"""The signals: one number in [0, 1] per mentee–mentor pair, each explainable.

============  ==========================================================================
signal        meaning
============  ==========================================================================
similarity    text match: for each mentee item (interest, goal) its cosines with the
              mentor's items pooled (``domain.pooling``: many good matches beat one),
              averaged (70%) and the single best (30%), mapped linearly from [0.10, 0.70]
              to [0, 1] so scores compare across mentees; mixed with the share of the
              mentee's words (BM25-weighted) the mentor's items hold, by ``lexical_weight``.
accessibility weighted mean of: free places, hours offered per month (8+ h = 1), meeting-mode
              and timezone overlap, measured reply time (24 h = 0.5), recency of
              mentoring activity (halves every ``activity_half_life_days``) and its volume
              (mentees in the last 12 months, log scale, 50 = 1).
credibility   weighted mean of: specialty match with the mentee's targets (exact 1,
              parent/child 0.6, sibling 0.3; left out for undecided mentees), years in
              practice (20+ = 1), academic record (publications, teaching, mentor training),
              seniority, and mentoring experience (past mentees, log scale, 100 = 1).
feedback      Bayesian average of past mentees' ratings, recency-weighted, shrunk toward the
              program mean by ``feedback_prior_strength`` pseudo-ratings, mapped 1..5 → 0..1.
stage_fit     the mentor's lead over the mentee in training (8+ years = 1), what the mentor
              offers against what the mentee seeks (or what their stage usually needs), and
              for decided trainees from MS3 on, the specialty match again (they want a
              mentor who built a career in their field).
============  ==========================================================================

A signal whose fields are absent for a pair is ``None`` and treated as neutral (0.5) by the
ranker, so a text-only data set is ranked by text alone. The functions here compute one
signal each; ``recommender.ranking.registry`` declares which signals exist, in which order
and with which default weight.
"""

from __future__ import annotations

import bisect
import math
import zoneinfo
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache

import numpy as np

from recommender.domain.pooling import DEFAULT_TEMPERATURE, pool
from recommender.domain.profiles import CAREER_LEVEL, STAGE_LEVEL, Feedback, Mentee, Mentor
from recommender.domain.specialties import canonical, specialty_match
from recommender.settings import Settings

NEUTRAL = 0.5
COSINE_FLOOR, COSINE_CEIL = 0.10, 0.70

STAGE_NEEDS: dict[str, frozenset[str]] = {
    "early": frozenset({"career_advice", "shadowing"}),
    "clinical": frozenset({"career_advice", "residency_applications", "clinical_skills"}),
    "trainee": frozenset({"research_collaboration", "career_advice", "leadership"}),
}


@dataclass(frozen=True)
class SignalValue:
    """A signal's value for one pair and the parts it was made of (for explanations)."""

    value: float | None
    parts: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class MentorFeedback:
    """Aggregated ratings of one mentor."""

    raters: int
    mean_overall: float
    weighted_sum: float
    weight: float
    recommend_share: float | None


@dataclass(frozen=True)
class FeedbackStats:
    """Ratings aggregated per mentor, and the program mean they are shrunk toward."""

    per_mentor: dict[str, MentorFeedback]
    program_mean: float | None

    @classmethod
    def from_feedback(
        cls,
        feedback: Iterable[Feedback],
        as_of: date,
        half_life_days: float,
        min_raters: int = 1,
    ) -> FeedbackStats:
        """Aggregate ratings given on or before ``as_of`` (later ones are ignored).

        Each mentee counts once per mentor: their latest rating (see ``released_ratings``),
        so one mentee rating forty times weighs as much as one rating once. Ratings are
        released in batches of ``min_raters`` distinct mentees, so no single new rating ever
        changes what is shown or used. The program mean counts only released ratings.
        """
        groups: dict[str, list[Feedback]] = defaultdict(list)
        for fb in feedback:
            if fb.date <= as_of:
                groups[fb.mentor_id].append(fb)
        per_mentor: dict[str, MentorFeedback] = {}
        total, count = 0.0, 0
        for mentor_id, given in groups.items():
            rows = released_ratings(given, min_raters)
            if not rows:
                continue
            weights = [0.5 ** ((as_of - fb.date).days / half_life_days) for fb in rows]
            means = [fb.mean_rating() for fb in rows]
            recs = [fb.would_recommend for fb in rows if fb.would_recommend is not None]
            per_mentor[mentor_id] = MentorFeedback(
                raters=len(rows),
                mean_overall=sum(fb.overall for fb in rows) / len(rows),
                weighted_sum=sum(w * m for w, m in zip(weights, means, strict=True)),
                weight=sum(weights),
                recommend_share=(sum(recs) / len(recs)) if recs else None,
            )
            total += sum(means)
            count += len(means)
        return cls(per_mentor, (total / count) if count else None)


def released_ratings(ratings: Iterable[Feedback], batch: int) -> list[Feedback]:
    """One mentor's ratings as far as they may be shown or used: one per mentee.

    Ratings are taken in date order (then id). A mentee's newer rating replaces their older
    one, but changes are released only in batches: a batch closes once ``batch`` distinct
    mentees have rated (or re-rated) since the previous one closed, and only then does
    what is shown move. So the difference between two views always mixes at least
    ``batch`` mentees' ratings and no one rating can be read off it; below ``batch``
    distinct raters nothing is released at all.
    """
    batch = max(1, batch)
    released: dict[str, Feedback] = {}
    pending: dict[str, Feedback] = {}
    for fb in sorted(ratings, key=lambda f: (f.date, f.key)):
        pending[fb.mentee_id] = fb
        if len(pending) >= batch:
            released.update(pending)
            pending = {}
    return sorted(released.values(), key=lambda f: f.mentee_id)


@dataclass(frozen=True)
class SignalContext:
    """What signals need besides the pair: the date, feedback, and tunables."""

    as_of: date
    feedback: FeedbackStats
    prior_strength: float = 5.0
    activity_half_life_days: float = 180.0
    activity_window_days: int = 90
    min_raters: int = 3
    pooling: float = DEFAULT_TEMPERATURE
    lexical_weight: float = 0.0

    @classmethod
    def from_settings(
        cls, as_of: date, feedback: FeedbackStats, settings: Settings
    ) -> SignalContext:
        """The context at ``as_of`` with the tunables of ``settings``."""
        return cls(
            as_of=as_of,
            feedback=feedback,
            prior_strength=settings.feedback_prior_strength,
            activity_half_life_days=settings.activity_half_life_days,
            activity_window_days=settings.activity_window_days,
            min_raters=settings.feedback_min_raters,
            pooling=settings.match_pooling,
            lexical_weight=settings.lexical_weight,
        )


class ContextCache:
    """Signal contexts for one reader, ratings aggregated once per data version and date.

    Args:
        settings: the tunables (feedback half-life, prior strength, minimum raters, ...).
    """

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._cached: tuple[object, date, FeedbackStats] | None = None

    def at(self, version: object, feedback: Iterable[Feedback], as_of: date) -> SignalContext:
        """The context at ``as_of`` over ``feedback``, which is read only when ``version``
        (compared by identity) or the date differs from the previous call's."""
        cached = self._cached
        if cached is None or cached[0] is not version or cached[1] != as_of:
            stats = FeedbackStats.from_feedback(
                feedback,
                as_of,
                self.settings.feedback_half_life_days,
                self.settings.feedback_min_raters,
            )
            cached = self._cached = (version, as_of, stats)
        return SignalContext.from_settings(as_of, cached[2], self.settings)


def _mean(parts: Mapping[str, float], weights: Mapping[str, float]) -> float | None:
    total = sum(weights[k] for k in parts)
    if not total:
        return None
    return sum(parts[k] * weights[k] for k in parts) / total


def similarity(
    item_sims: np.ndarray | None, ctx: SignalContext, lexical: float | None = None
) -> SignalValue:
    """Text similarity from a ``(n_query_items, n_mentor_items)`` cosine matrix and the
    lexical match (``LexicalIndex.scores``), mixed by ``ctx.lexical_weight``."""
    if item_sims is None or item_sims.size == 0:
        return SignalValue(None)
    per_query = pool(item_sims, ctx.pooling, axis=1)
    raw = 0.7 * float(per_query.mean()) + 0.3 * float(per_query.max())
    dense = min(1.0, max(0.0, (raw - COSINE_FLOOR) / (COSINE_CEIL - COSINE_FLOOR)))
    if lexical is None:
        return SignalValue(dense, {"cosine": raw})
    w = ctx.lexical_weight
    return SignalValue((1 - w) * dense + w * lexical, {"cosine": raw, "lexical": lexical})


@lru_cache(maxsize=1024)
def _utc_offset_hours(tz: str, day: date) -> float:
    moment = datetime(day.year, day.month, day.day, 12, tzinfo=zoneinfo.ZoneInfo(tz))
    offset = moment.utcoffset() or timedelta(0)
    return offset.total_seconds() / 3600


ACCESS_WEIGHTS = {
    "capacity": 1.0,
    "hours": 1.0,
    "meeting_mode": 0.5,
    "timezone": 0.5,
    "response": 1.0,
    "recency": 1.5,
    "activity": 1.5,
}
ACTIVE_MENTEES = 50
"""Mentees in the last 12 months at which the activity part saturates (log scale)."""


def _activity(mentor: Mentor, ctx: SignalContext) -> tuple[date | None, float | None]:
    """Last activity date and recent activity, as of ``ctx.as_of``.

    From the logged contact dates when present (only those strictly before ``as_of`` count,
    over the last ``activity_window_days``, scaled to 12 months), else from the stored
    ``last_active`` and ``recent_mentees``.
    """
    dates = mentor.activity_dates
    if not dates:
        return mentor.last_active, mentor.recent_mentees
    end = bisect.bisect_left(dates, ctx.as_of)
    if end == 0:
        return mentor.last_active, 0.0
    start = bisect.bisect_left(dates, ctx.as_of - timedelta(days=ctx.activity_window_days))
    return dates[end - 1], (end - start) * 365.0 / ctx.activity_window_days


def accessibility(mentee: Mentee, mentor: Mentor, ctx: SignalContext) -> SignalValue:
    """How reachable the mentor is for this mentee (see module table)."""
    parts: dict[str, float] = {}
    if mentor.capacity > 0:
        free = max(0, mentor.free_places)
        parts["capacity"] = 0.5 * min(free, 3) / 3 + 0.5 * free / mentor.capacity
    parts["hours"] = min(1.0, mentor.hours_per_month / 8.0)
    if mentee.meeting_modes:
        parts["meeting_mode"] = float(bool(set(mentee.meeting_modes) & set(mentor.meeting_modes)))
    if mentee.timezone and mentor.timezone:
        gap = abs(
            _utc_offset_hours(mentee.timezone, ctx.as_of)
            - _utc_offset_hours(mentor.timezone, ctx.as_of)
        )
        parts["timezone"] = 1.0 - min(gap, 8.0) / 8.0
    if mentor.response_time_hours is not None:
        parts["response"] = 1.0 / (1.0 + mentor.response_time_hours / 24.0)
    last, recent = _activity(mentor, ctx)
    if last is not None:
        age = max(0, (ctx.as_of - last).days)
        parts["recency"] = 0.5 ** (age / ctx.activity_half_life_days)
    if recent is not None:
        parts["activity"] = min(1.0, math.log1p(recent) / math.log1p(ACTIVE_MENTEES))
    return SignalValue(_mean(parts, ACCESS_WEIGHTS), parts)


CRED_WEIGHTS = {
    "specialty": 2.0,
    "experience": 1.0,
    "academic": 1.0,
    "seniority": 0.5,
    "mentoring": 1.5,
}
EXPERIENCED = 100
"""Past mentees at which the mentoring-experience part saturates (log scale)."""


def mentor_specialties(mentor: Mentor) -> set[str]:
    """Canonical names of the mentor's specialty and subspecialties."""
    return {canonical(s) for s in [mentor.specialty, *mentor.subspecialties]}


def mentee_targets(mentee: Mentee) -> set[str]:
    """Canonical names of the mentee's target specialties (empty when undecided)."""
    return {canonical(s) for s in mentee.target_specialties}


def credibility(mentee: Mentee, mentor: Mentor) -> SignalValue:
    """Expertise in the mentee's field and standing (see module table)."""
    parts: dict[str, float] = {}
    targets = mentee_targets(mentee)
    if targets:
        parts["specialty"] = specialty_match(targets, mentor_specialties(mentor))
    parts["experience"] = min(1.0, mentor.years_in_practice / 20.0)
    parts["academic"] = (
        min(1.0, math.log1p(mentor.publication_count) / math.log1p(100))
        + min(1.0, len(mentor.teaching_roles) / 2.0)
        + float(mentor.mentor_training)
    ) / 3.0
    parts["seniority"] = CAREER_LEVEL[mentor.career_stage] / max(CAREER_LEVEL.values())
    if mentor.past_mentees is not None:
        parts["mentoring"] = min(1.0, math.log1p(mentor.past_mentees) / math.log1p(EXPERIENCED))
    return SignalValue(_mean(parts, CRED_WEIGHTS), parts)


def feedback(mentor: Mentor, ctx: SignalContext) -> SignalValue:
    """Bayesian average rating: ``(C·μ + Σ wᵢrᵢ) / (C + Σ wᵢ)``, mapped to [0, 1].

    ``C`` is the prior strength, ``μ`` the program mean, ``wᵢ`` the recency weight of rating
    ``rᵢ``. A mentor with no ratings, or rated by fewer than ``ctx.min_raters`` distinct
    mentees, gets the program mean; with no feedback in the program at all, the signal is
    absent.
    """
    prior = ctx.feedback.program_mean
    if prior is None:
        return SignalValue(None)
    stats = ctx.feedback.per_mentor.get(mentor.id)
    if stats is None or stats.raters < ctx.min_raters:
        # Nothing released (fewer than K distinct raters, or none): ranked exactly as if
        # unrated, and unrated mentors look the same, so no one can tell one or two ratings
        # from none, nor infer what they said.
        return SignalValue((prior - 1.0) / 4.0, {"bayes_mean": prior, "withheld": 1.0})
    shrunk = (ctx.prior_strength * prior + stats.weighted_sum) / (ctx.prior_strength + stats.weight)
    parts = {
        "bayes_mean": shrunk,
        "raters": float(stats.raters),
        "mean_overall": stats.mean_overall,
    }
    if stats.recommend_share is not None:
        parts["recommend_share"] = stats.recommend_share
    return SignalValue((shrunk - 1.0) / 4.0, parts)


FIT_WEIGHTS = {"lead": 1.0, "needs": 1.0, "specialty_focus": 1.5}


def stage_needs(mentee: Mentee) -> frozenset[str]:
    """What the mentee seeks, or what their stage usually needs when they did not say."""
    if mentee.seeking:
        return frozenset(mentee.seeking)
    level = STAGE_LEVEL[mentee.stage]
    if level <= 2:
        return STAGE_NEEDS["early"]
    return STAGE_NEEDS["clinical"] if level <= 4 else STAGE_NEEDS["trainee"]


def stage_fit(mentee: Mentee, mentor: Mentor) -> SignalValue:
    """Whether the mentor suits the mentee's career stage (see module table)."""
    lead = CAREER_LEVEL[mentor.career_stage] - STAGE_LEVEL[mentee.stage]
    parts = {"lead": min(1.0, max(0.0, lead / 8.0))}
    needs = stage_needs(mentee)
    if mentor.offers:
        parts["needs"] = len(needs & set(mentor.offers)) / len(needs)
    targets = mentee_targets(mentee)
    if targets and STAGE_LEVEL[mentee.stage] >= 3:
        parts["specialty_focus"] = specialty_match(targets, mentor_specialties(mentor))
    return SignalValue(_mean(parts, FIT_WEIGHTS), parts)

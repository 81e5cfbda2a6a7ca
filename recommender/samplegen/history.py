"""Past mentees' ratings of mentors over about three years, driven by a latent mentor quality.

Some mentors are rated consistently higher than others, aspects are correlated with the overall
rating, many mentors have no rating, a few have exactly one (some of them a 5, the case a
Bayesian average must not over-reward), and some have many.
"""

from __future__ import annotations

import math
import random
from datetime import date, timedelta
from typing import Any

from recommender.domain.profiles import STAGE_LEVEL, Feedback
from recommender.samplegen.mentees import MenteeDraft
from recommender.samplegen.mentors import MentorDraft
from recommender.samplegen.topics import lines
from recommender.samplegen.vocabulary import feedback

ASPECTS = ("approachable", "trustworthy", "enthusiastic", "adapts_teaching", "accessible")
_STAGE_FACTOR = {
    "resident": 0.3,
    "fellow": 0.5,
    "early_career": 0.8,
    "mid_career": 1.2,
    "senior": 1.3,
    "emeritus": 1.0,
}
_WINDOW_DAYS = {"resident": 500, "fellow": 700}
_FORM_V2_DAYS = 730
"""Ratings older than this used the first form, which had no enthusiasm or teaching items."""
_RECOMMEND = {5: 0.97, 4: 0.88, 3: 0.45, 2: 0.12, 1: 0.03}
_PAST_MENTEES = 1400


def _clip(value: float) -> int:
    return max(1, min(5, round(value)))


def _counts(rng: random.Random, drafts: list[MentorDraft]) -> list[int]:
    counts = []
    for d in drafts:
        rated = rng.random() >= 0.28
        base = math.exp(rng.gauss(1.8, 0.9)) * _STAGE_FACTOR[str(d.data["career_stage"])]
        counts.append(int(base) if rated else 0)
    return counts


def _rating(
    rng: random.Random, draft: MentorDraft, offsets: dict[str, float], when: date, as_of: date
) -> dict[str, Any]:
    latent = 4.0 + draft.quality + rng.gauss(0, 0.5)
    row: dict[str, Any] = {"date": when, "overall": _clip(latent)}
    old_form = (as_of - when).days > _FORM_V2_DAYS
    for aspect in ASPECTS:
        skipped = rng.random() < 0.04 or (
            old_form and aspect in ("enthusiastic", "adapts_teaching")
        )
        value = latent + offsets[aspect] + rng.gauss(0, 0.5)
        row[aspect] = None if skipped else _clip(value)
    if rng.random() >= 0.07:
        row["would_recommend"] = rng.random() < _RECOMMEND[row["overall"]]
    if rng.random() >= 0.45:
        tone = {5: "GOOD", 4: "GOOD", 3: "MIXED"}.get(row["overall"], "POOR")
        row["comment"] = rng.choice(lines(getattr(feedback, f"COMMENTS_{tone}")))
    return row


def _offsets(rng: random.Random, draft: MentorDraft) -> dict[str, float]:
    """Per-mentor aspect profile: busy senior faculty are less accessible, near-peers more."""
    stage = str(draft.data["career_stage"])
    out = {aspect: rng.gauss(0, 0.3) for aspect in ASPECTS}
    if stage in ("senior", "emeritus"):
        out["accessible"] -= 0.3
    if stage in ("resident", "fellow"):
        out["accessible"] += 0.2
        out["approachable"] += 0.2
    return out


def feedback_history(
    rng: random.Random, drafts: list[MentorDraft], mentees: list[MenteeDraft], as_of: date
) -> list[Feedback]:
    """Ratings by ``past-NNNN`` mentees (mostly) and current mentees, ids in date order."""
    counts = _counts(rng, drafts)
    unrated = [i for i, c in enumerate(counts) if c == 0]
    singles = rng.sample(unrated, min(10, len(unrated)))
    for i in singles:
        counts[i] = 1
    perfect = singles[::2]
    raters = [m.record.id for m in mentees if STAGE_LEVEL[m.record.stage] >= 2]
    rows: list[dict[str, Any]] = []
    for i, (draft, count) in enumerate(zip(drafts, counts, strict=True)):
        offsets = _offsets(rng, draft)
        window = _WINDOW_DAYS.get(str(draft.data["career_stage"]), 3 * 365)
        for _ in range(count):
            when = as_of - timedelta(days=rng.randint(1, window))
            row = _rating(rng, draft, offsets, when, as_of)
            if i in perfect:
                row.update({a: 5 for a in ASPECTS if row[a] is not None})
                row.update(overall=5, would_recommend=True, comment=rng.choice(["", "Fantastic."]))
            current = rng.random() < 0.15
            mentee_id = (
                rng.choice(raters) if current else f"past-{rng.randint(1, _PAST_MENTEES):04d}"
            )
            rows.append({"mentee_id": mentee_id, "mentor_id": draft.id, **row})
    rows.sort(key=lambda r: (r["date"], r["mentor_id"], r["mentee_id"]))
    return [
        Feedback.model_validate({"id": f"fb-{n:05d}", **row}) for n, row in enumerate(rows, start=1)
    ]


def last_ratings(feedback: list[Feedback]) -> dict[str, date]:
    """Date of each mentor's most recent rating."""
    out: dict[str, date] = {}
    for f in feedback:
        out[f.mentor_id] = max(f.date, out.get(f.mentor_id, f.date))
    return out

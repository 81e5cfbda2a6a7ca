"""Property: the columnar signals and hard filters agree with the per-pair ones.

Random mentors are laid out in ``MentorColumns`` at scattered rows, with throwaway mentors
put and then cleared or overwritten, and stale versions of mentors overwritten by their
current one (the engine's incremental updates). Against a random mentee, random ratings, a
random request date, random tunables and random request filters:

* every signal of ``REGISTRY`` computed for all candidates at once (``Signal.columnar`` over
  a ``Batch``) equals the per-pair value (``Signal.compute``) within 1e-6, and is NaN exactly
  where the per-pair value is None;
* ``allowed`` is true exactly at the rows of the mentors ``excluded_reason`` lets through,
  and false at every row holding no mentor.

Places released by the request are applied as the engine applies them: per pair on a copy
of the mentor with ``placed_mentees`` lowered (never below 0), columnar as a per-candidate
``released`` array (and a row → places mapping for ``allowed``). Language names sometimes
outnumber the 63 own bits of ``MentorColumns.languages``, so the shared bit is exercised.

The engine always has at least one query item (a mentee needs an interest, goal or target),
so the scenarios do too; a batch without query items is checked on its own.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TypeVar, get_args

import numpy as np
from hypothesis import HealthCheck, event, given, note, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from recommender.domain.fields import CareerStage, MeetingMode, MenteeStage, Offer, Record
from recommender.domain.pooling import pool
from recommender.domain.profiles import Feedback, Mentee, Mentor
from recommender.ranking.batch import Batch, FeedbackColumns
from recommender.ranking.batch import similarity as columnar_similarity
from recommender.ranking.columns import MentorColumns
from recommender.ranking.filters import SuggestionFilters, allowed, excluded_reason
from recommender.ranking.registry import REGISTRY, SignalPair
from recommender.ranking.signals import FeedbackStats, SignalContext, similarity

T = TypeVar("T")
S = TypeVar("S")

TOLERANCE = 1e-6

SPECIALTY_NAMES: tuple[str, ...] = (
    "cardiology",
    "internal medicine",
    "Internal  Medicine",
    "nephrology",
    "interventional cardiology",
    "electrophysiology",
    "hospital medicine",
    "pediatrics",
    "pediatric cardiology",
    "cards",
    "IM",
    "peds",
    "Ob/Gyn",
    "obstetrics and gynecology",
    "zymurgy medicine",
)
"""Canonical names, aliases, odd spellings, parents, children, siblings and a made-up one."""

TIMEZONES: tuple[str | None, ...] = (
    None,
    "America/New_York",
    "Europe/London",
    "Asia/Tokyo",
    "Australia/Sydney",
    "Asia/Kolkata",
)
COMMON_LANGUAGES: tuple[str, ...] = ("english", "spanish", "French", "mandarin", "arabic")
EXTRA_LANGUAGES: tuple[str, ...] = tuple(f"lang{i}" for i in range(90))
ACTIVITY_CHUNK = 1024
"""Logged dates ``MentorColumns`` first makes room for: more put means the storage was
regrown or compacted while rows held dates."""
LANGUAGES_PER_GHOST = 20
"""Languages a throwaway mentor teaches the columns when languages run wide (the most a
mentor may list)."""

MODES: tuple[str, ...] = get_args(MeetingMode)
OFFERS: tuple[str, ...] = get_args(Offer)
CAREER_STAGES: tuple[str, ...] = get_args(CareerStage)
MENTEE_STAGES: tuple[str, ...] = get_args(MenteeStage)
OTHER_MENTEES: tuple[str, ...] = ("p0", "p1", "p2", "p3")
GHOST_IDS: tuple[str, ...] = tuple(f"g{i}" for i in range(4))
STRANGER = "stranger"
"""A mentor id no row holds."""


def day_offsets(low: int, high: int) -> st.SearchStrategy[int]:
    """Days relative to the request date."""
    return st.integers(low, high)


def rarely(strategy: st.SearchStrategy[T], otherwise: T) -> st.SearchStrategy[T]:
    """``strategy`` one time in three, else ``otherwise`` (a restriction left off), so that
    most requests still allow some mentors; shrinking leaves restrictions off."""
    return st.integers(0, 2).flatmap(lambda k: strategy if k == 2 else st.just(otherwise))


def some(elements: st.SearchStrategy[S]) -> st.SearchStrategy[tuple[S, ...]]:
    """One or two of ``elements``, rarely (else none)."""
    return rarely(st.lists(elements, min_size=1, max_size=2).map(tuple), ())


def languages(wide: bool) -> st.SearchStrategy[list[str]]:
    """A mentor's or mentee's languages; ``wide``: from more names than 63 bits hold."""
    pool = COMMON_LANGUAGES + (EXTRA_LANGUAGES if wide else ())
    return st.lists(st.sampled_from(pool), max_size=20 if wide else 3, unique=True)


@st.composite
def mentors(
    draw: st.DrawFn,
    mentor_id: str,
    as_of: date,
    mentee_id: str,
    spoken: st.SearchStrategy[list[str]],
    zones: st.SearchStrategy[str | None],
    logged: st.SearchStrategy[list[int]] | None = None,
) -> Mentor:
    """A mentor with random values in every field a signal or hard filter reads.

    Args:
        spoken: its languages.
        zones: its timezone.
        logged: its logged contact dates, as days from ``as_of`` (default: up to six).
    """
    capacity = draw(st.integers(0, 6))
    dates = draw(st.lists(day_offsets(-400, 30), max_size=6) if logged is None else logged)
    return Mentor(
        id=mentor_id,
        name=f"Dr {mentor_id}",
        career_stage=draw(st.sampled_from(CAREER_STAGES)),
        specialty=draw(st.sampled_from(SPECIALTY_NAMES)),
        subspecialties=draw(st.lists(st.sampled_from(SPECIALTY_NAMES), max_size=4)),
        offers=draw(st.lists(st.sampled_from(OFFERS), unique=True)),
        meeting_modes=draw(st.lists(st.sampled_from(MODES), unique=True)),
        languages=draw(spoken),
        timezone=draw(zones),
        hours_per_month=draw(st.floats(0, 200, allow_nan=False)),
        capacity=capacity,
        current_mentees=draw(st.integers(0, capacity)),
        placed_mentees=draw(rarely(st.integers(1, 5), 0)),
        years_in_practice=draw(st.integers(0, 70)),
        publication_count=draw(st.integers(0, 400)),
        teaching_roles=draw(st.lists(st.sampled_from(("tutor", "lecturer", "dean")), max_size=3)),
        mentor_training=draw(st.booleans()),
        response_time_hours=draw(st.none() | st.floats(0, 24 * 365, allow_nan=False)),
        last_active=draw(st.none() | day_offsets(-900, 30).map(lambda d: as_of + timedelta(d))),
        past_mentees=draw(st.none() | st.integers(0, 500)),
        recent_mentees=draw(st.none() | st.integers(0, 200)),
        activity_dates=[as_of + timedelta(d) for d in dates],
        conflicts=draw(
            st.lists(st.sampled_from((mentee_id, *OTHER_MENTEES[:2])), max_size=2, unique=True)
        ),
    )


@st.composite
def mentees(draw: st.DrawFn, mentee_id: str, mentor_ids: tuple[str, ...], wide: bool) -> Mentee:
    """A mentee with random stage, targets, needs, modes, languages, timezone, conflicts."""
    spoken = draw(languages(wide).map(lambda names: names[:4]))
    if draw(st.booleans()):
        spoken.append(draw(st.sampled_from(("ENGLISH", "Lang70", "klingon"))))
    return Mentee(
        id=mentee_id,
        stage=draw(st.sampled_from(MENTEE_STAGES)),
        target_specialties=draw(
            st.lists(st.sampled_from((*SPECIALTY_NAMES, "undecided")), max_size=3)
        ),
        interests=["research"],
        seeking=draw(st.lists(st.sampled_from(OFFERS), max_size=3, unique=True)),
        meeting_modes=draw(st.lists(st.sampled_from(MODES), max_size=3, unique=True)),
        require_meeting_mode=draw(rarely(st.just(True), False)),
        languages=spoken,
        require_language=draw(rarely(st.just(True), False)),
        timezone=draw(st.sampled_from(TIMEZONES)),
        conflicts=draw(
            st.lists(st.sampled_from((*mentor_ids, GHOST_IDS[0], STRANGER)), max_size=2)
        ),
    )


@st.composite
def ratings(
    draw: st.DrawFn, as_of: date, mentee_id: str, mentor_ids: tuple[str, ...]
) -> list[Feedback]:
    """A few ratings of some mentors (and of ones no row holds) by several mentees."""
    rating = st.none() | st.integers(1, 5)
    return draw(
        st.lists(
            st.builds(
                Feedback,
                mentee_id=st.sampled_from((*OTHER_MENTEES, mentee_id)),
                mentor_id=st.sampled_from((*mentor_ids, GHOST_IDS[0], STRANGER)),
                date=day_offsets(-700, 20).map(lambda d: as_of + timedelta(d)),
                approachable=rating,
                accessible=rating,
                overall=st.integers(1, 5),
                would_recommend=st.none() | st.booleans(),
            ),
            max_size=15,
        )
    )


@st.composite
def request_filters(draw: st.DrawFn, mentor_ids: tuple[str, ...], wide: bool) -> SuggestionFilters:
    """Random request filters over the mentors' vocabulary and ids."""
    ids = (*mentor_ids, GHOST_IDS[0], STRANGER)
    spoken = (*COMMON_LANGUAGES, "ENGLISH", "Spanish", *(EXTRA_LANGUAGES[60:70] if wide else ()))
    return SuggestionFilters(
        specialties=draw(some(st.sampled_from(SPECIALTY_NAMES))),
        meeting_modes=draw(some(st.sampled_from(MODES))),
        languages=draw(some(st.sampled_from(spoken))),
        offers=draw(some(st.sampled_from(OFFERS))),
        exclude=draw(some(st.sampled_from(ids))),
        include_full=draw(st.booleans()),
        only=draw(rarely(st.frozensets(st.sampled_from(ids)), None)),
        released=tuple(
            draw(st.lists(st.tuples(st.sampled_from(ids), st.integers(0, 4)), max_size=3))
        ),
    )


def cosines(n_query: int, n_items: int) -> st.SearchStrategy[np.ndarray]:
    """A float32 ``(n_query, n_items)`` item-cosine matrix."""
    return arrays(np.float32, (n_query, n_items), elements=st.floats(-1, 1, width=32))


Step = tuple[int, Mentor] | int
"""Put a mentor at a row, or clear a row."""


@dataclass(frozen=True)
class Scenario:
    """One request against mentors laid out in columns.

    Attributes:
        rows: each mentor's row (by mentor id).
        steps: what to do to the columns, in order: put a mentor at a row, or clear a row.
        order: mentor ids in candidate order.
        sims: per mentor id, its item cosines (None: no items); all None without text.
        text: whether the request has a text match at all.
    """

    as_of: date
    mentee: Mentee
    mentors: tuple[Mentor, ...]
    rows: dict[str, int]
    steps: tuple[Step, ...]
    order: tuple[str, ...]
    sims: dict[str, np.ndarray | None]
    text: bool
    n_query: int
    feedback: tuple[Feedback, ...]
    feedback_half_life: float
    feedback_min_raters: int
    ctx_tunables: tuple[float, float, int, int]
    filters: SuggestionFilters


@st.composite
def scenarios(draw: st.DrawFn) -> Scenario:
    """Mentors, their layout in columns (with incremental updates), and one request."""
    as_of = date(2024, 1, 1) + timedelta(draw(st.integers(0, 4 * 365)))
    n = draw(st.integers(1, 12))
    mentor_ids = tuple(f"m{i}" for i in range(n))
    mentee_id = draw(st.sampled_from(("me", "me", mentor_ids[-1])))
    wide = draw(st.booleans())
    spoken = languages(wide)
    # The mentors' timezones: from a few of the names, often none at all.
    zones = st.sampled_from(
        (None, *draw(st.lists(st.sampled_from(TIMEZONES[1:]), max_size=3, unique=True)))
    )
    found = tuple(draw(mentors(m, as_of, mentee_id, spoken, zones)) for m in mentor_ids)

    # Layout: rows with gaps. Before each mentor's final put, at random places: throwaway
    # mentors put at its row (then overwritten, perhaps cleared first) or at a free row
    # (then cleared), and stale versions of the mentor (overwritten).
    rows = dict(zip(mentor_ids, draw(st.permutations(range(2 * n)))[:n], strict=True))
    final = {rows[m]: found[i] for i, m in enumerate(mentor_ids)}
    steps: list[Step] = [(rows[m], final[rows[m]]) for m in draw(st.permutations(mentor_ids))]

    def before_final(row: int) -> int:
        """Index of the final put at ``row`` in ``steps`` (the end for a free row)."""
        put = final.get(row)
        return next(
            (i for i, s in enumerate(steps) if isinstance(s, tuple) and s[1] is put),
            len(steps),
        )

    # With wide languages, four throwaways teach lang0..lang79, so later names share bit 63;
    # busy throwaways log hundreds of dates, so the activity storage is regrown or compacted.
    busy = draw(st.booleans())
    ghost_rows = draw(
        st.lists(
            st.integers(0, 2 * n + 2),
            min_size=len(GHOST_IDS) if wide else 0,
            max_size=len(GHOST_IDS),
        )
    )
    for k, row in enumerate(ghost_rows):
        own = EXTRA_LANGUAGES[LANGUAGES_PER_GHOST * k : LANGUAGES_PER_GHOST * (k + 1)]
        logged = st.integers(200, 500).map(lambda c: list(range(-c, 10))) if busy else None
        ghost = draw(
            mentors(
                GHOST_IDS[k],
                as_of,
                mentee_id,
                st.just(list(own)) if wide else spoken,
                zones,
                logged,
            )
        )
        at = draw(st.integers(0, before_final(row)))
        steps.insert(at, (row, ghost))
        if row not in final or draw(st.booleans()):
            steps.insert(draw(st.integers(at + 1, before_final(row))), row)
    for m in mentor_ids:
        if draw(st.booleans()):
            stale = draw(mentors(m, as_of, mentee_id, spoken, zones))
            steps.insert(draw(st.integers(0, before_final(rows[m]))), (rows[m], stale))

    text = draw(st.booleans())
    n_query = draw(st.integers(1, 3))  # a mentee always has a query item (interest, goal...)
    sims: dict[str, np.ndarray | None] = {}
    for m in mentor_ids:
        n_items = draw(st.integers(0, 3))
        sims[m] = draw(cosines(n_query, n_items)) if text and n_items else None

    return Scenario(
        as_of=as_of,
        mentee=draw(mentees(mentee_id, mentor_ids, wide)),
        mentors=found,
        rows=rows,
        steps=tuple(steps),
        order=tuple(draw(st.permutations(mentor_ids))),
        sims=sims,
        text=text,
        n_query=n_query,
        feedback=tuple(draw(ratings(as_of, mentee_id, mentor_ids))),
        feedback_half_life=draw(st.floats(30, 1500)),
        feedback_min_raters=draw(st.integers(1, 4)),
        ctx_tunables=(
            draw(st.floats(0.5, 20)),
            draw(st.floats(20, 1000)),
            draw(st.integers(1, 365)),
            draw(st.integers(1, 4)),
        ),
        filters=draw(request_filters(mentor_ids, wide)),
    )


def describe(s: Scenario) -> str:
    """The scenario in a few lines (what was put where), for a failure's report."""

    def short(record: Record) -> str:
        return repr(record.model_dump(exclude_defaults=True, exclude={"name"}))

    lines = [f"as_of {s.as_of}", f"mentee {short(s.mentee)}", f"filters {s.filters!r}"]
    for step in s.steps:
        lines.append(
            f"put row {step[0]}: {short(step[1])}"
            if isinstance(step, tuple)
            else f"clear row {step}"
        )
    lines.append(f"candidates {[(m, s.rows[m]) for m in s.order]}")
    shapes = {m: None if v is None else v.tolist() for m, v in s.sims.items()}
    lines.append(f"text {s.text}, n_query {s.n_query}, item cosines {shapes}")
    lines.append(f"feedback {[short(f) for f in s.feedback]}")
    lines.append(
        f"feedback half-life {s.feedback_half_life}, min raters {s.feedback_min_raters}; "
        f"context (prior, activity half-life, window, min raters) {s.ctx_tunables}"
    )
    return "\n".join(lines)


def lay_out(s: Scenario) -> MentorColumns:
    """The columns after every step of ``s``; the open rows are read between steps, so
    what is kept of them must follow every later change."""
    note(describe(s))
    columns = MentorColumns()
    for step in s.steps:
        columns.open_rows()
        if isinstance(step, tuple):
            columns.put(*step)
        else:
            columns.clear(step)
    if columns.languages.shared:
        event("languages beyond 63 share a bit")
    logged = sum(len(step[1].activity_dates) for step in s.steps if isinstance(step, tuple))
    if logged > ACTIVITY_CHUNK:
        event("activity storage rewritten while rows hold dates")
    return columns


def released_places(s: Scenario) -> dict[str, int]:
    """Places each held mentor gets back for this request (a later pair wins)."""
    return {m: n for m, n in s.filters.released if m in s.rows}


def as_released(s: Scenario) -> dict[str, Mentor]:
    """Each mentor as the per-pair path sees it: released places counted free."""
    back = released_places(s)
    return {
        m.id: m.model_copy(update={"placed_mentees": max(0, m.placed_mentees - back[m.id])})
        if m.id in back
        else m
        for m in s.mentors
    }


def context(s: Scenario) -> SignalContext:
    """The request's signal context over the scenario's ratings."""
    stats = FeedbackStats.from_feedback(
        s.feedback, s.as_of, s.feedback_half_life, s.feedback_min_raters
    )
    prior, half_life, window, min_raters = s.ctx_tunables
    return SignalContext(
        s.as_of, stats, prior, half_life, window, min_raters, LEXICAL_CTX, lexical_weight=0.3
    )


LEXICAL_CTX = 0.1
"""The pooling temperature of the scenarios' contexts."""


def lexical_of(s: Scenario) -> np.ndarray:
    """A word-overlap match per candidate (any values in [0, 1] do: both forms read them)."""
    return np.array([(i * 0.37) % 1 for i in range(len(s.order))], dtype=np.float64)


def best_cosines(s: Scenario) -> np.ndarray | None:
    """Each query's best cosine per candidate (NaN: no items), as retrieval gives it."""
    if not s.text:
        return None
    per_candidate = []
    for m in s.order:
        sims = s.sims[m]
        no_items = np.full(s.n_query, np.nan, dtype=np.float32)
        per_candidate.append(no_items if sims is None else pool(sims, LEXICAL_CTX, axis=1))
    return np.stack(per_candidate, axis=1).astype(np.float32)


def same(columnar: float, per_pair: float | None) -> bool:
    """Both absent, or both present and within ``TOLERANCE``."""
    if per_pair is None or math.isnan(columnar):
        return per_pair is None and math.isnan(columnar)
    return abs(columnar - per_pair) <= TOLERANCE


PROPERTY = settings(
    max_examples=80,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@PROPERTY
@given(scenarios())
def test_columnar_signals_equal_per_pair_signals(s: Scenario) -> None:
    """Every signal, every candidate: the batch value is the per-pair value (NaN: None),
    and so is each part (NaN: the per-pair signal has no such part), which is what the
    explanations read."""
    columns = lay_out(s)
    ctx = context(s)
    back = released_places(s)
    batch = Batch(
        s.mentee,
        np.array([s.rows[m] for m in s.order], dtype=np.int64),
        columns,
        ctx,
        FeedbackColumns.of(ctx.feedback, s.rows.get, columns.size),
        best_cosines(s),
        np.array([back.get(m, 0) for m in s.order], dtype=np.int64),
        lexical_of(s),
    )
    current = as_released(s)
    for signal in REGISTRY:
        assert signal.columnar is not None, f"{signal.name} has no columnar form"
        values, parts = signal.columnar(batch)
        assert values.shape == (len(s.order),), signal.name
        names = [name for name, _ in parts]
        for i, m in enumerate(s.order):
            lexical = float(batch.lexical[i]) if batch.lexical is not None else None
            expected = signal.compute(SignalPair(s.mentee, current[m], s.sims[m], ctx, lexical))
            assert same(float(values[i]), expected.value), (
                f"{signal.name} of {m}: columnar {values[i]!r}, per pair {expected.value!r} "
                f"(parts {expected.parts})"
            )
            assert set(expected.parts) <= set(names), (signal.name, m, expected.parts, names)
            for name, column in parts:
                assert same(float(column[i]), expected.parts.get(name)), (
                    f"{signal.name}.{name} of {m}: columnar {column[i]!r}, "
                    f"per pair {expected.parts.get(name)!r}"
                )


@PROPERTY
@given(scenarios())
def test_allowed_mask_equals_excluded_reason(s: Scenario) -> None:
    """The mask is true exactly at held rows whose mentor has no exclusion reason."""
    columns = lay_out(s)
    released = {s.rows[m]: n for m, n in released_places(s).items()}
    mask = allowed(s.mentee, columns, s.filters, s.rows.get, released)
    current = as_released(s)
    expected = np.zeros(columns.size, dtype=bool)
    reasons: dict[int, str | None] = {}
    for m, row in s.rows.items():
        reasons[row] = excluded_reason(s.mentee, current[m], s.filters)
        expected[row] = reasons[row] is None
    wanted = {*s.mentee.languages, *(name.lower() for name in s.filters.languages)}
    if wanted & columns.languages.shared:
        event("a wanted language shares the bit")
    event("some mentors allowed" if expected.any() else "no mentor allowed")
    assert mask.dtype == np.bool_
    assert mask.shape == (columns.size,)
    wrong = np.flatnonzero(mask != expected).tolist()
    assert not wrong, {row: (bool(mask[row]), reasons.get(row, "no mentor")) for row in wrong}


@settings(max_examples=60, deadline=None, database=None)
@given(
    n_candidates=st.integers(1, 6),
    n_items=st.integers(0, 3),
)
def test_similarity_without_query_items_is_absent(n_candidates: int, n_items: int) -> None:
    """No query item at all: the per-pair similarity is absent, and so is the columnar one.

    The engine always has a query item (a mentee needs an interest, goal or target), but the
    ``Batch`` contract allows ``best`` of shape ``(0, len(rows))``.
    """
    columns = MentorColumns()
    for row in range(n_candidates):
        columns.put(row, Mentor(id=f"m{row}", name="Dr M", career_stage="senior", specialty="im"))
    ctx = SignalContext(date(2026, 9, 1), FeedbackStats({}, None))
    batch = Batch(
        Mentee(id="me", stage="MS1", interests=["research"]),
        np.arange(n_candidates, dtype=np.int64),
        columns,
        ctx,
        FeedbackColumns.of(ctx.feedback, lambda _: None, columns.size),
        np.zeros((0, n_candidates), dtype=np.float32),
    )
    assert similarity(np.zeros((0, n_items), dtype=np.float32), ctx).value is None
    values, parts = columnar_similarity(batch)
    assert np.isnan(values).all() and parts == []

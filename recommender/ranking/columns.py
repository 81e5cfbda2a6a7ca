"""Mentor-side inputs of every signal and hard filter, as numpy columns.

One row per index slot (see ``recommender.retrieval.index``): the engine puts a mentor's row
when the mentor is added or changed and clears it when the mentor leaves, so keeping the
columns in step costs what changed. Sets become bitmasks (meeting modes, offers, languages),
names become small integer ids (specialties, timezones), absent numbers are NaN and absent
dates -1 (dates are proleptic ordinals, ``date.toordinal()``).

==================  =========  ========================================================
column              dtype      holds
==================  =========  ========================================================
alive               bool       the slot holds a mentor
capacity, load      int64      most mentees at once; current plus placed mentees
placed              int64      mentees placed by approved assignments
hours               float64    hours offered per month
modes, offers       uint16     meeting modes / what the mentor offers, one bit each
languages           uint64     one bit per language (63 own bits, then one shared bit)
tz                  int32      timezone id (-1: none)
response            float64    median reply time in hours (NaN: not measured)
last_active         int64      date ordinal of the last activity (-1: none)
past, recent        float64    mentees so far / in the last 12 months (NaN: unknown)
years, publications float64    years in practice, peer-reviewed papers
teaching, training  float64    teaching roles (count), formal mentor training (0/1)
career              float64    career level (``CAREER_LEVEL``)
specialties         int32      (rows, width) canonical specialty ids, -1 padded
stages_taken        uint16     stages a hard stage preference admits, one bit each (all
                               bits: no hard stage preference)
stages_stated       uint16     stages the mentor says they take (all bits: none said)
other_stated        bool       they state specialties, topics or meeting modes they take
closed_until        int64      date ordinal before which the mentor takes no one new (0: none)
primary             int32      id of the canonical primary specialty
activity            CSR        logged contact dates per row (``act_start``/``act_len``)
==================  =========  ========================================================
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import get_args

import numpy as np

from recommender.domain.fields import MeetingMode, Offer
from recommender.domain.preferences import STAGES, MentorPreferences
from recommender.domain.profiles import CAREER_LEVEL, Mentor
from recommender.domain.specialties import canonical

MODE_BIT: dict[str, int] = {m: 1 << i for i, m in enumerate(get_args(MeetingMode))}
OFFER_BIT: dict[str, int] = {o: 1 << i for i, o in enumerate(get_args(Offer))}
STAGE_BIT: dict[str, int] = {s: 1 << i for i, s in enumerate(STAGES)}
ANY_STAGE = (1 << len(STAGES)) - 1
SHARED_BIT = 63
"""Languages beyond the first 63 seen share this bit; membership is then checked exactly."""


def bits(names: Iterable[str], table: dict[str, int]) -> int:
    """OR of the bits of ``names`` known to ``table`` (unknown names add nothing)."""
    out = 0
    for name in names:
        out |= table.get(name, 0)
    return out


class Names:
    """Names ↔ small integer ids, assigned in order of first sight."""

    def __init__(self) -> None:
        self.ids: dict[str, int] = {}
        self.names: list[str] = []

    def id(self, name: str) -> int:
        """The id of ``name``, assigning the next one if new."""
        found = self.ids.get(name)
        if found is None:
            found = self.ids[name] = len(self.names)
            self.names.append(name)
        return found


class Languages:
    """Language names → bits of a uint64: the first 63 get a bit each, later ones share
    bit 63 and are checked against each mentor's own set (kept only for those mentors)."""

    def __init__(self) -> None:
        self.bit: dict[str, int] = {}
        self.shared: set[str] = set()

    def mask(self, names: Iterable[str], learn: bool = False) -> int:
        """Bits of ``names``; with ``learn``, unseen names get a bit (or the shared one)."""
        out = 0
        for name in names:
            if name not in self.bit and learn:
                if len(self.bit) < SHARED_BIT:
                    self.bit[name] = 1 << len(self.bit)
                else:
                    self.shared.add(name)
            out |= self.bit.get(name, (1 << SHARED_BIT) if name in self.shared else 0)
        return out


_FLOAT_FIELDS: tuple[str, ...] = ("hours", "response", "past", "recent", "years")
_FLOAT_FIELDS += ("publications", "teaching", "training", "career")
_INT_FIELDS = ("capacity", "load", "placed", "last_active", "act_start", "act_len")


class MentorColumns:
    """Signal and filter inputs of every indexed mentor, one row per slot."""

    def __init__(self) -> None:
        self.size = 0
        self.specialty_names = Names()
        self.timezones = Names()
        self.languages = Languages()
        self.alive = np.zeros(0, dtype=bool)
        for name in _FLOAT_FIELDS:
            setattr(self, name, np.zeros(0, dtype=np.float64))
        for name in _INT_FIELDS:
            setattr(self, name, np.zeros(0, dtype=np.int64))
        self.modes = np.zeros(0, dtype=np.uint16)
        self.offers = np.zeros(0, dtype=np.uint16)
        self.language_bits = np.zeros(0, dtype=np.uint64)
        self.tz = np.zeros(0, dtype=np.int32)
        self.primary = np.zeros(0, dtype=np.int32)
        self.specialties = np.full((0, 1), -1, dtype=np.int32)
        self.stages_stated = np.zeros(0, dtype=np.uint16)
        self.other_stated = np.zeros(0, dtype=bool)
        self.stages_taken = np.zeros(0, dtype=np.uint16)
        self.closed_until = np.zeros(0, dtype=np.int64)
        self.act_dates = np.zeros(0, dtype=np.int64)
        self._act_used = 0
        self.preferring: dict[int, Preferring] = {}
        self.hard_stage_rows: set[int] = set()
        """Rows with a hard stage preference (``stages_taken`` is read only if any)."""
        self.closed_rows: set[int] = set()
        """Rows of mentors not taking new mentees until a date (``closed_until``)."""
        """Row → the preferences checked one by one (hard specialties, topics or meeting
        modes, or a most per stage): few mentors state them."""
        self._shared_languages: dict[int, frozenset[str]] = {}
        self._conflicts_of: dict[int, tuple[str, ...]] = {}
        self.conflicted: dict[str, set[int]] = {}
        """Mentee id → rows of mentors who declared a conflict with that mentee."""
        self._open: np.ndarray | None = None  # open_rows, until a row changes
        self._free: int | None = None  # free_total, until a row changes

    # declared for type checkers; set in __init__ through the field tuples
    capacity: np.ndarray
    load: np.ndarray
    placed: np.ndarray
    last_active: np.ndarray
    act_start: np.ndarray
    act_len: np.ndarray
    hours: np.ndarray
    response: np.ndarray
    past: np.ndarray
    recent: np.ndarray
    years: np.ndarray
    publications: np.ndarray
    teaching: np.ndarray
    training: np.ndarray
    career: np.ndarray

    # -- keeping in step ------------------------------------------------------------------

    def _grow(self, rows: int) -> None:
        if rows <= len(self.alive):
            return
        n = max(rows, 2 * len(self.alive), 64)
        for name, value in list(vars(self).items()):
            if isinstance(value, np.ndarray) and name != "act_dates":
                fill = -1 if name in ("last_active", "tz", "primary", "specialties") else 0
                grown = np.full((n, *value.shape[1:]), fill, dtype=value.dtype)
                grown[: len(value)] = value
                setattr(self, name, grown)

    def put(self, row: int, mentor: Mentor) -> None:
        """Write ``mentor``'s inputs into ``row`` (replacing what was there)."""
        self._open = None
        self._free = None
        self._grow(row + 1)
        self.size = max(self.size, row + 1)
        self.clear(row)
        self.alive[row] = True
        self.capacity[row] = mentor.capacity
        self.load[row] = mentor.current_mentees + mentor.placed_mentees
        self.placed[row] = mentor.placed_mentees
        self.hours[row] = mentor.hours_per_month
        self.modes[row] = bits(mentor.meeting_modes, MODE_BIT)
        self.offers[row] = bits(mentor.offers, OFFER_BIT)
        self.language_bits[row] = self.languages.mask(mentor.languages, learn=True)
        if any(name in self.languages.shared for name in mentor.languages):
            self._shared_languages[row] = frozenset(mentor.languages)
        self.tz[row] = -1 if mentor.timezone is None else self.timezones.id(mentor.timezone)
        self.response[row] = (
            np.nan if mentor.response_time_hours is None else mentor.response_time_hours
        )
        self.last_active[row] = -1 if mentor.last_active is None else mentor.last_active.toordinal()
        self.past[row] = np.nan if mentor.past_mentees is None else mentor.past_mentees
        self.recent[row] = np.nan if mentor.recent_mentees is None else mentor.recent_mentees
        self.years[row] = mentor.years_in_practice
        self.publications[row] = mentor.publication_count
        self.teaching[row] = len(mentor.teaching_roles)
        self.training[row] = float(mentor.mentor_training)
        self.career[row] = CAREER_LEVEL[mentor.career_stage]
        self._put_specialties(row, mentor)
        self._put_activity(row, mentor.activity_dates)
        self._conflicts_of[row] = tuple(mentor.conflicts)
        for mentee_id in mentor.conflicts:
            self.conflicted.setdefault(mentee_id, set()).add(row)
        self._put_preferences(row, mentor)

    def _put_preferences(self, row: int, mentor: Mentor) -> None:
        prefs = mentor.preferences
        self.stages_stated[row] = bits(prefs.stages, STAGE_BIT) if prefs.stages else ANY_STAGE
        self.other_stated[row] = bool(prefs.specialties or prefs.topics or prefs.meeting_modes)
        hard = "stages" in prefs.hard
        self.stages_taken[row] = bits(prefs.stages, STAGE_BIT) if hard else ANY_STAGE
        if hard:
            self.hard_stage_rows.add(row)
        until = prefs.not_taking_until
        self.closed_until[row] = 0 if until is None else until.toordinal()
        if until is not None:
            self.closed_rows.add(row)
        if prefs.max_per_stage or set(prefs.hard) - {"stages"}:
            self.preferring[row] = Preferring(mentor.id, prefs, tuple(mentor.meeting_modes))

    def _put_specialties(self, row: int, mentor: Mentor) -> None:
        names = [canonical(s) for s in [mentor.specialty, *mentor.subspecialties]]
        ids = list(dict.fromkeys(self.specialty_names.id(n) for n in names))
        if len(ids) > self.specialties.shape[1]:
            wider = np.full((len(self.specialties), len(ids)), -1, dtype=np.int32)
            wider[:, : self.specialties.shape[1]] = self.specialties
            self.specialties = wider
        self.specialties[row] = -1
        self.specialties[row, : len(ids)] = ids
        self.primary[row] = ids[0]

    def _put_activity(self, row: int, dates: list[date]) -> None:
        n = len(dates)
        if self._act_used + n > len(self.act_dates):
            live = int(self.act_len[: self.size].sum())
            if live + n > len(self.act_dates) // 2:
                grown = np.zeros(max(2 * (live + n), 1024), dtype=np.int64)
            else:
                grown = np.zeros_like(self.act_dates)
            self._compact_activity(grown)
        self.act_start[row] = self._act_used
        self.act_len[row] = n
        self.act_dates[self._act_used : self._act_used + n] = [d.toordinal() for d in dates]
        self._act_used += n

    def _compact_activity(self, into: np.ndarray) -> None:
        used = 0
        for row in np.flatnonzero(self.act_len[: self.size]).tolist():
            start, n = int(self.act_start[row]), int(self.act_len[row])
            into[used : used + n] = self.act_dates[start : start + n]
            self.act_start[row] = used
            used += n
        self.act_dates, self._act_used = into, used

    def clear(self, row: int) -> None:
        """Empty ``row`` (its mentor left the index)."""
        if row >= len(self.alive):
            return
        self._open = None
        self._free = None
        self.alive[row] = False
        self.act_len[row] = 0
        self.preferring.pop(row, None)
        self.hard_stage_rows.discard(row)
        self.closed_rows.discard(row)
        self._shared_languages.pop(row, None)
        for mentee_id in self._conflicts_of.pop(row, ()):
            rows = self.conflicted.get(mentee_id)
            if rows is not None:
                rows.discard(row)
                if not rows:
                    del self.conflicted[mentee_id]

    # -- reading --------------------------------------------------------------------------

    @property
    def nbytes(self) -> int:
        """Bytes held by the numpy columns (the per-row dictionaries not counted)."""
        return sum(v.nbytes for v in vars(self).values() if isinstance(v, np.ndarray))

    def open_rows(self) -> np.ndarray:
        """Which rows hold a mentor with a free place (bool, ``size`` long): what every
        request's mask starts from, worked out once per change of any row rather than over
        every mentor on every request (1.7 ms at a million). Shared: copy before changing."""
        if self._open is None:
            size = self.size
            self._open = self.alive[:size] & (self.capacity[:size] > self.load[:size])
        return self._open

    def free_total(self) -> int:
        """Free places over every mentor (each over capacity counting 0), worked out once per
        change of any row: the whole of which a mentor's free places are their fair share."""
        if self._free is None:
            size = self.size
            free = np.where(self.alive[:size], self.capacity[:size] - self.load[:size], 0)
            self._free = int(np.maximum(free, 0).sum())
        return self._free

    def free_places(self, rows: np.ndarray | slice, freed: np.ndarray | None = None) -> np.ndarray:
        """Free places of ``rows`` (int64, negative when over capacity), with ``freed``
        (per row) of their placed mentees counted free again."""
        if freed is None:  # load counts the placed mentees: one subtraction over the column
            free: np.ndarray = self.capacity[rows] - self.load[rows]
            return free
        placed = self.placed[rows]
        current = self.load[rows] - placed
        out: np.ndarray = self.capacity[rows] - current - np.maximum(0, placed - freed)
        return out

    def speaks(self, rows: np.ndarray, names: Iterable[str]) -> np.ndarray:
        """Whether each of ``rows`` speaks any of ``names`` (bool array)."""
        wanted = set(names)
        own = self.languages.mask(wanted - self.languages.shared)
        found: np.ndarray = (self.language_bits[rows] & np.uint64(own)) != 0
        if wanted & self.languages.shared:
            shared = np.uint64(1 << SHARED_BIT)
            for i in np.flatnonzero((self.language_bits[rows] & shared) != 0).tolist():
                if wanted & self._shared_languages.get(int(rows[i]), frozenset()):
                    found[i] = True
        return found

    def in_specialties(self, rows: np.ndarray, names: Iterable[str]) -> np.ndarray:
        """Whether each of ``rows`` practises any of the canonical specialty ``names``."""
        ids = [self.specialty_names.ids[n] for n in names if n in self.specialty_names.ids]
        if not ids:
            return np.zeros(len(rows), dtype=bool)
        found = np.isin(self.specialties[rows], ids).any(axis=1)
        return np.asarray(found, dtype=bool)

    def activity_before(self, rows: np.ndarray, day: int) -> np.ndarray:
        """How many logged dates of each row fall strictly before ordinal ``day``."""
        start, length = self.act_start[rows], self.act_len[rows]
        lo = np.zeros(len(rows), dtype=np.int64)
        hi = length.copy()
        while True:
            active = lo < hi
            if not active.any():
                return lo
            mid = (lo + hi) // 2
            probe = np.where(active, start + np.minimum(mid, np.maximum(length - 1, 0)), 0)
            less = self.act_dates[probe] < day
            lo = np.where(active & less, mid + 1, lo)
            hi = np.where(active & ~less, mid, hi)

    def last_activity_date(self, rows: np.ndarray, before: np.ndarray) -> np.ndarray:
        """Ordinal of each row's last logged date among its first ``before`` ones (-1: none)."""
        has = before > 0
        index = np.where(has, self.act_start[rows] + before - 1, 0)
        return np.where(has, self.act_dates[index] if len(self.act_dates) else -1, -1)


class Preferring:
    """A mentor's preferences checked one by one (``MentorColumns.preferring``)."""

    __slots__ = ("mentor_id", "modes", "preferences")

    def __init__(self, mentor_id: str, preferences: MentorPreferences, modes: tuple[str, ...]):
        self.mentor_id = mentor_id
        self.preferences = preferences
        self.modes = modes

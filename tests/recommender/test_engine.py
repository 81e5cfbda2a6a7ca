"""The engine end to end on a small faculty whose right answers are known."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest

from recommender.domain.errors import UnknownMentee
from recommender.domain.kinds import Kind
from recommender.domain.profiles import Feedback
from recommender.engine import Engine, SuggestionFilters
from recommender.storage.store import Store
from tests.conftest import FACULTY, mentee, mentor


def ids(found: list) -> list[str]:  # type: ignore[type-arg]
    return [s.mentor_id for s in found]


@pytest.mark.parametrize(
    ("interest", "expected"),
    [
        ("stiff heart failure where the heart still pumps normally", "card1"),
        ("irregular heartbeat treated by burning the heart tissue", "card2"),
        ("torn knee ligament repair for football players", "orth1"),
        ("teenagers with low mood and self-harm", "psy1"),
        ("catching skin cancer before it spreads", "derm1"),
        ("clot removal when a stroke blocks a brain artery", "neu1"),
        ("wheezing kids living in the inner city", "peds1"),
    ],
)
def test_paraphrase_of_research_finds_mentor_in_top3(
    faculty_engine: Engine, interest: str, expected: str
) -> None:
    found = faculty_engine.suggest(mentee("e1", "MS3", interests=[interest]), k=3)
    assert expected in ids(found)


def test_suggestions_are_ranked_and_explained(faculty_engine: Engine) -> None:
    found = faculty_engine.suggest(
        mentee("e1", "PGY2", interests=["heart failure with preserved ejection fraction"]), k=5
    )
    assert [s.rank for s in found] == [1, 2, 3, 4, 5]
    assert [s.score for s in found] == sorted((s.score for s in found), reverse=True)
    top = found[0]
    assert top.mentor_id == "card1"
    assert set(top.components) == {
        "similarity",
        "accessibility",
        "credibility",
        "feedback",
        "stage_fit",
    }
    assert sum(c.contribution for c in top.components.values()) == pytest.approx(
        top.score, abs=1e-4
    )
    assert "heart failure with preserved ejection fraction" in top.explanation
    assert "3 of 3 places free" in top.explanation


def test_full_mentor_is_excluded_unless_asked(faculty_engine: Engine) -> None:
    full = mentor(
        "card9",
        "cardiology",
        research_areas=["heart failure with preserved ejection fraction"],
        capacity=2,
        current_mentees=2,
    )
    faculty_engine.write("mentors", [full])
    query = mentee("e1", interests=["heart failure with preserved ejection fraction"])
    assert "card9" not in ids(faculty_engine.suggest(query, k=12))
    assert "card9" in ids(
        faculty_engine.suggest(query, k=3, filters=SuggestionFilters(include_full=True))
    )


def test_deleted_mentor_never_comes_back_even_after_restart(
    faculty_engine: Engine, make_engine: Callable[[], Engine]
) -> None:
    query = mentee("e1", interests=["heart failure with preserved ejection fraction"])
    assert ids(faculty_engine.suggest(query, k=1)) == ["card1"]
    assert faculty_engine.delete("mentors", "card1")
    assert "card1" not in ids(faculty_engine.suggest(query, k=12))
    restarted = make_engine()
    assert "card1" not in ids(restarted.suggest(query, k=12))
    assert "card1" not in restarted.index
    health = restarted.health()["index"]
    assert health["mentors"] == len(FACULTY) - 1
    assert health["store_seq"] == restarted.store.seq()
    assert health["in_sync"] is True


def test_conflict_self_language_and_mode_filters(faculty_engine: Engine) -> None:
    faculty_engine.write(
        "mentors",
        [
            mentor(
                "card3",
                "cardiology",
                research_areas=["heart failure with preserved ejection fraction"],
                languages=["english", "spanish"],
                meeting_modes=["in_person"],
            )
        ],
    )
    text = ["heart failure with preserved ejection fraction"]
    conflicted = mentee("e1", interests=text, conflicts=["card1"])
    assert "card1" not in ids(faculty_engine.suggest(conflicted, k=12))
    itself = mentee("card1", interests=text)
    assert "card1" not in ids(faculty_engine.suggest(itself, k=12))
    spanish = mentee("e2", interests=text, languages=["spanish"], require_language=True)
    assert ids(faculty_engine.suggest(spanish, k=12)) == ["card3"]
    video = mentee("e3", interests=text, meeting_modes=["video"], require_meeting_mode=True)
    assert "card3" not in ids(faculty_engine.suggest(video, k=12))
    assert "card3" in ids(faculty_engine.suggest(mentee("e4", interests=text), k=3))


def test_mentor_side_conflict_is_excluded(faculty_engine: Engine) -> None:
    faculty_engine.write(
        "mentors",
        [
            mentor(
                "card1",
                "cardiology",
                research_areas=["heart failure with preserved ejection fraction"],
                conflicts=["e1"],
            )
        ],
    )
    found = faculty_engine.suggest(mentee("e1", interests=["heart failure"]), k=12)
    assert "card1" not in ids(found)


def test_undecided_early_mentee_gets_diverse_list_decided_senior_follows_specialty(
    engine: Engine,
) -> None:
    heart = [
        mentor(f"c{i}", "cardiology", research_areas=[f"heart failure study {i}"]) for i in range(4)
    ]
    others = [
        mentor("s1", "general surgery", research_areas=["surgical outcomes of heart patients"]),
        mentor("p1", "pediatrics", research_areas=["congenital heart disease in children"]),
        mentor("r1", "radiology", research_areas=["cardiac imaging with MRI"]),
    ]
    engine.write("mentors", heart + others)
    early = mentee("e1", "MS1", interests=["the heart"])
    early_specialties = [s.specialty for s in engine.suggest(early, k=4)]
    assert len(set(early_specialties)) == 4

    senior = mentee("e2", "PGY3", interests=["the heart"], target_specialties=["Cardiology"])
    senior_specialties = [s.specialty for s in engine.suggest(senior, k=4)]
    assert senior_specialties == ["cardiology"] * 4


def test_feedback_moves_the_feedback_component(faculty_engine: Engine) -> None:
    query = mentee("e1", interests=["heart failure with preserved ejection fraction"])
    everyone = SuggestionFilters()

    def feedback_of(mentor_id: str) -> float:
        found = {s.mentor_id: s for s in faculty_engine.suggest(query, k=12, filters=everyone)}
        return found[mentor_id].components["feedback"].value

    for i in range(5):
        faculty_engine.write(
            "feedback",
            [Feedback(mentee_id=f"p{i}", mentor_id="card2", date="2026-06-01", overall=4)],
        )
    before = feedback_of("card1")
    faculty_engine.write(
        "feedback",
        [
            Feedback(mentee_id=f"q{i}", mentor_id="card1", date="2026-06-01", overall=5)
            for i in range(3)
        ],
    )
    raised = feedback_of("card1")
    assert raised > before
    faculty_engine.write(
        "feedback",
        [
            Feedback(mentee_id=f"r{i}", mentor_id="card1", date="2026-06-02", overall=1)
            for i in range(6)
        ],
    )
    assert feedback_of("card1") < raised


def test_long_profile_is_not_cut_at_the_token_limit(engine: Engine) -> None:
    filler = " ".join(
        f"In year {i} I attended clinic, supervised residents and reviewed charts."
        for i in range(40)
    )
    needle = "My real passion is hyperbaric oxygen therapy for diabetic foot ulcers."
    engine.write(
        "mentors",
        [
            mentor("long", "internal medicine", bio=filler + " " + needle),
            *[mentor(f"x{i}", "internal medicine", bio=filler) for i in range(3)],
        ],
    )
    found = engine.suggest(
        mentee("e1", interests=["oxygen chamber treatment for diabetic foot wounds"]), k=1
    )
    assert found[0].mentor_id == "long"
    assert needle in found[0].matches[0].mentor_text


def test_unchanged_text_is_not_embedded_again(
    faculty_engine: Engine, make_engine: Callable[[], Engine]
) -> None:
    again = faculty_engine.write("mentors", FACULTY)
    assert again.changed == 0
    restarted = make_engine()
    report = restarted.refresh()
    assert report.embedded_items == 0
    assert len(restarted.index) == len(FACULTY)


def test_corrupt_snapshot_is_rebuilt(
    faculty_engine: Engine, make_engine: Callable[[], Engine]
) -> None:
    path = faculty_engine.settings.index_path
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    restarted = make_engine()
    assert len(restarted.index) == 0  # the truncated snapshot was refused
    restarted.refresh()
    assert len(restarted.index) == len(FACULTY)
    found = restarted.suggest(mentee("e1", interests=["melanoma early detection"]), k=1)
    assert ids(found) == ["derm1"]


def test_decided_resident_list_follows_specialty_over_a_stronger_text_match(engine: Engine) -> None:
    engine.write(
        "mentors",
        [
            mentor("qi", "internal medicine", interests=["quality improvement projects"]),
            mentor("ent", "otolaryngology", research_areas=["voice disorders in singers"]),
        ],
    )
    resident = mentee(
        "e1",
        "PGY1",
        target_specialties=["otolaryngology"],
        interests=["quality improvement projects"],
    )
    assert ids(engine.suggest(resident, k=2)) == ["ent", "qi"]
    relaxed = SuggestionFilters(follow_specialty=False)
    assert ids(engine.suggest(resident, k=2, filters=relaxed)) == ["qi", "ent"]


def test_request_text_is_not_written_to_the_store(faculty_engine: Engine) -> None:
    from recommender.storage.store import text_hash

    text = "a one-off interest that no profile holds"
    faculty_engine.suggest(mentee("e1", interests=[text]), k=1)
    model = faculty_engine.embedder.model_id
    assert faculty_engine.store.cached_vectors(model, [text_hash(text)]) == {}
    first_item = FACULTY[0].research_areas[0]
    assert faculty_engine.store.cached_vectors(model, [text_hash(first_item)])


def test_a_large_index_defers_its_snapshot_and_a_restart_replays_the_rest(
    faculty_engine: Engine, make_engine: Callable[[], Engine], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past ``DEFER_SAVE_ITEMS`` the snapshot is written at most every interval (here: never
    on its own), by ``flush`` at shutdown; an engine started from the older snapshot
    replays the change from the store."""
    import recommender.engine as engine_module
    from recommender.retrieval.index import MentorIndex

    monkeypatch.setattr(engine_module, "DEFER_SAVE_ITEMS", 0)
    faculty_engine.settings = faculty_engine.settings.model_copy(
        update={"index_save_every_s": 3600.0}
    )
    faculty_engine.flush()
    path, model = faculty_engine.settings.index_path, faculty_engine.embedder.model_id

    def saved_seq() -> int:
        snapshot = MentorIndex.load(path, model, faculty_engine.embedder.dim)
        assert snapshot is not None
        return snapshot.store_seq

    before = saved_seq()
    faculty_engine.write("mentors", [mentor("new1", specialty="cardiology")])
    assert "new1" in faculty_engine.index
    assert saved_seq() == before  # not written after this change
    restarted = make_engine()
    assert restarted.health()["index"]["store_seq"] > before  # caught up with the store
    assert "new1" in restarted.index
    faculty_engine.flush()
    assert saved_seq() == faculty_engine.store.seq()


def test_a_repeated_request_is_answered_from_memory_until_the_store_or_the_day_changes(
    faculty_engine: Engine,
) -> None:
    """The answer cache serves a repeat; a write by another connection (as another process
    would make it) or a new day is seen by the very next request."""
    query = mentee("e1", interests=["heart failure with preserved ejection fraction"])
    first = faculty_engine.suggest(query, k=5)
    hits = faculty_engine.answers.hits
    assert faculty_engine.suggest(query, k=5) == first
    assert faculty_engine.answers.hits == hits + 1
    assert ids(faculty_engine.suggest(query, k=4)) == ids(first)[:4]  # another k: computed
    assert faculty_engine.answers.hits == hits + 1

    other = Store(faculty_engine.settings.sqlalchemy_url)  # not through the engine
    try:
        top = faculty_engine.store.get_mentor(first[0].mentor_id)
        other.upsert(Kind.MENTORS, [top.model_copy(update={"current_mentees": top.capacity})])
    finally:
        other.close()
    assert first[0].mentor_id not in ids(faculty_engine.suggest(query, k=5))

    days = iter([date(2030, 1, 1), date(2030, 1, 2)])
    today = next(days)
    faculty_engine.today = lambda: today
    before = faculty_engine.suggest(query, k=5)
    misses = faculty_engine.answers.misses
    today = next(days)
    faculty_engine.suggest(query, k=5)
    assert faculty_engine.answers.misses == misses + 1 and before


def test_a_stored_mentees_profile_is_read_once_per_change_and_gone_with_its_deletion(
    faculty_engine: Engine,
) -> None:
    """A stored mentee's requests read the profile once; a change made by another
    connection (as another process would make it) is seen by the very next request, and a
    deleted mentee is neither served nor kept."""
    faculty_engine.answers.max_items = 0  # every request ranks: only the profile is kept
    faculty_engine.write(
        "mentees", [mentee("e1", interests=["heart failure with preserved ejection fraction"])]
    )
    first = ids(faculty_engine.suggest_for("e1", k=5))
    misses = faculty_engine.mentees.misses
    assert ids(faculty_engine.suggest_for("e1", k=5)) == first
    assert faculty_engine.mentees.misses == misses  # the profile came from memory

    other = Store(faculty_engine.settings.sqlalchemy_url)  # not through the engine
    try:
        other.upsert(Kind.MENTEES, [mentee("e1", interests=["global surgery in Africa"])])
    finally:
        other.close()
    assert ids(faculty_engine.suggest_for("e1", k=5)) != first
    assert faculty_engine.mentees.misses == misses + 1

    assert faculty_engine.delete(Kind.MENTEES, "e1")
    assert len(faculty_engine.mentees) == 0
    with pytest.raises(UnknownMentee):
        faculty_engine.suggest_for("e1", k=5)


def test_no_answer_is_kept_when_the_cache_is_off(make_engine: Callable[[], Engine]) -> None:
    engine = make_engine()
    engine.answers.max_items = 0
    engine.write("mentors", FACULTY)
    query = mentee("e1", interests=["medical education"])
    assert engine.suggest(query, k=3) == engine.suggest(query, k=3)
    assert len(engine.answers) == 0 and engine.answers.hits == 0

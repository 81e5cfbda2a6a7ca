"""Specialty names the taxonomy does not know are reported, with the names probably meant."""

from __future__ import annotations

import pytest

from recommender.domain.people import Mentee, Mentor
from recommender.domain.specialties import ALIASES, KNOWN, SPECIALTIES, canonical
from recommender.domain.vocabulary_check import (
    SpecialtyCheck,
    check_specialty,
    format_warnings,
    profile_warnings,
    specialty_warnings,
)


@pytest.mark.parametrize(
    "name",
    [
        "cardiology",
        "Cardiology",
        "  internal   medicine ",
        "Ob/Gyn",
        "ENT",
        "peds",
        "orthopedics",
        "hepatology",
        "cardiac imaging",
        "undecided",
        "unspecified",
    ],
)
def test_canonical_names_synonyms_and_subspecialties_are_known(name: str) -> None:
    check = check_specialty(name)
    assert check.known, check
    assert check.suggestions == ()
    assert check.canonical == canonical(name)


def test_every_alias_and_main_specialty_is_known() -> None:
    assert set(SPECIALTIES) <= KNOWN
    for alias, target in ALIASES.items():
        assert target in KNOWN, alias
        if "&" not in alias:  # "pm&r" is written "pmandr" once normalised
            assert check_specialty(alias).known, alias


@pytest.mark.parametrize(
    ("abbreviation", "meant"),
    [
        ("cards", "cardiology"),
        ("derm", "dermatology"),
        ("neuro", "neurology"),
        ("nephro", "nephrology"),
        ("peds", "pediatrics"),
        ("rheum", "rheumatology"),
        ("heme-onc", "hematology and oncology"),
    ],
)
def test_common_abbreviations_resolve_to_their_specialty(abbreviation: str, meant: str) -> None:
    check = check_specialty(abbreviation)
    assert check.known
    assert check.canonical == meant == canonical(abbreviation)


@pytest.mark.parametrize(
    ("name", "meant"),
    [
        ("cardiolgy", "cardiology"),
        ("Cardiolgy ", "cardiology"),
        ("dermatolgy", "dermatology"),
        ("nefrology", "nephrology"),
        ("neurolgy", "neurology"),
        ("pediatrcs", "pediatrics"),
        ("opthalmology", "ophthalmology"),
        ("haematology and oncology", "hematology and oncology"),
        ("ob/gin", "obstetrics and gynecology"),
        ("interventional cardiolgy", "interventional cardiology"),
    ],
)
def test_a_misspelling_is_unknown_and_suggests_what_was_meant(name: str, meant: str) -> None:
    check = check_specialty(name)
    assert not check.known
    assert check.canonical is None
    assert meant in check.suggestions
    assert len(check.suggestions) <= 3


def test_the_best_suggestion_comes_first_without_lookalikes() -> None:
    assert check_specialty("cardiolgy").suggestions == ("cardiology",)
    assert check_specialty("dermatolgy").suggestions == ("dermatology",)


@pytest.mark.parametrize(
    ("abbreviation", "meant"),
    [
        ("card", "cardiology"),
        ("neph", "nephrology"),
        ("gastr", "gastroenterology"),
        ("dermo", "dermatology"),
        ("pedi", "pediatrics"),
        ("emerg", "emergency medicine"),
        ("hem", "hematology and oncology"),
    ],
)
def test_an_unknown_abbreviation_suggests_the_specialty_it_starts(
    abbreviation: str, meant: str
) -> None:
    check = check_specialty(abbreviation)
    assert not check.known
    assert check.suggestions[0] == meant


@pytest.mark.parametrize("word", ["banana", "bananas", "apple", "xyz", "kidney"])
def test_an_unrelated_word_is_unknown_with_no_suggestion(word: str) -> None:
    assert check_specialty(word) == SpecialtyCheck(word, False, ())


def test_warnings_name_the_field_the_value_and_the_suggestion() -> None:
    found = specialty_warnings("target_specialties", ["cardiology", "cardiolgy", "cardiolgy"])
    assert len(found) == 1
    (warning,) = found
    assert (warning.field, warning.value, warning.suggestions) == (
        "target_specialties",
        "cardiolgy",
        ("cardiology",),
    )
    assert warning.message == (
        'target_specialties: "cardiolgy" is not a known specialty; did you mean "cardiology"?'
    )
    (banana,) = specialty_warnings("filters.specialties", ["banana"])
    assert banana.message == 'filters.specialties: "banana" is not a known specialty'
    assert format_warnings([warning]) == [f"warning: {warning.message}"]


def test_profile_warnings_cover_mentee_targets_and_mentor_specialties() -> None:
    mentee = Mentee(id="a", stage="MS3", target_specialties=["cards", "dermatolgy"])
    assert [(w.field, w.value) for w in profile_warnings(mentee)] == [
        ("target_specialties", "dermatolgy")
    ]
    mentor = Mentor(
        id="b",
        name="Dr B",
        career_stage="senior",
        specialty="nephrolgy",
        subspecialties=["dialysis", "transplant nephrolgy"],
    )
    warnings = profile_warnings(mentor)
    assert [(w.field, w.value) for w in warnings] == [
        ("specialty", "nephrolgy"),
        ("subspecialties", "transplant nephrolgy"),
    ]
    assert warnings[0].suggestions[0] == "nephrology"
    assert warnings[1].suggestions[0] == "transplant nephrology"
    assert profile_warnings(Mentee(id="c", stage="MS1", interests=["x"])) == []

"""The signal registry: every signal declared once, and everything else derived from it."""

from __future__ import annotations

import ast
from pathlib import Path

import numpy as np
import pytest

from recommender.ranking import ranker as ranker_module
from recommender.ranking.explainer import Explainer
from recommender.ranking.ranker import LinearRanker
from recommender.ranking.registry import (
    DEFAULT_WEIGHTS,
    REGISTRY,
    SIGNALS,
    Signal,
    SignalPair,
    SignalRegistry,
    compute_signals,
    signal_matrix,
)
from recommender.ranking.scored import Candidate
from recommender.ranking.signals import FeedbackStats, SignalContext, SignalValue
from tests.conftest import TODAY, mentee, mentor

RANKING = Path(ranker_module.__file__).resolve().parent
CTX = SignalContext(TODAY, FeedbackStats({}, None))
FAKE = Signal("fake", lambda pair: SignalValue(0.25, {"seen": 1.0}), 0.5, "A made-up signal.")


def test_every_signal_is_declared_once_in_column_order() -> None:
    assert SIGNALS == ("similarity", "accessibility", "credibility", "feedback", "stage_fit")
    assert len(set(SIGNALS)) == len(SIGNALS)
    assert all(s.description.strip() and "\n" not in s.description for s in REGISTRY)
    with pytest.raises(ValueError, match="more than once"):
        REGISTRY.with_signal(Signal("feedback", FAKE.compute, 0.1, "again"))


def test_no_other_ranking_module_spells_out_the_list_of_signals() -> None:
    for path in RANKING.glob("*.py"):
        if path.name == "registry.py":
            continue
        strings = {
            node.value
            for node in ast.walk(ast.parse(path.read_text()))
            if isinstance(node, ast.Constant) and isinstance(node.value, str)
        }
        assert not set(SIGNALS) & strings, f"{path.name} names signals itself"


def test_default_weights_and_the_ranker_derive_from_the_registry() -> None:
    assert {s.name: s.weight for s in REGISTRY} == DEFAULT_WEIGHTS
    assert DEFAULT_WEIGHTS == {
        "similarity": 0.40,
        "accessibility": 0.20,
        "credibility": 0.20,
        "feedback": 0.10,
        "stage_fit": 0.10,
    }
    ranker = LinearRanker()
    assert tuple(ranker.effective_weights) == SIGNALS
    assert ranker.effective_weights == pytest.approx(DEFAULT_WEIGHTS)
    X = signal_matrix([{"feedback": 1.0}])
    assert X.shape == (1, len(SIGNALS))
    assert X[0, SIGNALS.index("feedback")] == 1.0
    fitted = LinearRanker().fit(np.random.default_rng(0).random((50, 5)), np.arange(50) % 2)
    assert tuple(fitted.feature_names_in_) == SIGNALS


def test_compute_signals_gives_every_registered_signal_in_order() -> None:
    values = compute_signals(mentee("e", interests=["x"]), mentor("m"), None, CTX)
    assert tuple(values) == SIGNALS


def test_a_new_registry_entry_reaches_signals_ranker_and_components() -> None:
    extended = REGISTRY.with_signal(FAKE)
    assert extended.names == (*SIGNALS, "fake")
    assert REGISTRY.names == SIGNALS  # the registry itself is unchanged
    who, mentor_ = mentee("e", interests=["x"]), mentor("m")
    signals = compute_signals(who, mentor_, None, CTX, extended)
    assert signals["fake"] == SignalValue(0.25, {"seen": 1.0})
    assert extended.compute(SignalPair(who, mentor_, None, CTX))["fake"].value == 0.25

    X = extended.matrix([{name: value.value for name, value in signals.items()}])
    ranker = LinearRanker(registry=extended)
    weights = ranker.effective_weights
    assert tuple(weights) == extended.names
    assert weights["fake"] == pytest.approx(0.5 / 1.5)
    contributions = ranker.contributions(X)
    candidate = Candidate(
        mentee=who,
        mentor=mentor_,
        rank=1,
        score=float(ranker.predict(X)[0]),
        signals=signals,
        values=X[0],
        contributions=contributions[0],
        queries=[],
        items=[],
        sims=None,
    )
    suggestion = Explainer(extended).explain(candidate, weights)
    assert tuple(suggestion.components) == extended.names
    fake = suggestion.components["fake"]
    assert fake.value == 0.25
    assert fake.contribution == pytest.approx(round(0.25 * 0.5 / 1.5, 6))
    assert Explainer().components(candidate, weights).keys() == set(SIGNALS)


def test_weights_must_be_non_negative() -> None:
    with pytest.raises(ValueError, match="non-negative"):
        SignalRegistry((Signal("bad", FAKE.compute, -1.0, "negative"),))

"""The explainer: one ranked candidate → a ``Suggestion`` with components and reasons."""

from __future__ import annotations

from collections.abc import Mapping

from recommender.domain.suggestion import Component, Suggestion
from recommender.ranking.explain import best_matches, explanation_text, signal_reasons
from recommender.ranking.registry import REGISTRY, SignalRegistry
from recommender.ranking.scored import Candidate


class Explainer:
    """Builds suggestions; one component per signal of ``registry``, in column order.

    Args:
        registry: the signals ranked (the columns of the candidates' values).
    """

    def __init__(self, registry: SignalRegistry = REGISTRY) -> None:
        self.registry = registry

    def components(
        self, candidate: Candidate, weights: Mapping[str, float]
    ) -> dict[str, Component]:
        """Each signal's value, weight and contribution (rounded), and whether it was
        neutral (absent) or withheld (too few raters)."""
        signals = candidate.signals
        return {
            name: Component(
                value=round(float(candidate.values[j]), 6),
                weight=round(weights[name], 6),
                contribution=round(float(candidate.contributions[j]), 6),
                neutral=signals[name].value is None,
                withheld=bool(signals[name].parts.get("withheld")),
            )
            for j, name in enumerate(self.registry.names)
        }

    def explain(self, candidate: Candidate, weights: Mapping[str, float]) -> Suggestion:
        """The suggestion for ``candidate``, given the ranker's effective ``weights``."""
        mentor = candidate.mentor
        matches = best_matches(candidate.queries, candidate.items, candidate.sims)
        reasons = signal_reasons(candidate.mentee, mentor, candidate.signals)
        return Suggestion(
            mentor_id=mentor.id,
            rank=candidate.rank,
            score=round(candidate.score, 6),
            components=self.components(candidate, weights),
            explanation=explanation_text(matches, reasons),
            matches=matches,
            reasons=reasons,
            mentor_name=mentor.name,
            specialty=mentor.specialty,
        )

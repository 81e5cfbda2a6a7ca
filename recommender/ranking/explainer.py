"""The explainer: one ranked candidate → a ``Suggestion`` with components, fit, reasons
and gaps."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date

from recommender.domain.identity import ATTRIBUTE_WORDS
from recommender.domain.suggestion import Component, MentorSideView, Suggestion, fit_percent
from recommender.ranking.explain import Words, best_matches, explanation_text, signal_reasons
from recommender.ranking.gaps import MAX_GAPS, signal_gaps
from recommender.ranking.mentor_side import Side, side_sentences
from recommender.ranking.registry import REGISTRY, SignalRegistry
from recommender.ranking.scored import Candidate


def shown_score(value: float) -> float:
    """A suggestion's score as shown and stored: six decimals."""
    return round(value, 6)


class Explainer:
    """Builds suggestions; one component per signal of ``registry``, in column order.

    Args:
        registry: the signals ranked (the columns of the candidates' values).
        today: the date at which timezones are compared for the gaps (daylight saving).
        words: the words a mentee's texts share with a mentor's items (the lexical index's
            ``matched_terms``); None: matches by meaning only.
    """

    def __init__(
        self,
        registry: SignalRegistry = REGISTRY,
        today: Callable[[], date] = date.today,
        words: Words | None = None,
    ) -> None:
        self.registry = registry
        self.today = today
        self.words = words

    def components(
        self, candidate: Candidate, weights: Mapping[str, float]
    ) -> dict[str, Component]:
        """Each signal's value, weight and contribution (rounded), and whether it was
        neutral (absent) or withheld (too few raters)."""
        signals = candidate.signals
        values = candidate.values.tolist()
        contributions = candidate.contributions.tolist()
        return {
            name: Component(
                value=round(values[j], 6),
                weight=round(weights[name], 6),
                contribution=round(contributions[j], 6),
                neutral=signals[name].value is None,
                withheld=bool(signals[name].parts.get("withheld")),
            )
            for j, name in enumerate(self.registry.names)
        }

    def explain(
        self,
        candidate: Candidate,
        weights: Mapping[str, float],
        side: Side | None = None,
        identity: Sequence[str] = (),
    ) -> Suggestion:
        """The suggestion for ``candidate``, given the ranker's effective ``weights``, the
        mentor's side of the pair (``side``; None: one-sided) and the identity attributes
        they share with the mentee who asked (``identity``: said to that mentee only)."""
        mentor = candidate.mentor
        matches = best_matches(candidate.queries, candidate.items, candidate.sims, words=self.words)
        reasons = signal_reasons(candidate.mentee, mentor, candidate.signals)
        gaps = signal_gaps(candidate.mentee, mentor, candidate.signals, self.today())
        if identity:
            words = ", ".join(ATTRIBUTE_WORDS[a] for a in identity)
            reasons = [*reasons, f"Shares what you asked to be matched on: {words}."]
        view = None
        if side is not None:
            said, missing = side_sentences(side)
            reasons, gaps = reasons + said, (missing + gaps)[:MAX_GAPS]
            view = MentorSideView(
                round(side.factor, 6),
                round(side.chance, 6),
                round(side.typical, 6),
                side.accepted,
                side.asked,
                side.band,
                side.takes,
                side.outside,
            )
        score = shown_score(candidate.score)
        return Suggestion(
            mentor_id=mentor.id,
            rank=candidate.rank,
            score=score,
            fit=fit_percent(score),
            components=self.components(candidate, weights),
            explanation=explanation_text(matches, reasons, gaps),
            matches=matches,
            reasons=reasons,
            gaps=gaps,
            mentor_name=mentor.name,
            specialty=mentor.specialty,
            mentor_side=view,
            identity=list(identity),
        )

"""The BEIR adapter: a document's items are its mentor's work items, each once."""

from __future__ import annotations

from evaluation.adapter import to_cohort
from evaluation.beir import BeirDataset, Doc, Query

PAPERS = [
    "Deep learning for retinal imaging. We train a network on fundus photographs.",
    "Causal inference in observational cohorts. We compare propensity methods.",
]


def dataset(*docs: Doc) -> BeirDataset:
    return BeirDataset(
        name="t",
        corpus={d.id: d for d in docs},
        queries={"q1": Query(id="q1", text="retina imaging")},
        qrels={"q1": {docs[0].id: 1.0}},
    )


def test_a_text_that_joins_the_items_is_not_embedded_again() -> None:
    joined = Doc(id="a", title="Dr A", text="\n\n".join(PAPERS), items=list(PAPERS))
    (mentor,) = to_cohort(dataset(joined)).mentors
    assert mentor.work_items == ["Dr A", *PAPERS], "each paper once, no straddling chunk"


def test_a_text_of_its_own_stays_beside_the_items() -> None:
    bio = Doc(id="b", title="Dr B", text="Ophthalmologist in Leeds.", items=list(PAPERS))
    (mentor,) = to_cohort(dataset(bio)).mentors
    assert mentor.work_items == ["Dr B. Ophthalmologist in Leeds.", *PAPERS]
    plain = Doc(id="c", title="", text="Retina surgeon.")
    (alone,) = to_cohort(dataset(plain)).mentors
    assert alone.work_items == ["Retina surgeon."]

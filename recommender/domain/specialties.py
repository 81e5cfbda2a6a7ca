"""Specialty names: common aliases, and which subspecialty belongs to which parent field.

Used by the credibility signal: an exact specialty match counts fully, a parent/child or
sibling match (cardiology for an internal-medicine applicant) counts partly.
"""

from __future__ import annotations

from functools import lru_cache

from recommender.domain.profiles import normalise_specialty

ALIASES: dict[str, str] = {
    "ob/gyn": "obstetrics and gynecology",
    "obgyn": "obstetrics and gynecology",
    "ob-gyn": "obstetrics and gynecology",
    "ent": "otolaryngology",
    "peds": "pediatrics",
    "paediatrics": "pediatrics",
    "em": "emergency medicine",
    "im": "internal medicine",
    "gi": "gastroenterology",
    "id": "infectious diseases",
    "infectious disease": "infectious diseases",
    "pm&r": "physical medicine and rehabilitation",
    "pmandr": "physical medicine and rehabilitation",
    "pm and r": "physical medicine and rehabilitation",
    "orthopedic surgery": "orthopaedic surgery",
    "orthopedics": "orthopaedic surgery",
    "ortho": "orthopaedic surgery",
    "anaesthesiology": "anesthesiology",
    "anesthesia": "anesthesiology",
    "hem/onc": "hematology and oncology",
    "heme/onc": "hematology and oncology",
    "oncology": "hematology and oncology",
    "pulmonology": "pulmonary and critical care",
    "critical care": "pulmonary and critical care",
    "pccm": "pulmonary and critical care",
    "gen surg": "general surgery",
    "surgery": "general surgery",
    "family practice": "family medicine",
    "psych": "psychiatry",
}

PARENT: dict[str, str] = {
    "cardiology": "internal medicine",
    "gastroenterology": "internal medicine",
    "nephrology": "internal medicine",
    "pulmonary and critical care": "internal medicine",
    "infectious diseases": "internal medicine",
    "endocrinology": "internal medicine",
    "hematology and oncology": "internal medicine",
    "rheumatology": "internal medicine",
    "geriatrics": "internal medicine",
    "hospital medicine": "internal medicine",
    "interventional cardiology": "cardiology",
    "electrophysiology": "cardiology",
    "heart failure and transplant cardiology": "cardiology",
    "hepatology": "gastroenterology",
    "neonatology": "pediatrics",
    "pediatric cardiology": "pediatrics",
    "pediatric emergency medicine": "pediatrics",
    "child and adolescent psychiatry": "psychiatry",
    "addiction psychiatry": "psychiatry",
    "maternal-fetal medicine": "obstetrics and gynecology",
    "reproductive endocrinology and infertility": "obstetrics and gynecology",
    "gynecologic oncology": "obstetrics and gynecology",
    "vascular surgery": "general surgery",
    "surgical oncology": "general surgery",
    "trauma surgery": "general surgery",
    "colorectal surgery": "general surgery",
    "pediatric surgery": "general surgery",
    "sports medicine": "family medicine",
    "stroke neurology": "neurology",
    "epilepsy": "neurology",
    "neuroradiology": "radiology",
    "interventional radiology": "radiology",
    "dermatopathology": "pathology",
    "cytopathology": "pathology",
    "retina": "ophthalmology",
    "pediatric ophthalmology": "ophthalmology",
    "pain medicine": "anesthesiology",
    "cardiothoracic anesthesiology": "anesthesiology",
}


@lru_cache(maxsize=8192)
def canonical(name: str) -> str:
    """Normalised specialty name with aliases resolved ("Ob/Gyn" → "obstetrics and gynecology")."""
    key = normalise_specialty(name)
    return ALIASES.get(key, key)


def _lineage(name: str) -> list[str]:
    chain = [name]
    while chain[-1] in PARENT and len(chain) < 5:
        chain.append(PARENT[chain[-1]])
    return chain


def specialty_match(targets: set[str], offered: set[str]) -> float:
    """How well a mentor's specialties serve a mentee's targets, in [0, 1].

    1.0 when a target is one of the mentor's specialties, 0.6 when one is the parent or child
    of the other (internal medicine ↔ cardiology), 0.3 for siblings under one parent
    (cardiology ↔ nephrology), else 0.

    Args:
        targets: the mentee's canonical target specialties (non-empty).
        offered: the mentor's canonical specialty and subspecialties.
    """
    if targets & offered:
        return 1.0
    best = 0.0
    for target in targets:
        t_line = _lineage(target)
        for spec in offered:
            s_line = _lineage(spec)
            if target in s_line or spec in t_line:
                best = max(best, 0.6)
            elif set(t_line[1:]) & set(s_line[1:]):
                best = max(best, 0.3)
    return best

"""Specialty names: common aliases, and which subspecialty belongs to which parent field.

Used by the credibility signal: an exact specialty match counts fully, a parent/child or
sibling match (cardiology for an internal-medicine applicant) counts partly. ``KNOWN`` (all
names the taxonomy recognises) lets ``recommender.domain.vocabulary_check`` warn about names
it does not.
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
    # Abbreviations trainees use (and the lay names of the sample cohort).
    "cards": "cardiology",
    "cardio": "cardiology",
    "derm": "dermatology",
    "neuro": "neurology",
    "nephro": "nephrology",
    "endo": "endocrinology",
    "gastro": "gastroenterology",
    "rheum": "rheumatology",
    "geri": "geriatrics",
    "geriatric medicine": "geriatrics",
    "heme-onc": "hematology and oncology",
    "heme onc": "hematology and oncology",
    "hemonc": "hematology and oncology",
    "onc": "hematology and oncology",
    "pulm": "pulmonary and critical care",
    "pulm crit": "pulmonary and critical care",
    "pulmonary": "pulmonary and critical care",
    "pulmonary and critical care medicine": "pulmonary and critical care",
    "rads": "radiology",
    "path": "pathology",
    "ophtho": "ophthalmology",
    "uro": "urology",
    "neurosurg": "neurosurgery",
    "rad onc": "radiation oncology",
    "radonc": "radiation oncology",
    "internal med": "internal medicine",
    "family med": "family medicine",
    "pmr": "physical medicine and rehabilitation",
    "physiatry": "physical medicine and rehabilitation",
    "obstetrics": "obstetrics and gynecology",
    "gynecology": "obstetrics and gynecology",
    "obstetrics and gynaecology": "obstetrics and gynecology",
    "ear nose and throat": "otolaryngology",
    "orthopaedics": "orthopaedic surgery",
    "cardiac anesthesiology": "cardiothoracic anesthesiology",
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


SPECIALTIES: tuple[str, ...] = (
    "allergy and immunology",
    "anesthesiology",
    "cardiology",
    "cardiothoracic surgery",
    "dermatology",
    "emergency medicine",
    "endocrinology",
    "family medicine",
    "gastroenterology",
    "general surgery",
    "hematology and oncology",
    "infectious diseases",
    "internal medicine",
    "medical genetics",
    "nephrology",
    "neurology",
    "neurosurgery",
    "nuclear medicine",
    "obstetrics and gynecology",
    "ophthalmology",
    "orthopaedic surgery",
    "otolaryngology",
    "pathology",
    "pediatrics",
    "physical medicine and rehabilitation",
    "plastic surgery",
    "preventive medicine",
    "psychiatry",
    "pulmonary and critical care",
    "radiation oncology",
    "radiology",
    "urology",
)
"""The main specialties (canonical names), listed first when suggesting a name."""

OTHER_SUBSPECIALTIES: frozenset[str] = frozenset(
    {
        "adolescent medicine",
        "adult reconstruction",
        "advanced endoscopy",
        "advanced heart failure",
        "bariatric surgery",
        "benign hematology",
        "body imaging",
        "bone and mineral metabolism",
        "bone marrow transplantation",
        "brachytherapy",
        "brain injury medicine",
        "breast imaging",
        "cardiac imaging",
        "cerebrovascular neurosurgery",
        "consultation-liaison psychiatry",
        "cornea",
        "critical care medicine",
        "diabetes",
        "dialysis",
        "ems and prehospital care",
        "emergency ultrasound",
        "endourology",
        "general internal medicine",
        "glaucoma",
        "glomerular disease",
        "head and neck surgery",
        "hematopathology",
        "hiv medicine",
        "hospital epidemiology",
        "inflammatory bowel disease",
        "interstitial lung disease",
        "laryngology",
        "medical oncology",
        "movement disorders",
        "neuromuscular medicine",
        "neurosurgical oncology",
        "obstetric anesthesiology",
        "obstetrics in family medicine",
        "oculoplastics",
        "otology",
        "palliative care",
        "pediatric critical care",
        "pediatric dermatology",
        "pediatric hospital medicine",
        "pediatric radiation oncology",
        "pediatric urology",
        "regional anesthesia",
        "reproductive endocrinology",
        "rhinology",
        "rural medicine",
        "sleep medicine",
        "spinal cord injury medicine",
        "spine neurosurgery",
        "spine surgery",
        "hand surgery",
        "mohs surgery",
        "stereotactic radiosurgery",
        "surgical pathology",
        "thyroid disease",
        "toxicology",
        "transfusion medicine",
        "transplant infectious diseases",
        "transplant nephrology",
        "trauma and acute care surgery",
        "urologic oncology",
        "vascular neurology",
    }
)
"""Recognised subspecialties whose parent is not recorded in ``PARENT``: naming one is no
mistake, but it matches only itself in ``specialty_match``."""

KNOWN: frozenset[str] = frozenset(
    {*SPECIALTIES, *PARENT, *PARENT.values(), *ALIASES.values(), *OTHER_SUBSPECIALTIES}
)
"""Every canonical specialty name the taxonomy recognises."""


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

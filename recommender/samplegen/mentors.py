"""Mentor records: career stage, topics, availability, publications and a varied bio."""

from __future__ import annotations

import math
import random
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from recommender.samplegen.draw import (
    allocate,
    article,
    cap,
    draw_names,
    modes,
    parse_weights,
    pick,
    sample,
    second_language,
    site,
    years,
)
from recommender.samplegen.topics import CROSS_TOPICS, SPECIALTIES, Specialty, Topic, lines
from recommender.samplegen.vocabulary import backgrounds, mentor_text

_CAREER_STAGES: dict[str, float] = {
    "resident": 9,
    "fellow": 9,
    "early_career": 28,
    "mid_career": 30,
    "senior": 19,
    "emeritus": 3,
}
# "offer weight" pairs per stage group; parsed by parse_weights.
_MENTOR_OFFERS: dict[str, str] = {
    "resident": "residency_applications 5; clinical_skills 4; career_advice 3; wellness 3;"
    " work_life_balance 2; shadowing 1; research_collaboration 1",
    "fellow": "career_advice 4; residency_applications 3; research_collaboration 3;"
    " clinical_skills 3; wellness 2; work_life_balance 2; shadowing 1; leadership 1",
    "early_career": "career_advice 5; research_collaboration 3; shadowing 3; clinical_skills 3;"
    " residency_applications 3; wellness 2; work_life_balance 2; leadership 1",
    "mid_career": "career_advice 5; research_collaboration 4; shadowing 3; leadership 3;"
    " residency_applications 3; clinical_skills 2; work_life_balance 2; wellness 1",
    "senior": "career_advice 5; research_collaboration 4; leadership 4; shadowing 2;"
    " residency_applications 2; work_life_balance 2; clinical_skills 1; wellness 1",
    "emeritus": "career_advice 5; leadership 3; work_life_balance 3; wellness 2;"
    " research_collaboration 1; shadowing 1",
}
_DISEASE = re.compile(
    r"disease|cancer|failure|fibrillation|syndrome|injury|infection|disorder|hepatitis|sepsis|"
    r"stroke|epilepsy|sclerosis|dementia|migraine|psychosis|asthma|osteoporosis|melanoma|"
    r"glaucoma|stones|pancreatitis|bleeding|tuberculosis|thromboembolism|leukemia|apnea|"
    r"hemangioma|suppurativa|depression|PTSD|hypertension|infertility",
    re.IGNORECASE,
)


@dataclass
class MentorDraft:
    """A mentor under construction (fields are final once feedback is drawn)."""

    data: dict[str, Any]
    specialty: Specialty
    topics: list[Topic]
    quality: float
    conflicts: list[str] = field(default_factory=list)

    @property
    def id(self) -> str:
        return str(self.data["id"])

    @property
    def free(self) -> int:
        return int(self.data["capacity"]) - int(self.data["current_mentees"])


def _role_intro(rng: random.Random, stage: str, spec: Specialty, sub: str) -> str:
    if stage == "resident":
        return f"a PGY-{rng.randint(2, max(2, spec.residency_years))} resident in {spec.name}"
    if stage == "fellow":
        return f"a {rng.choice(['first', 'second', 'third'])}-year fellow in {sub}"
    noun = spec.specialist
    options = {
        "early_career": [f"an assistant professor of {spec.name}", f"an attending {noun}"],
        "mid_career": [f"an associate professor of {spec.name}", f"the director of {sub}"],
        "senior": [f"a professor of {spec.name}", f"the chief of {sub}"],
        "emeritus": [f"a professor emeritus of {spec.name}", f"an emeritus {noun}"],
    }[stage]
    if sub == spec.name and stage in ("mid_career", "senior"):  # nothing to direct
        options = options[:1]
    return rng.choice(options)


def _teaching_roles(rng: random.Random, stage: str, spec: Specialty) -> list[str]:
    if stage in ("resident", "fellow"):
        return rng.sample(lines(backgrounds.TRAINEE_TEACHING_ROLES), rng.choice([0, 0, 1]))
    roles = []
    for role in rng.sample(
        lines(backgrounds.TEACHING_ROLES), rng.choices([0, 1, 2, 3], [25, 40, 25, 10])[0]
    ):
        role = role.format(specialty=spec.name)
        if spec.residency_years == 0:
            role = role.replace("residency", "fellowship").replace("clerkship", "elective")
        roles.append(role)
    return roles


def _publication(rng: random.Random, topic: Topic, as_of: date, child: bool) -> str:
    patterns = [p for p in lines(mentor_text.PUBLICATION_PATTERNS) if not p.startswith("!")]
    if _DISEASE.search(topic.interest):
        patterns += [p[1:] for p in lines(mentor_text.PUBLICATION_PATTERNS) if p.startswith("!")]
    interv = rng.choice(topic.interventions)
    y2 = as_of.year - rng.randint(2, 6)
    values = {
        "interv": interv,
        "Interv": cap(interv),
        "cond": topic.interest,
        "research": topic.research,
        "Research": cap(topic.research),
        "pop": rng.choice(
            lines(mentor_text.CHILD_POPULATIONS if child else mentor_text.POPULATIONS)
        ),
        "outcome": rng.choice(lines(mentor_text.OUTCOMES)),
        "y1": str(y2 - rng.randint(5, 12)),
        "y2": str(y2),
    }
    return cap(rng.choice(patterns).format(**values))


def _bio(rng: random.Random, draft: MentorDraft, ref: str, role_intro: str, as_of: date) -> str:
    data, spec = draft.data, draft.specialty
    interests, research = data["interests"], data["research_areas"]
    trainee = data["career_stage"] in ("resident", "fellow")
    city = str(data["location"]).split(",")[0]
    values = {
        "ref": ref,
        "role_intro": role_intro,
        "campus": "the main Chicago campus" if "main" in data["location"] else f"our {city} site",
        "city": city,
        "specialist": spec.specialist,
        "a_specialist": article(spec.specialist),
        "specialty": spec.name,
        "sub": (data["subspecialties"] or [spec.name])[0],
        "i1": interests[0],
        "i2": interests[1],
        "r1": research[0],
        "r2": research[1] if len(research) > 1 else interests[1],
        "years": years(max(1, int(data["years_in_practice"]))),
        "teach": article(data["teaching_roles"][0]) if data["teaching_roles"] else "",
        "since": str(as_of.year - rng.randint(0 if trainee else 1, 1 if trainee else 9)),
        "hobby": rng.choice(lines(backgrounds.HOBBIES)),
        "lang": cap(data["languages"][-1]),
        "funder": rng.choice(lines(backgrounds.FUNDERS)),
        "other": rng.choice([s.name for s in SPECIALTIES if s is not spec]),
        "school": rng.choice(lines(backgrounds.SCHOOLS)),
        "origin": rng.choice(lines(backgrounds.ORIGINS)),
        "prior": rng.choice(lines(backgrounds.PRIOR_JOBS)),
        "kids": rng.choice(["two", "three", "a toddler", "twins", "one teenager"]),
        "mentored": str(max(5, 10 * (int(data["years_in_practice"]) // 3))),
    }
    intro = mentor_text.BIO_INTRO_TRAINEE if trainee else mentor_text.BIO_INTRO_ATTENDING
    pools = [mentor_text.BIO_PHILOSOPHY, mentor_text.BIO_PERSONAL, mentor_text.BIO_PHILOSOPHY]
    if data["publication_count"] > 3:
        pools.append(mentor_text.BIO_RESEARCH)
    if data["teaching_roles"]:
        pools.append(mentor_text.BIO_TEACHING)
    if len(data["languages"]) > 1:
        pools.append(mentor_text.BIO_LANGUAGE)
    rng.shuffle(pools)
    chosen = [rng.choice(lines(intro))]
    for pool in pools[: rng.randint(1, 4)]:
        sentence = rng.choice(lines(pool))
        if sentence not in chosen:
            chosen.append(sentence)
    return " ".join(cap(s.format(**values)) for s in chosen)


def _mentor_draft(
    rng: random.Random, mentor_id: str, name: tuple[str, str], spec: Specialty, as_of: date
) -> MentorDraft:
    stage = pick(rng, _CAREER_STAGES)
    if stage == "resident" and spec.residency_years == 0:
        stage = "fellow"  # internal-medicine subspecialties have fellows, not residents
    trainee = stage in ("resident", "fellow")
    years = {"resident": (0, 0), "fellow": (0, 0), "early_career": (1, 7)}.get(
        stage, {"mid_career": (8, 20), "senior": (21, 36), "emeritus": (33, 48)}.get(stage, (0, 0))
    )
    n_topics = rng.choices([2, 3, 4, 5], weights=[3, 4, 2, 1])[0]
    cross = rng.random() < 0.3
    topics = rng.sample(spec.topics, n_topics - cross)
    if cross:
        topics.insert(rng.randint(1, len(topics)), rng.choice(CROSS_TOPICS))
    active = rng.random() < {"resident": 0.4, "fellow": 0.6}.get(stage, 0.6)
    low, high = {
        "resident": (0, 4),
        "fellow": (1, 12),
        "early_career": (2, 25),
        "mid_career": (10, 80),
        "senior": (30, 220),
        "emeritus": (50, 260),
    }[stage]
    pub_count = int(low + (high - low) * rng.random() ** 2)
    if not active:
        pub_count //= 5
    n_research = rng.randint(2, min(4, n_topics)) if active else 1
    subs = list(spec.subspecialties)
    n_subs = 0 if stage == "resident" else 1 if trainee else rng.choices([0, 1, 2], [3, 5, 2])[0]
    capacity = rng.choices(range(7), weights=[3, 17, 30, 25, 13, 7, 5])[0]
    if stage == "emeritus":
        capacity = min(capacity, 2)
    full = capacity > 0 and rng.random() < 0.12
    current = capacity if full else rng.randint(0, max(0, capacity - 1)) // rng.choice([1, 2])
    languages = ["english"]
    if rng.random() < 0.22:
        languages.append(second_language(rng))
    location, tz = site(rng)
    quality = rng.gauss(0, 0.6)
    response = math.exp(rng.gauss(math.log(20) - 0.5 * quality, 0.9))
    offers, offer_weights = parse_weights(_MENTOR_OFFERS[stage])
    data: dict[str, Any] = {
        "id": mentor_id,
        "name": _display_name(rng, name, trainee),
        "career_stage": stage,
        "specialty": spec.name,
        "subspecialties": rng.sample(subs, min(n_subs, len(subs))),
        "interests": [t.interest for t in topics],
        "research_areas": [t.research for t in topics[:n_research]],
        "offers": sample(rng, offers, offer_weights, rng.choices([1, 2, 3, 4], [2, 4, 3, 1])[0]),
        "meeting_modes": modes(rng),
        "languages": languages,
        "location": location,
        "timezone": tz,
        "hours_per_month": rng.choice([1, 1.5, 2, 2, 3] if trainee else [1, 2, 3, 4, 5, 6, 8, 10]),
        "capacity": capacity,
        "current_mentees": current,
        "years_in_practice": rng.randint(*years),
        "publication_count": pub_count,
        "teaching_roles": _teaching_roles(rng, stage, spec),
        "mentor_training": rng.random() < (0.25 if trainee else 0.5),
        "response_time_hours": None
        if rng.random() < 0.06
        else round(min(200, max(2, response)), 1),
        "last_active": None if rng.random() < 0.05 else as_of - timedelta(days=_recency(rng)),
    }
    child = spec.name == "pediatrics"
    n_pubs = min(8, round(math.sqrt(pub_count) * rng.uniform(0.2, 1.0)))
    titles: list[str] = []
    for _ in range(n_pubs * 3):
        title = _publication(rng, rng.choice(topics[: max(n_research, 2)]), as_of, child)
        if len(titles) < n_pubs and title not in titles:
            titles.append(title)
    data["publications"] = titles
    return MentorDraft(data, spec, topics, quality)


def _display_name(rng: random.Random, name: tuple[str, str], trainee: bool) -> str:
    first, last = name
    style = rng.random()
    if style < (0.3 if trainee else 0.5):
        return f"Dr. {first} {last}"
    if style < (0.4 if trainee else 0.65):
        return f"{first} {last}, MD"
    return f"{first} {last}"


def _recency(rng: random.Random) -> int:
    """Days since last activity: most mentors were active recently, a tail up to two years."""
    return min(729, int(rng.expovariate(1 / 80)))


def mentor_drafts(rng: random.Random, n: int, as_of: date) -> list[MentorDraft]:
    counts = allocate(n, [s.faculty_weight for s in SPECIALTIES], 3)
    specs = [s for s, c in zip(SPECIALTIES, counts, strict=True) for _ in range(c)]
    rng.shuffle(specs)
    names = draw_names(rng, n, {})
    drafts: list[MentorDraft] = []
    seen: dict[str, bool] = {}
    for i, (spec, name) in enumerate(zip(specs, names, strict=True), start=1):
        draft = _mentor_draft(rng, f"mentor-{i:04d}", name, spec, as_of)
        trainee = draft.data["career_stage"] in ("resident", "fellow")
        ref = name[0] if trainee else f"Dr. {name[1]}"
        intro = _role_intro(rng, draft.data["career_stage"], spec, _sub_or_name(draft))
        bio = _bio(rng, draft, ref, intro, as_of)
        while bio in seen:
            bio = _bio(rng, draft, ref, intro, as_of)
        seen[bio] = True
        draft.data["bio"] = bio
        drafts.append(draft)
    return drafts


def _sub_or_name(draft: MentorDraft) -> str:
    return str((draft.data["subspecialties"] or [draft.specialty.name])[0])

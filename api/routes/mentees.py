"""``/v1/mentees``."""

from __future__ import annotations

from api.routes.records import record_router
from api.schemas import MenteeForMentor, MenteeIn, MenteesPublic
from recommender.domain.kinds import Kind
from recommender.domain.profiles import Mentee

router = record_router(
    Kind.MENTEES, "mentee", Mentee, MenteeIn, MenteesPublic, read_type=MenteeForMentor | Mentee
)

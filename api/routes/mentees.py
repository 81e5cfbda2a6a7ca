"""``/v1/mentees``."""

from __future__ import annotations

from api.routes.records import record_router
from api.schemas import MenteeForMentor, MenteeIn, MenteesPublic
from recommender.profiles import Mentee

router = record_router(
    "mentees", "mentee", Mentee, MenteeIn, MenteesPublic, read_type=MenteeForMentor | Mentee
)

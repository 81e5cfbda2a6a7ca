"""``/v1/mentors``."""

from __future__ import annotations

from api.routes.records import record_router
from api.schemas import MentorIn, MentorPublic, MentorsPublic
from recommender.profiles import Mentor

router = record_router(
    "mentors", "mentor", Mentor, MentorIn, MentorsPublic, read_type=MentorPublic | Mentor
)

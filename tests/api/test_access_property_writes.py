"""The access audit on the routes where mentee and mentor keys write: nothing beyond the key."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.api.access_audit import AUDIT, audit
from tests.api.access_model import CALLERS, C
from tests.api.access_strategies import requests
from tests.api.access_world import World
from tests.api.access_world import world as world  # a pytest fixture

OWN_EXAMPLES = 120
"""Examples over the routes where mentees and mentors write (about 20 s)."""


OWN_WRITES = (
    ("PUT", "/v1/mentors/{record_id}"),
    ("PUT", "/v1/mentees/{record_id}"),
    ("POST", "/v1/feedback"),
    ("POST", C + "/requests"),
)
"""Routes where a mentee or mentor key writes: what it may set is narrower than the body."""


@settings(AUDIT, max_examples=OWN_EXAMPLES)
@given(data=st.data())
def test_mentee_and_mentor_writes_stay_within_the_key(world: World, data: st.DataObject) -> None:
    """Properties 1–4 for mentee and mentor keys on the routes where they write."""
    people = tuple(c for c in CALLERS if c.role in ("mentee", "mentor"))
    caller, call = data.draw(requests(world, OWN_WRITES, people), label="request")
    problems = audit(world, caller, call)
    assert not problems, "\n".join(problems)

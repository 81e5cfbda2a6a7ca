"""A Hypothesis audit of README.md's access table: random caller × route × ids × body.

Each example draws a caller (no token, a bad token, admin, the ``prog1`` coordinator, mentee
``me1``, mentor ``card1``, and mentee ``me3`` / mentor ``neu1`` who belong to no cohort and no
assignment), one of the app's routes (every method and path template), object ids (the
caller's own, someone else's, missing ones) and a body (valid for the route, sometimes with an
extra field such as ``role``/``scopes``/``actor``, a field the caller may not set, or someone
else's id). ``expect`` is a small function of (caller, route, whose object) written from the
README's "HTTP API" table and its footnotes, not from what the app answers today. Properties:

1. nothing the table forbids succeeds, and a mentee's or mentor's successful write leaves other
   people's records as they were;
2. existence never leaks: for an object the caller may not see, the answer (status and body)
   is the answer for a missing id of the same kind;
3. never a 5xx;
4. answers carry no conflict list, activity log, feedback comment, request note, contact
   detail or mentee record the caller is not granted (sentinel strings planted in the world).

The world (built once per module): the twelve ``FACULTY`` mentors; mentees me1 and me4 in
cohort c1 (program prog1, mentors card1 and card2), me2 in c2 (prog2, orth1 and psy1), me3 in
none; one approved assignment pairing me1 with card1; an open draft in each cohort. GETs run
against one shared copy of it; every other request runs against its own throwaway copy of the
SQLite file and index snapshot, so no example changes what the next one sees.

The run over every route is here, the run over the routes where mentees and mentors write in
``test_access_property_writes.py``; the model, ``expect``, the strategies, the world and the
properties are in ``access_model.py``, ``access_expect.py``, ``access_strategies.py``,
``access_world.py`` and ``access_audit.py``.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.api.access_audit import AUDIT, audit
from tests.api.access_model import ROLES
from tests.api.access_strategies import BUILDERS, requests
from tests.api.access_world import World
from tests.api.access_world import world as world  # a pytest fixture

EXAMPLES = 350
"""Examples over every route (about 40 s on two cores)."""


def test_the_audit_knows_every_route_of_the_app(world: World) -> None:
    """A new route fails here until ``ROLES`` and ``BUILDERS`` say who may use it."""
    assert ("GET", "/v1/me") in world.routes and len(world.routes) > 30  # not a vacuous walk
    assert world.routes - set(BUILDERS) == set(), "routes the audit does not know"
    assert world.routes - set(ROLES) == set(), "routes without a row of the access table"
    assert set(BUILDERS) - world.routes == set(), "the audit knows routes the app lacks"


@settings(AUDIT, max_examples=EXAMPLES)
@given(data=st.data())
def test_no_call_breaks_the_access_table(world: World, data: st.DataObject) -> None:
    """Properties 1–4 for a random caller, route, ids and body."""
    caller, call = data.draw(requests(world), label="request")
    problems = audit(world, caller, call)
    assert not problems, "\n".join(problems)

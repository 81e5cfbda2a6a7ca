"""Who is asking: bearer tokens → ``Principal``, and role guards for routes.

Every route except ``/health`` (liveness only), the OpenAPI document and the static coordinator
page needs ``Authorization: Bearer <token>``. A missing, unknown or revoked token gets 401; a
role that may never use a route gets 403; an object outside the caller's reach gets 404, the
same answer as a missing one, so existence does not leak (see ``api.access``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from api.security import authenticated
from recommender.domain.kinds import Role
from recommender.storage.keys import Principal

bearer = HTTPBearer(
    auto_error=False,
    description="An API key: `mentor-match keys create --role ...`, or the bootstrap admin "
    "token (MENTOR_MATCH_BOOTSTRAP_ADMIN_TOKEN).",
)


def _unauthorized(message: str) -> HTTPException:
    return HTTPException(
        status.HTTP_401_UNAUTHORIZED, message, headers={"WWW-Authenticate": "Bearer"}
    )


async def optional_principal(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Principal | None:
    """The caller, or None without a token; 401 for a token that is not valid."""
    if credentials is None:
        if request.headers.get("authorization"):
            raise _unauthorized("the Authorization header must be 'Bearer <token>'")
        return None
    checked = authenticated(request)  # the guard authenticated the token (api.security)
    found = checked[1] if checked is not None else None
    if found is None:
        raise _unauthorized("the bearer token is unknown, revoked or expired")
    request.state.principal = found
    return found


async def get_principal(
    principal: Annotated[Principal | None, Depends(optional_principal)],
) -> Principal:
    """The caller; 401 without a token."""
    if principal is None:
        raise _unauthorized("a bearer token is required (Authorization: Bearer <token>)")
    return principal


def allow(*roles: Role) -> Callable[..., Awaitable[Principal]]:
    """A dependency admitting only ``roles`` (403 for the others)."""

    async def check(principal: Annotated[Principal, Depends(get_principal)]) -> Principal:
        if principal.role not in roles:
            raise HTTPException(
                status.HTTP_403_FORBIDDEN, f"a {principal.role} key may not use this route"
            )
        return principal

    return check


PrincipalDep = Annotated[Principal, Depends(get_principal)]
OptionalPrincipalDep = Annotated[Principal | None, Depends(optional_principal)]
AdminDep = Annotated[Principal, Depends(allow("admin"))]
StaffDep = Annotated[Principal, Depends(allow("admin", "coordinator"))]

AUTH_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: {"description": "The body could not be read (not UTF-8), or another bad request."},
    401: {"description": "No, unknown or revoked bearer token."},
    403: {"description": "The key's role may not use this route."},
    404: {"description": "No such record, or none the caller may see."},
    409: {"description": "The change does not fit the record's state."},
    413: {"description": "The body or a batch is too large."},
}
"""Documented on every protected router, so the OpenAPI document lists these answers."""

"""The one place domain errors become HTTP statuses."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import ValidationError

from recommender.domain.clock import ClockNotSettable
from recommender.domain.errors import InvalidProfile, MentorMatchError, ModelUnavailable, NotFound
from recommender.domain.relationships import TransitionRefused
from recommender.matching.review import ReviewConflict
from recommender.matching.solver import InfeasibleAssignment
from recommender.retrieval.workload import EmbeddingBudgetExceeded

log = logging.getLogger(__name__)


def validation_detail(
    error: ValidationError, prefix: tuple[str | int, ...] = ("body",)
) -> list[object]:
    """Pydantic errors as FastAPI's 422 detail entries, ``loc`` prefixed."""
    return [
        {"loc": [*prefix, *err["loc"]], "msg": err["msg"], "type": err["type"]}
        for err in error.errors()
    ]


def install(app: FastAPI) -> None:
    """Register exception handlers mapping library errors to 404/413/422/429/503."""

    @app.exception_handler(NotFound)
    async def _not_found(_: Request, exc: NotFound) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=404)

    @app.exception_handler(InvalidProfile)
    async def _invalid(_: Request, exc: InvalidProfile) -> JSONResponse:
        detail = [{"loc": ["body", exc.field], "msg": exc.problem, "type": "value_error"}]
        return JSONResponse({"detail": detail}, status_code=422)

    @app.exception_handler(ValidationError)
    async def _pydantic(_: Request, exc: ValidationError) -> JSONResponse:
        return JSONResponse({"detail": validation_detail(exc)}, status_code=422)

    @app.exception_handler(InfeasibleAssignment)
    async def _infeasible(_: Request, exc: InfeasibleAssignment) -> JSONResponse:
        detail = [{"loc": ["body"], "msg": str(exc), "type": "infeasible"}]
        return JSONResponse({"detail": detail}, status_code=422)

    @app.exception_handler(ReviewConflict)
    async def _conflict(_: Request, exc: ReviewConflict) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=409)

    @app.exception_handler(TransitionRefused)
    async def _refused(_: Request, exc: TransitionRefused) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=409)

    @app.exception_handler(ClockNotSettable)
    async def _clock(_: Request, exc: ClockNotSettable) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=409)

    @app.exception_handler(ModelUnavailable)
    async def _model(_: Request, exc: ModelUnavailable) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=503)

    @app.exception_handler(MentorMatchError)
    async def _other(_: Request, exc: MentorMatchError) -> JSONResponse:
        log.error("unhandled library error: %s", type(exc).__name__)
        return JSONResponse({"detail": str(exc)}, status_code=400)

    @app.exception_handler(EmbeddingBudgetExceeded)
    async def _budget(_: Request, exc: EmbeddingBudgetExceeded) -> JSONResponse:
        if exc.per_request:
            return JSONResponse({"detail": str(exc)}, status_code=413)
        return JSONResponse(
            {"detail": f"{exc}; retry in {exc.retry_after} s"},
            status_code=429,
            headers={"Retry-After": str(exc.retry_after)},
        )

    # Unexpected errors are caught by ``api.security.Guard`` (a handler for ``Exception``
    # here would be re-raised by Starlette, and the server would log its traceback).

    @app.exception_handler(RequestValidationError)
    async def _request(_: Request, exc: RequestValidationError) -> JSONResponse:
        detail = [
            {"loc": list(err.get("loc", [])), "msg": err.get("msg", ""), "type": err.get("type")}
            for err in exc.errors()
        ]
        return JSONResponse({"detail": detail}, status_code=422)

"""What every request body model shares, and read-only views of domain records."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, create_model


class StrictBody(BaseModel):
    """A request body: unknown fields are errors."""

    model_config = ConfigDict(extra="forbid")


def view(name: str, record: type[BaseModel], drop: set[str], doc: str) -> type[BaseModel]:
    """A response model with ``record``'s fields (and their documentation) minus ``drop``."""
    fields: dict[str, Any] = {
        key: (info.annotation, info) for key, info in record.model_fields.items() if key not in drop
    }
    view: type[BaseModel] = create_model(
        name, __doc__=doc, __config__=ConfigDict(extra="forbid"), **fields
    )
    return view

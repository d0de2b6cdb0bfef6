"""JSON Schema of each catalog kind, generated from the same models that validate it."""

from __future__ import annotations

from typing import Any

from salesplay.models import MODELS

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


def json_schema(kind: str | None = None) -> dict[str, Any]:
    """The schema of one kind, or a mapping kind → schema for all kinds."""
    if kind is None:
        return {k: json_schema(k) for k in MODELS}
    schema = MODELS[kind].model_json_schema(by_alias=True, mode="validation")
    return {"$schema": SCHEMA_DIALECT, **schema, "title": f"salesplay {kind}"}

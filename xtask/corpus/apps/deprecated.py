"""Deprecated operations and parameters, hidden routes, tags, summaries."""

from typing import Annotated

from fastapi import FastAPI, Query
from pydantic import BaseModel, Field

app = FastAPI(
    title="Deprecations",
    version="3.0.0",
    openapi_tags=[{"name": "v1", "description": "Old API"}, {"name": "v2"}],
)


class Thing(BaseModel):
    id: int
    legacy_code: str | None = Field(default=None, deprecated=True)


@app.get("/v1/things", tags=["v1"], deprecated=True, summary="List things (old)")
def list_things_v1() -> list[Thing]:
    return []


@app.get("/v2/things", tags=["v2"])
def list_things(
    page: int = 1,
    per_page: Annotated[int, Query(deprecated=True, le=500)] = 50,
    limit: Annotated[int, Query(le=500)] = 50,
) -> list[Thing]:
    return []


@app.get("/internal/health", include_in_schema=False)
def hidden() -> dict[str, str]:
    return {}


@app.delete("/v1/things/{thing_id}", tags=["v1", "v2"], deprecated=True)
def delete_thing(thing_id: int) -> None:
    return None

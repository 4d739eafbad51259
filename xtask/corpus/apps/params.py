"""Headers, cookies, aliases, lists in queries and query-parameter models."""

from datetime import date
from typing import Annotated, Literal

from fastapi import Cookie, FastAPI, Header, Query
from pydantic import BaseModel, Field

app = FastAPI(title="Parameters", version="1.0.0")


class FilterParams(BaseModel):
    limit: int = Field(100, gt=0, le=100)
    offset: int = Field(0, ge=0)
    order_by: Literal["created_at", "updated_at"] = "created_at"
    tags: list[str] = []


class Hit(BaseModel):
    id: int
    day: date


@app.get("/items")
def read_items(filters: Annotated[FilterParams, Query()]) -> list[Hit]:
    return []


@app.get("/search")
def search(
    q: Annotated[list[str] | None, Query(alias="q[]")] = None,
    since: date | None = None,
    user_agent: Annotated[str | None, Header()] = None,
    x_token: Annotated[list[str] | None, Header()] = None,
    strange_header: Annotated[str | None, Header(convert_underscores=False)] = None,
    ads_id: Annotated[str | None, Cookie()] = None,
    exact: bool = False,
    ratio: float = 0.5,
) -> list[Hit]:
    return []


@app.get("/by-date/{day}")
def by_date(day: date, tz: Annotated[str, Query(max_length=64)] = "UTC") -> list[Hit]:
    return []

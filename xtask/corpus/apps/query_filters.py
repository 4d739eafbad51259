"""FastAPI's list filters: one value or a list (`str | list[str] | None`,
read with the key repeated), and a list of an enum or the literal "ALL"."""

from enum import Enum
from typing import Annotated, Literal
from uuid import UUID

from fastapi import FastAPI, Query
from pydantic import BaseModel

app = FastAPI(title="Query filters", version="1.0.0")


class Status(str, Enum):
    active = "active"
    canceled = "canceled"


class Page(BaseModel):
    customer_ids: list[str]
    statuses: list[str]


@app.get("/subscriptions")
def list_subscriptions(
    customer_id: Annotated[str | list[str] | None, Query()] = None,
    organization_id: Annotated[UUID | list[UUID] | None, Query()] = None,
    status: Annotated[list[Status | Literal["ALL"]] | None, Query()] = None,
) -> Page:
    ids = customer_id if isinstance(customer_id, list) else [customer_id] if customer_id else []
    return Page(customer_ids=ids, statuses=[str(s) for s in status or []])

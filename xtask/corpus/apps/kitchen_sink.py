"""A typical CRUD service: dates, UUIDs, URLs, decimals, bytes, nullable fields, defaults."""

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Annotated, Optional
from uuid import UUID, uuid4

from fastapi import FastAPI, HTTPException, Path
from pydantic import AnyUrl, BaseModel, Field, HttpUrl, conint

app = FastAPI(title="Orders", version="4.2.0", servers=[{"url": "https://orders.example"}])


class LineItem(BaseModel):
    sku: Annotated[str, Field(min_length=3, max_length=32)]
    quantity: conint(ge=1, le=1000) = 1
    unit_price: Decimal = Field(max_digits=10, decimal_places=2)


class OrderIn(BaseModel):
    customer_id: UUID
    items: list[LineItem] = Field(min_length=1)
    note: Optional[str] = None
    callback: Optional[HttpUrl] = None
    homepage: Optional[AnyUrl] = None
    signature: Optional[bytes] = None
    hold_for: Optional[timedelta] = None


class Order(OrderIn):
    id: UUID = Field(default_factory=uuid4)
    created_at: datetime
    updated_at: datetime | None = None
    total: float
    paid: bool = False


@app.post("/orders", status_code=201)
def create_order(order: OrderIn) -> Order:
    raise HTTPException(501)


@app.get("/orders/{order_id}")
def get_order(order_id: UUID) -> Order:
    raise HTTPException(404, "no such order")


@app.patch("/orders/{order_id}")
def patch_order(order_id: UUID, note: Optional[str] = None) -> Order:
    raise HTTPException(404)


@app.delete("/orders/{order_id}", status_code=204)
def delete_order(order_id: UUID) -> None:
    return None


@app.get("/customers/{customer_id}/orders")
def orders_of(
    customer_id: Annotated[UUID, Path()],
    after: datetime | None = None,
    limit: Annotated[int, Field(ge=1, le=100)] = 20,
) -> list[Order]:
    return []

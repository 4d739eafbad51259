"""OpenAPI 3.1 webhooks and per-route callbacks."""

from datetime import datetime

from fastapi import APIRouter, FastAPI
from pydantic import BaseModel, HttpUrl

app = FastAPI(title="Subscriptions", version="1.0.0")


class Subscription(BaseModel):
    username: str
    monthly_fee: float
    start_date: datetime


class Invoice(BaseModel):
    id: str
    title: str | None = None
    customer: str
    total: float


class InvoiceEvent(BaseModel):
    description: str
    paid: bool


class InvoiceEventReceived(BaseModel):
    ok: bool


@app.webhooks.post("new-subscription")
def new_subscription(body: Subscription):
    """When a user subscribes, we POST this to the URL you registered."""


callbacks = APIRouter()


@callbacks.post("{$callback_url}/invoices/{$request.body.id}")
def invoice_notification(body: InvoiceEvent) -> InvoiceEventReceived:
    raise NotImplementedError


@app.post("/invoices", callbacks=callbacks.routes)
def create_invoice(invoice: Invoice, callback_url: HttpUrl | None = None) -> dict[str, str]:
    return {"msg": "Invoice received"}

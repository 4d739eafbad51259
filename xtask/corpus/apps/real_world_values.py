"""Answers other APIs really send that a server's own rules would misread:
ids that are no UUIDs, signed totals and counts, a plain string named like
a secret, a free-text timestamp, an enum with the value `unknown`, an enum
of strings and numbers, and a default that does not fit its type."""

from typing import Literal

from fastapi import FastAPI
from pydantic import BaseModel, Field

app = FastAPI(title="Real-world values", version="1.0.0")


class Account(BaseModel):
    id: str
    user_id: str
    owner_id: str | None
    total: int
    unread_count: int
    token: str
    created_at: str
    state: Literal["active", "unknown"]
    level: Literal["low", 1, 2]
    # Not validated by pydantic, so the document says `"default": {}`.
    tags: list[str] = Field(default={})


class NewAccount(BaseModel):
    user_id: str
    state: Literal["active", "unknown"] = "active"


class Page(BaseModel):
    items: list[Account]
    total: int
    offset: int


ACCOUNTS = [
    Account(
        id="auth0|42",
        user_id="google-oauth2|117",
        owner_id=None,
        total=-3,
        unread_count=-1,
        token="not-a-secret",
        created_at="yesterday",
        state="unknown",
        level=1,
        tags=["a"],
    ),
    Account(
        id="",
        user_id="7",
        owner_id="",
        total=0,
        unread_count=0,
        token="",
        created_at="",
        state="active",
        level="low",
        tags=[],
    ),
]


@app.get("/accounts")
def list_accounts(limit: int = 10) -> Page:
    return Page(items=ACCOUNTS[:limit], total=-3, offset=-1)


@app.get("/accounts/{account_id}")
def get_account(account_id: str) -> Account:
    return ACCOUNTS[0].model_copy(update={"id": account_id})


@app.post("/accounts", status_code=201)
def create_account(account: NewAccount) -> Account:
    return ACCOUNTS[0].model_copy(update={"user_id": account.user_id, "state": account.state})

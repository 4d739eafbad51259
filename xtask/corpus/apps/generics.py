"""Generic models: one Page[T] used for several item types, and a generic envelope."""

from typing import Generic, Optional, TypeVar

from fastapi import FastAPI
from pydantic import BaseModel

app = FastAPI(title="Generics", version="1.0.0")
T = TypeVar("T")
E = TypeVar("E")


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int
    next_cursor: Optional[str] = None


class Envelope(BaseModel, Generic[T, E]):
    data: Optional[T] = None
    error: Optional[E] = None


class Item(BaseModel):
    id: int
    name: str


class User(BaseModel):
    id: int
    email: str


class Problem(BaseModel):
    code: str
    detail: str


@app.get("/items")
def list_items(cursor: Optional[str] = None) -> Page[Item]:
    return Page[Item](items=[], total=0)


@app.get("/users")
def list_users() -> Page[User]:
    return Page[User](items=[], total=0)


@app.get("/users/{user_id}")
def get_user(user_id: int) -> Envelope[User, Problem]:
    return Envelope[User, Problem]()


@app.post("/items/batch")
def add_items(page: Page[Item]) -> Page[Page[Item]]:
    return Page[Page[Item]](items=[page], total=1)

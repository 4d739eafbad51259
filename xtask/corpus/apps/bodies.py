"""Required, optional, embedded, multiple and list bodies."""

from typing import Annotated, Optional

from fastapi import Body, FastAPI
from pydantic import BaseModel

app = FastAPI(title="Bodies", version="1.0.0")


class Item(BaseModel):
    name: str
    price: float


class User(BaseModel):
    username: str


@app.post("/required")
def required_body(item: Item) -> Item:
    return item


@app.post("/optional")
def optional_body(item: Optional[Item] = None) -> Optional[Item]:
    return item


@app.post("/optional-explicit")
def optional_explicit(item: Annotated[Item | None, Body()] = None) -> dict[str, bool]:
    return {"present": item is not None}


@app.post("/embedded")
def embedded(item: Annotated[Item, Body(embed=True)]) -> Item:
    return item


@app.post("/multiple")
def multiple(item: Item, user: User, importance: Annotated[int, Body()]) -> dict[str, str]:
    return {"user": user.username}


@app.post("/list")
def list_body(items: list[Item]) -> int:
    return len(items)


@app.post("/scalar")
def scalar_body(count: Annotated[int, Body()]) -> int:
    return count


@app.put("/nothing")
def no_body() -> None:
    return None

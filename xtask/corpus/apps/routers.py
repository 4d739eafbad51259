"""Two routers with the same function names, prefixes and shared tags."""

from fastapi import APIRouter, FastAPI
from pydantic import BaseModel

app = FastAPI(title="Routers", version="1.0.0")
users = APIRouter(prefix="/users", tags=["users"])
teams = APIRouter(prefix="/teams", tags=["teams"])


class Summary(BaseModel):
    id: int
    name: str


@users.get("/")
def list_all() -> list[Summary]:
    return []


@users.get("/{id}")
def get_one(id: int) -> Summary:
    return Summary(id=id, name="")


@teams.get("/")
def list_all() -> list[Summary]:  # noqa: F811 - the same name in another router
    return []


@teams.get("/{id}")
def get_one(id: int) -> Summary:  # noqa: F811
    return Summary(id=id, name="")


app.include_router(users)
app.include_router(teams)

"""Routers whose operation ids come from the function name alone, so two collide."""

from fastapi import APIRouter, FastAPI
from fastapi.routing import APIRoute
from pydantic import BaseModel


def clean_id(route: APIRoute) -> str:
    return route.name


app = FastAPI(title="Clean ids", version="1.0.0", generate_unique_id_function=clean_id)
users = APIRouter(prefix="/users")
teams = APIRouter(prefix="/teams")


class Member(BaseModel):
    id: int


@users.get("")
def list_all() -> list[Member]:
    return []


@users.post("")
def create(member: Member) -> Member:
    return member


@teams.get("")
def list_all() -> list[Member]:  # noqa: F811 - collides with users' list_all
    return []


@teams.post("")
def create(member: Member) -> Member:  # noqa: F811
    return member


app.include_router(users)
app.include_router(teams)

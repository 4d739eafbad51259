"""Enums of strings and integers, in paths, queries, bodies and answers."""

from enum import Enum, IntEnum
from typing import Annotated

from fastapi import FastAPI, Query
from pydantic import BaseModel

app = FastAPI(title="Enums", version="1.0.0")


class Color(str, Enum):
    red = "red"
    green = "green"
    blue = "blue"
    dark_blue = "dark-blue"


class Priority(IntEnum):
    low = 1
    normal = 5
    high = 10


class Status(Enum):
    active = "active"
    suspended = "SUSPENDED"
    empty = ""


class Task(BaseModel):
    title: str
    priority: Priority = Priority.normal
    color: Color | None = None
    status: Status = Status.active
    labels: list[Color] = []


@app.get("/colors/{color}")
def by_color(color: Color) -> list[Task]:
    return []


@app.get("/tasks")
def list_tasks(
    priority: Annotated[list[Priority], Query()] = [],
    status: Status | None = None,
) -> list[Task]:
    return []


@app.post("/tasks")
def create_task(task: Task) -> Task:
    return task


@app.get("/priorities")
def priorities() -> dict[str, Priority]:
    return {p.name: p for p in Priority}

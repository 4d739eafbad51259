"""Maps, nested lists, tuples, sets and Any."""

from typing import Any, Optional

from fastapi import Body, FastAPI
from pydantic import BaseModel

app = FastAPI(title="Collections", version="1.0.0")


class Scores(BaseModel):
    by_player: dict[str, list[int]]
    matrix: list[list[float]]
    pair: tuple[str, int]
    unique_tags: set[str]
    extra: dict[str, Any]
    anything: Any = None
    nested: dict[str, dict[str, Optional[int]]] = {}


@app.post("/scores")
def put_scores(scores: Scores) -> Scores:
    return scores


@app.post("/raw")
def raw(payload: dict[str, list[int]]) -> dict[str, int]:
    return {k: sum(v) for k, v in payload.items()}


@app.post("/anything")
def anything(payload: Any = Body(...)) -> Any:
    return payload


@app.get("/histogram")
def histogram() -> dict[int, int]:
    return {1: 2}


@app.get("/rows")
def rows() -> list[dict[str, Any]]:
    return [{}]

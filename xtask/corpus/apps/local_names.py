"""Arguments named like the generated code's own locals: a raster-tile
API takes a query parameter `url` in most operations; `client`,
`request`, `response`, `result`, `info`, `query` and a body beside them."""

from typing import Annotated

from fastapi import Body, FastAPI, Query
from pydantic import BaseModel

app = FastAPI(title="Local names", version="1.0.0")


class Tile(BaseModel):
    url: str
    z: int


class Style(BaseModel):
    color: str


@app.get("/tiles/{client}/{z}")
def tile(
    client: str,
    z: int,
    url: str,
    request: str | None = None,
    response: int | None = None,
    result: Annotated[list[str] | None, Query()] = None,
    info: bool = False,
    query: str | None = None,
) -> Tile:
    return Tile(url=url, z=z)


@app.post("/styles")
def style(url: str, body: Annotated[Style, Body()], width: int = 256) -> Style:
    return body

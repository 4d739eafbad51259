"""OPTIONS and HEAD operations beside GET (CORS preflight routes of an
embed API; a proxy that answers HEAD)."""

from fastapi import FastAPI, Response
from pydantic import BaseModel

app = FastAPI(title="Other methods", version="1.0.0")


class Allowed(BaseModel):
    methods: list[str]


@app.options("/embed/{name}")
def embed_preflight(name: str) -> Allowed:
    return Allowed(methods=["GET", "OPTIONS"])


@app.get("/embed/{name}")
def embed(name: str) -> Allowed:
    return Allowed(methods=[name])


@app.head("/files/{path}", response_class=Response)
def file_exists(path: str) -> Response:
    return Response(status_code=200)


@app.options("/files", status_code=204)
def files_preflight() -> Response:
    return Response(status_code=204)

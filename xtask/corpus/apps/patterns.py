"""Python regular expressions in pattern constraints: named groups, anchors, inline flags."""

from typing import Annotated

from fastapi import FastAPI, Path, Query
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, constr

app = FastAPI(title="Patterns", version="1.0.0")

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$", max_length=64)]


class Release(BaseModel):
    # Python's own engine, so \Z and backreferences are allowed.
    model_config = ConfigDict(regex_engine="python-re")

    version: str = Field(pattern=r"^(?P<major>\d+)\.(?P<minor>\d+)\.(?P<patch>\d+)$")
    tag: constr(pattern=r"\Av(?P<v>\d+)\Z")
    codename: str = Field(pattern=r"(?i)^[a-z]+$")
    checksum: str = Field(pattern=r"^[0-9a-f]{64}$", min_length=64, max_length=64)
    repeat: str | None = Field(default=None, pattern=r"^(?P<word>\w+)-(?P=word)$")
    slug: Slug


@app.post("/releases")
def create_release(release: Release) -> Release:
    return release


@app.get("/releases/{slug}")
def get_release(
    slug: Annotated[str, Path(pattern=r"^[a-z0-9-]+$")],
    channel: Annotated[str | None, Query(pattern=r"^(?P<name>stable|beta|nightly)$")] = None,
) -> Release:
    return Release(
        version="1.2.3", tag="v1", codename="Zebra", checksum="ab" * 32, repeat="go-go", slug=slug
    )


@app.get("/search")
def search(q: Annotated[str, Query(min_length=2, pattern=r"^[\w\s]+$")]) -> list[Slug]:
    return [q]

"""Non-ASCII paths, model names, field names, enum values and descriptions."""

from enum import Enum
from typing import Optional

from fastapi import FastAPI
from pydantic import BaseModel, Field

app = FastAPI(
    title="Städte-API",
    description="Informationen über Städte. 都市の情報。",
    version="1.0.0",
)


class Größe(str, Enum):
    klein = "klein"
    groß = "groß"
    riesig = "🏙️"


class Stadt(BaseModel):
    """Eine Stadt mit Einwohnerzahl."""

    name: str = Field(description="Der Name, z. B. „Köln“")
    einwohner: int = Field(ge=0, description="人口")
    größe: Größe
    bürgermeister: Optional[str] = Field(default=None, alias="bürgermeister_in")
    名前: Optional[str] = None


KÖLN = Stadt(name="Köln", einwohner=1_084_000, größe=Größe.groß, bürgermeister_in="Henriette")


@app.get("/städte", summary="Alle Städte")
def städte_auflisten() -> list[Stadt]:
    return [KÖLN, Stadt(name="東京", einwohner=14_000_000, größe=Größe.riesig, 名前="東京都")]


@app.get("/städte/{stadt_id}", description="Eine Stadt – nach ID")
def stadt_holen(stadt_id: int) -> Stadt:
    return KÖLN


@app.post("/都市")
def 都市を追加(stadt: Stadt) -> Stadt:
    return stadt

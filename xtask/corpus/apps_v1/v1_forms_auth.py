"""Pydantic v1 output (FastAPI 0.98): OAuth2 form login, uploads, int enums, API key."""

from enum import IntEnum
from typing import List, Optional

from fastapi import Depends, FastAPI, File, Form, Security, UploadFile
from fastapi.security import APIKeyHeader, OAuth2PasswordBearer, OAuth2PasswordRequestForm
from pydantic import BaseModel

app = FastAPI(title="Pydantic v1 forms", version="0.9.0")
oauth2 = OAuth2PasswordBearer(tokenUrl="login")
api_key = APIKeyHeader(name="X-Key")


class Level(IntEnum):
    one = 1
    two = 2


class Token(BaseModel):
    access_token: str
    token_type: str


class Upload(BaseModel):
    names: List[str]
    level: Level


@app.post("/login", response_model=Token)
def login(form: OAuth2PasswordRequestForm = Depends()):
    return {"access_token": form.username, "token_type": "bearer"}


@app.post("/uploads", response_model=Upload)
def upload(
    files: List[UploadFile] = File(...),
    level: Level = Form(Level.one),
    note: Optional[str] = Form(None),
    token: str = Depends(oauth2),
):
    return {"names": [f.filename for f in files], "level": level}


@app.get("/levels/{level}", response_model=List[Upload])
def by_level(level: Level, key: str = Security(api_key)):
    return []

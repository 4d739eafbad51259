"""File uploads: one file, many files, an optional file, and files with form fields."""

from typing import Annotated, Optional

from fastapi import FastAPI, File, Form, UploadFile
from pydantic import BaseModel

app = FastAPI(title="Uploads", version="1.0.0")


class Stored(BaseModel):
    filename: str
    size: int
    content_type: Optional[str] = None


@app.post("/files")
async def upload_one(file: UploadFile) -> Stored:
    data = await file.read()
    return Stored(filename=file.filename or "", size=len(data), content_type=file.content_type)


@app.post("/files/many")
async def upload_many(files: list[UploadFile]) -> list[Stored]:
    return [Stored(filename=f.filename or "", size=0) for f in files]


@app.post("/files/raw")
async def upload_bytes(file: Annotated[bytes, File()]) -> Stored:
    return Stored(filename="raw", size=len(file))


@app.post("/avatars/{user_id}")
async def upload_with_fields(
    user_id: int,
    caption: Annotated[str, Form(max_length=140)],
    public: Annotated[bool, Form()] = False,
    tags: Annotated[list[str], Form()] = [],
    image: Optional[UploadFile] = None,
) -> Stored:
    return Stored(filename=image.filename if image else caption, size=user_id)


@app.get("/files/{name}")
def file_info(name: str) -> Stored:
    return Stored(filename=name, size=0)

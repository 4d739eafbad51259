"""Answers that are not JSON: files, images, streams, text, HTML, redirects, no content."""

from fastapi import FastAPI, Response, status
from fastapi.responses import (
    FileResponse,
    HTMLResponse,
    PlainTextResponse,
    RedirectResponse,
    StreamingResponse,
)
from pydantic import BaseModel

app = FastAPI(title="Responses", version="1.0.0")


class Problem(BaseModel):
    detail: str


class Report(BaseModel):
    id: int
    title: str


@app.get("/files/{name}", response_class=FileResponse)
def download(name: str):
    return FileResponse(__file__)


@app.get(
    "/images/{image_id}",
    responses={200: {"content": {"image/png": {}}, "description": "A PNG image"}},
    response_class=Response,
)
def image(image_id: int):
    return Response(content=b"", media_type="image/png")


@app.get("/events", response_class=StreamingResponse)
def events():
    return StreamingResponse(iter(["data: hi\n\n"]), media_type="text/event-stream")


@app.get("/version", response_class=PlainTextResponse)
def version():
    return "1.0.0"


@app.get("/", response_class=HTMLResponse)
def home():
    return "<h1>hello</h1>"


@app.get("/old", response_class=RedirectResponse, status_code=302)
def old():
    return "/new"


@app.delete("/reports/{report_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_report(report_id: int) -> None:
    return None


@app.get(
    "/reports/{report_id}",
    responses={
        404: {"model": Problem, "description": "No such report"},
        200: {"content": {"text/csv": {}}, "description": "The report, as JSON or CSV"},
    },
)
def get_report(report_id: int) -> Report:
    return Report(id=report_id, title="")


@app.post("/reports", status_code=201, responses={409: {"model": Problem}})
def create_report(report: Report) -> Report:
    return report

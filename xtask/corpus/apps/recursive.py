"""Recursive and mutually recursive models."""

from __future__ import annotations

from typing import Optional

from fastapi import FastAPI
from pydantic import BaseModel

app = FastAPI(title="Trees", version="1.0.0")


class Node(BaseModel):
    name: str
    children: list[Node] = []
    parent: Optional[Node] = None


class Folder(BaseModel):
    name: str
    files: list[File] = []
    subfolders: dict[str, Folder] = {}


class File(BaseModel):
    name: str
    folder: Optional[Folder] = None


class Expr(BaseModel):
    op: str
    args: list[Expr | int | str]


@app.post("/trees")
def add_tree(root: Node) -> Node:
    return root


@app.get("/folders/{path}")
def get_folder(path: str) -> Folder:
    return Folder(name=path)


@app.post("/eval")
def evaluate(expr: Expr) -> int:
    return 0

"""Pydantic v1 output (FastAPI 0.98): constr(regex=), conlist, Config.schema_extra, GenericModel."""

from enum import Enum
from typing import Dict, Generic, List, Optional, TypeVar, Union

from fastapi import FastAPI, Query
from pydantic import BaseModel, Field, conint, conlist, constr
from pydantic.generics import GenericModel
from typing_extensions import Literal

app = FastAPI(title="Pydantic v1", version="0.9.0")
T = TypeVar("T")


class Kind(str, Enum):
    a = "a"
    b = "b"


class Tag(BaseModel):
    name: constr(regex=r"^(?P<prefix>[a-z]+):(?P<value>\w+)$", max_length=40)
    weight: conint(gt=0, lt=10) = 1

    class Config:
        schema_extra = {"example": {"name": "lang:rust", "weight": 3}}


class Article(BaseModel):
    title: str = Field(..., min_length=1, example="Hello")
    tags: conlist(Tag, min_items=1, max_items=10)
    kind: Kind = Kind.a
    meta: Dict[str, List[int]] = {}
    parent: Optional["Article"] = None


Article.update_forward_refs()


class Page(GenericModel, Generic[T]):
    items: List[T]
    total: int


class Text(BaseModel):
    type: Literal["text"]
    body: str


class Image(BaseModel):
    type: Literal["image"]
    url: str


class Post(BaseModel):
    block: Union[Text, Image] = Field(..., discriminator="type")


@app.get("/articles", response_model=Page[Article])
def list_articles(q: Optional[str] = Query(None, regex=r"^\w+$"), kind: Optional[Kind] = None):
    return {"items": [], "total": 0}


@app.post("/articles", response_model=Article, status_code=201)
def create_article(article: Article):
    return article


@app.post("/posts", response_model=Post)
def create_post(post: Post):
    return post

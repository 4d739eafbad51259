"""Annotated parameters and fields carrying examples, in every place FastAPI puts them."""

from typing import Annotated

from fastapi import Body, FastAPI, Header, Path, Query
from pydantic import BaseModel, ConfigDict, Field

app = FastAPI(title="Examples", version="1.0.0")


class Item(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"name": "Foo", "price": 35.4, "tax": 3.2}]}
    )

    name: Annotated[str, Field(examples=["Foo"], min_length=1)]
    description: Annotated[str | None, Field(examples=["A very nice Item"], title="About")] = None
    price: Annotated[float, Field(gt=0, examples=[35.4])]
    tax: Annotated[float | None, Field(ge=0, le=100)] = None


@app.put("/items/{item_id}")
def update_item(
    item_id: Annotated[int, Path(ge=1, examples=[42], title="The ID")],
    item: Annotated[
        Item,
        Body(
            openapi_examples={
                "normal": {"summary": "A normal item", "value": {"name": "Foo", "price": 35.4}},
                "invalid": {"summary": "Bad price", "value": {"name": "Baz", "price": "thirty"}},
            }
        ),
    ],
    q: Annotated[str | None, Query(examples=["search"], alias="item-query")] = None,
    x_trace: Annotated[str | None, Header(examples=["abc"])] = None,
) -> Item:
    return item


@app.post("/notes")
def add_note(
    text: Annotated[str, Body(embed=True, examples=["Buy milk"])],
    importance: Annotated[int, Body(embed=True, ge=0, le=5)] = 1,
) -> dict[str, str]:
    return {"text": text}

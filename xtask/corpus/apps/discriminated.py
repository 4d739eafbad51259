"""Tagged unions with Literal tags, in bodies and answers, plus an untagged union."""

from typing import Annotated, Literal, Union

from fastapi import FastAPI
from pydantic import BaseModel, Field

app = FastAPI(title="Shapes", version="2.1.0")


class Circle(BaseModel):
    kind: Literal["circle"]
    radius: float


class Rectangle(BaseModel):
    kind: Literal["rectangle"]
    width: float
    height: float


class Polygon(BaseModel):
    kind: Literal["polygon"] = "polygon"
    points: list[tuple[float, float]]


Shape = Annotated[Union[Circle, Rectangle, Polygon], Field(discriminator="kind")]


class Drawing(BaseModel):
    name: str
    shapes: list[Shape]
    background: Union[str, int, None] = None


class Cat(BaseModel):
    pet_type: Literal["cat"]
    meows: int


class Dog(BaseModel):
    pet_type: Literal["dog"]
    barks: float


@app.post("/shapes")
def add_shape(shape: Shape) -> Shape:
    return shape


@app.post("/drawings")
def add_drawing(drawing: Drawing) -> Drawing:
    return drawing


@app.get("/pets/{pet_id}")
def get_pet(pet_id: int) -> Annotated[Union[Cat, Dog], Field(discriminator="pet_type")]:
    return Cat(pet_type="cat", meows=pet_id)


@app.get("/values")
def any_value() -> list[Union[int, str, bool]]:
    return [1, "a", True]

"""OAuth2 password flow: a form login that returns a bearer token, and routes behind it."""

from typing import Annotated

from fastapi import Depends, FastAPI, Form
from fastapi.security import OAuth2PasswordBearer, OAuth2PasswordRequestForm
from pydantic import BaseModel

app = FastAPI(title="Login", version="0.3.0")
oauth2 = OAuth2PasswordBearer(tokenUrl="token", scopes={"me": "Read yourself", "items": "Read items"})


class Token(BaseModel):
    access_token: str
    token_type: str = "bearer"
    refresh_token: str | None = None


class User(BaseModel):
    username: str
    full_name: str | None = None
    disabled: bool = False


@app.post("/token")
def login(form: Annotated[OAuth2PasswordRequestForm, Depends()]) -> Token:
    return Token(access_token=form.username)


@app.post("/token/refresh")
def refresh(
    grant_type: Annotated[str, Form(pattern="^refresh_token$")],
    refresh_token: Annotated[str, Form()],
) -> Token:
    return Token(access_token=refresh_token)


@app.get("/users/me")
def me(token: Annotated[str, Depends(oauth2)]) -> User:
    return User(username=token)


@app.get("/users/me/items")
def my_items(token: Annotated[str, Depends(oauth2)]) -> list[str]:
    return [token]

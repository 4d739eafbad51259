"""Every security scheme FastAPI offers: API key in header, query and cookie, bearer, basic."""

from typing import Annotated

from fastapi import Depends, FastAPI, Security
from fastapi.security import (
    APIKeyCookie,
    APIKeyHeader,
    APIKeyQuery,
    HTTPAuthorizationCredentials,
    HTTPBasic,
    HTTPBasicCredentials,
    HTTPBearer,
)
from pydantic import BaseModel

app = FastAPI(title="Security schemes", version="1.0.0")
header_key = APIKeyHeader(name="X-API-Key", description="Key issued on signup")
query_key = APIKeyQuery(name="api_key", auto_error=False)
cookie_key = APIKeyCookie(name="session")
bearer = HTTPBearer(bearerFormat="JWT")
basic = HTTPBasic(realm="admin")


class Whoami(BaseModel):
    scheme: str
    subject: str


@app.get("/header")
def by_header(key: Annotated[str, Security(header_key)]) -> Whoami:
    return Whoami(scheme="header", subject=key)


@app.get("/query")
def by_query(key: Annotated[str | None, Security(query_key)]) -> Whoami:
    return Whoami(scheme="query", subject=key or "")


@app.get("/cookie")
def by_cookie(key: Annotated[str, Depends(cookie_key)]) -> Whoami:
    return Whoami(scheme="cookie", subject=key)


@app.get("/bearer")
def by_bearer(creds: Annotated[HTTPAuthorizationCredentials, Depends(bearer)]) -> Whoami:
    return Whoami(scheme="bearer", subject=creds.credentials)


@app.get("/basic")
def by_basic(creds: Annotated[HTTPBasicCredentials, Depends(basic)]) -> Whoami:
    return Whoami(scheme="basic", subject=creds.username)


@app.get("/either")
def either(
    a: Annotated[str | None, Security(query_key)],
    b: Annotated[HTTPAuthorizationCredentials, Depends(bearer)],
) -> Whoami:
    return Whoami(scheme="either", subject=a or b.credentials)


@app.get("/open")
def open_route() -> Whoami:
    return Whoami(scheme="none", subject="anyone")

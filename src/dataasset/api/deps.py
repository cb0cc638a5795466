"""Request dependencies: the database session (one transaction per request) and the acting user."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Path, Query, Request
from sqlalchemy.orm import Session

from dataasset.core.errors import Forbidden, NotAuthenticated
from dataasset.core.identity import load_actor, user_id_from_token
from dataasset.core.permissions import Actor

COOKIE = "dataasset_session"
CSRF_HEADER = "x-requested-with"
CSRF_VALUE = "dataasset-console"
_UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


def get_session(request: Request) -> Iterator[Session]:
    """One transaction per request: committed when the handler returns, rolled back on any error."""
    session: Session = request.app.state.session_factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


# commit before the response is sent: a client that got its 2xx sees the change in its next request,
# and a failed commit is an error answer, not a silent loss after the response
DbSession = Annotated[Session, Depends(get_session, scope="function")]


def _token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    token = header[7:].strip() if header.lower().startswith("bearer ") else None
    if token is None:
        token = request.cookies.get(COOKIE)
        if token and request.method in _UNSAFE and request.headers.get(CSRF_HEADER) != CSRF_VALUE:
            raise Forbidden("缺少请求来源标识，请通过控制台操作", code="csrf_header_missing")
    return token or None


def get_actor(request: Request, session: DbSession) -> Actor:
    """The logged-in user from a bearer token or the console's cookie (with the CSRF header)."""
    token = _token(request)
    if not token:
        raise NotAuthenticated("请先登录")
    user_id = user_id_from_token(token, request.app.state.secret_key)
    return load_actor(session, user_id)


def get_optional_actor(request: Request, session: DbSession) -> Actor | None:
    """The logged-in user when the request carries a login, else ``None`` (public routes that show
    more to those who may see it). A login that is present but invalid is still refused."""
    token = _token(request)
    if not token:
        return None
    return load_actor(session, user_id_from_token(token, request.app.state.secret_key))


CurrentActor = Annotated[Actor, Depends(get_actor)]
OptionalActor = Annotated[Actor | None, Depends(get_optional_actor)]


def pagination(
    page: Annotated[int, Query(ge=1, le=100_000, description="页码，从 1 开始")] = 1,
    page_size: Annotated[int, Query(ge=1, le=200, description="每页条数")] = 20,
) -> tuple[int, int]:
    return page, page_size


Pagination = Annotated[tuple[int, int], Depends(pagination)]


Id = Annotated[int, Path(ge=1, le=2_147_483_647, description="记录编号")]
OptionalId = Annotated[int | None, Query(ge=1, le=2_147_483_647)]

"""Login, logout and the current user."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse

from dataasset.api.deps import COOKIE, CurrentActor, DbSession
from dataasset.core import identity
from dataasset.core.models import User
from dataasset.core.permissions import Actor
from dataasset.core.schemas import LoginRequest, Me, OrganisationBrief, TokenResponse

router = APIRouter(prefix="/api/auth", tags=["auth"])


def _me(user: User, actor: Actor) -> Me:
    return Me(
        id=user.id,
        username=user.username,
        display_name=user.display_name,
        roles=list(user.roles),
        organisation=OrganisationBrief.model_validate(user.organisation),
        permissions=sorted(actor.permissions),
    )


@router.post("/login", response_model=TokenResponse)
def login(body: LoginRequest, request: Request, session: DbSession) -> JSONResponse:
    """Check the password; answer a bearer token and set the console's httpOnly cookie."""
    settings = request.app.state.settings
    outcome = identity.authenticate(
        session,
        body.username,
        body.password,
        max_failures=settings.max_login_failures,
        lockout_minutes=settings.lockout_minutes,
    )
    session.commit()  # failure counts and lockouts persist even though the login fails
    if not isinstance(outcome, User):
        raise outcome
    token, expires = identity.issue_token(outcome, request.app.state.secret_key, settings.token_minutes)
    body_out = TokenResponse(
        access_token=token, expires_at=expires, user=_me(outcome, identity.load_actor(session, outcome.id))
    )
    response = JSONResponse(body_out.model_dump(mode="json"))
    response.set_cookie(
        COOKIE,
        token,
        httponly=True,
        samesite="lax",
        secure=settings.cookie_secure,
        max_age=settings.token_minutes * 60,
        path="/",
    )
    return response


@router.post("/logout", status_code=204)
def logout() -> Response:
    response = Response(status_code=204)
    response.delete_cookie(COOKIE, path="/")
    return response


@router.get("/me")
def get_me(actor: CurrentActor, session: DbSession) -> Me:
    """The logged-in user, their organisation, roles and permissions (drives the console menu)."""
    user = session.get(User, actor.user_id)
    assert user is not None
    return _me(user, actor)

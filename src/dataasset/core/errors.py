"""Domain exceptions: a machine code and a Chinese message; the API maps each kind to a status."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """Base of every error a client can cause. Never a 500."""

    status = 400
    code = "bad_request"

    def __init__(self, message: str, *, code: str | None = None, errors: list[dict[str, Any]] | None = None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.errors = errors or []


class NotAuthenticated(DomainError):
    status = 401
    code = "not_authenticated"


class LoginFailed(DomainError):
    status = 401
    code = "login_failed"


class AccountLocked(DomainError):
    status = 423
    code = "account_locked"


class Forbidden(DomainError):
    status = 403
    code = "forbidden"


class NotFound(DomainError):
    status = 404
    code = "not_found"


class Conflict(DomainError):
    status = 409
    code = "conflict"


class Invalid(DomainError):
    status = 422
    code = "invalid"


class TooLarge(DomainError):
    status = 413
    code = "too_large"

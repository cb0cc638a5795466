"""Database URLs: tell them from file paths, parse them, and never show their password."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote, quote_plus

from dataasset.discovery.types import UNSUPPORTED, DiscoveryError

_SCHEME = re.compile(r"^(?P<scheme>[A-Za-z][A-Za-z0-9+.\-]*)://(?P<rest>.*)$", re.DOTALL)
_QUERY_SECRET = re.compile(r"(?i)([?&;](?:password|passwd|pwd|pass|secret|token)=)[^&;#]*")
MASK = "***"


def is_url(source: str) -> bool:
    """True for ``scheme://…`` (a Windows path like ``C:\\x`` is not one)."""
    match = _SCHEME.match(source.strip())
    return bool(match) and len(match.group("scheme")) > 1  # type: ignore[union-attr]


def dialect(url: str) -> str:
    """``postgresql+psycopg://…`` → ``postgresql``; ``postgres`` is an alias; lower case."""
    match = _SCHEME.match(url.strip())
    if not match:
        return ""
    name = match.group("scheme").split("+", 1)[0].lower()
    return {"postgres": "postgresql", "mariadb": "mysql"}.get(name, name)


def mask_url(url: str) -> str:
    """The URL with its password replaced by ``***`` (in the user-info part and in query parameters
    such as ``?password=``). Errs on the side of hiding too much: everything between the first ``:``
    of the user info and the last ``@`` is hidden, so a password with a raw ``@`` or ``/`` is hidden
    whole. Text that is not a URL comes back unchanged."""
    match = _SCHEME.match(url)
    if not match:
        return url
    scheme, rest = match.group("scheme"), match.group("rest")
    userinfo, at, hostpart = rest.rpartition("@")
    if at and ":" in userinfo:
        user = userinfo.split(":", 1)[0]
        rest = f"{user}:{MASK}@{hostpart}"
    return _QUERY_SECRET.sub(lambda m: m.group(1) + MASK, f"{scheme}://{rest}")


def scrub(text: str, *secrets: str | None) -> str:
    """``text`` with every secret (raw and URL-encoded) replaced by ``***`` — for driver messages
    that are shown to the user."""
    for secret in secrets:
        if not secret:
            continue
        for form in {secret, quote(secret, safe=""), quote_plus(secret)}:
            text = text.replace(form, MASK)
    return text


@dataclass(frozen=True)
class DbUrl:
    dialect: str
    username: str | None
    password: str | None
    host: str | None
    port: int | None
    database: str | None
    query: dict[str, str]
    masked: str

    @property
    def where(self) -> str:
        """``host:port/database`` for messages (no user, no password)."""
        host = self.host or "localhost"
        port = f":{self.port}" if self.port else ""
        db = f"/{self.database}" if self.database else ""
        return f"{host}{port}{db}"


def parse_db_url(url: str) -> DbUrl:
    """Split a SQLAlchemy-style database URL (percent-encoded parts decoded)."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    masked = mask_url(url)
    try:
        parsed = make_url(url.strip())
    except (ArgumentError, ValueError):
        raise DiscoveryError(
            f"数据库连接地址格式不正确：{masked}。格式示例：postgresql://用户名:密码@主机:5432/数据库名",
            code=UNSUPPORTED,
        ) from None
    query = {k: (v if isinstance(v, str) else v[-1]) for k, v in parsed.query.items()}
    return DbUrl(
        dialect=dialect(url),
        username=parsed.username,
        password=parsed.password if parsed.password is None else str(parsed.password),
        host=parsed.host,
        port=parsed.port,
        database=parsed.database,
        query=query,
        masked=masked,
    )

"""One router per domain; ``ROUTERS`` is what the app factory mounts."""

from dataasset.api.routers import auth, catalog, meta, organisations, users

ROUTERS = [meta.router, auth.router, organisations.router, users.router, catalog.router]

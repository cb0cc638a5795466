"""One router per domain; ``ROUTERS`` is what the app factory mounts."""

from dataasset.api.routers import (
    auth,
    catalog,
    discovery,
    evidence,
    files,
    meta,
    organisations,
    quality,
    registry,
    sharing,
    users,
    workflow,
)

ROUTERS = [meta.router, auth.router, organisations.router, users.router, catalog.router]
ROUTERS += [sharing.router, workflow.router, files.router]
ROUTERS += [evidence.router, discovery.router, quality.router, registry.router]

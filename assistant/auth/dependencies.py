"""FastAPI dependencies: a bearer token becomes a Principal; admin-only routes check the role.

Both record on ``request.state`` whose request it was, so that the audit middleware can name
the user even of a refused request (a revoked token still names its owner).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from assistant.access import Principal
from assistant.auth.security import Security
from assistant.auth.users import RevokedCredentialsError
from assistant.errors import AuthenticationError, PermissionDeniedError

_bearer = HTTPBearer(
    auto_error=False,
    description="The token printed once by `ratsinfo users add NAME --json`.",
)


def security_of(request: Request) -> Security:
    security: Security = request.app.state.security
    return security


async def current_principal(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    """The user holding the request's bearer token (401 if missing, unknown or revoked; 429 if too fast)."""
    if credentials is None or not credentials.credentials:
        raise AuthenticationError(
            "missing bearer token (Authorization: Bearer <token>)",
            german="Kein Token angegeben (Authorization: Bearer <Token>).",
        )
    security = security_of(request)
    try:
        user = await run_in_threadpool(security.users.authenticate_token, credentials.credentials)
    except RevokedCredentialsError as error:
        request.state.audit_user = error.user
        raise
    request.state.audit_user = user.name
    security.limiter.check(user.name)
    return user.principal()


async def admin_principal(principal: Annotated[Principal, Depends(current_principal)]) -> Principal:
    """An authenticated admin (403 for everybody else)."""
    if not principal.admin:
        raise PermissionDeniedError(
            "this endpoint is for admins only", german="Das dürfen nur Administratoren."
        )
    return principal


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]
AdminPrincipal = Annotated[Principal, Depends(admin_principal)]

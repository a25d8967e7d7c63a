"""The routes' side of authentication and authorization: the bearer dependency (the OpenAPI
``bearer`` security scheme, the Authorize button of ``/docs``) and the checks of
:mod:`ungeforloeb_http.policy` with the case looked up in the application."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated
from uuid import UUID

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from ungeforloeb.application import Ungeforloeb
from ungeforloeb_http.auth import AuthenticationError, Principal, Role, TokenVerifier
from ungeforloeb_http.policy import ForbiddenError, authorize, case_scope

SCHEME = "bearer"

bearer = HTTPBearer(auto_error=False, scheme_name=SCHEME, bearerFormat="JWT",
                    description="A JWT from the municipality's identity provider: `sub` "
                                "(recorded as `recorded_by`), `role`, and `municipality`, "
                                "`team`, `institution` or `young_person_id` by role.")


class Access:
    """Authentication and authorization for the routes of one app."""

    def __init__(self, app: Ungeforloeb, verifier: TokenVerifier) -> None:
        self.app = app
        self.verifier = verifier
        self.authenticate: Callable[..., Principal] = self._dependency()

    def _dependency(self) -> Callable[..., Principal]:
        verifier = self.verifier

        def authenticate(request: Request,
                         credentials: Annotated[HTTPAuthorizationCredentials | None,
                                                Depends(bearer)]) -> Principal:
            if credentials is None:
                raise AuthenticationError("no bearer token (send Authorization: Bearer <JWT>)")
            principal = verifier.verify(credentials.credentials)
            request.state.principal = principal  # for the request log (its role only)
            return principal

        return authenticate

    def check(self, principal: Principal, operation: str, *, municipality: str | None = None,
              institution: str | None = None) -> None:
        """:func:`~ungeforloeb_http.policy.authorize` without a case."""
        authorize(principal, operation, municipality=municipality, institution=institution)

    def case(self, principal: Principal, operation: str, target: UUID | None) -> None:
        """Check ``operation`` on the case of ``target`` (a young person, order or retention
        case id); an unknown target passes for the roles that could see it, so the operation
        answers 404 itself."""
        if target is None:
            authorize(principal, operation)
            return
        if principal.role is Role.YOUNG_PERSON and target != principal.young_person_id:
            authorize(principal, operation)  # the role check first: 403 for the right reason
            raise ForbiddenError(operation, "a young person reads only their own case", target)
        scope = case_scope(self.app, target)
        authorize(principal, operation, case=scope)

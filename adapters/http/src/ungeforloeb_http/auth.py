"""Who is asking: a bearer token verified into a :class:`Principal`.

The verifier is pluggable (:class:`TokenVerifier`: ``verify(token) -> Principal``); the
default, :class:`JwtVerifier`, checks a JWT's signature (HS* secret, a PEM public key or a
JWKS file), its issuer, audience and expiry with PyJWT, and reads the claims below.

Claims: ``sub`` (the caller's id: it becomes ``recorded_by`` of what they record), ``role``
(one of :class:`Role`), and by role ``municipality`` (three digits: caseworker, auditor),
``team`` (caseworker, optional: their worklist is the team's), ``institution`` (six digits:
institution), ``young_person_id`` (young person). A token that lacks what its role needs is
refused like a bad signature.
"""

from __future__ import annotations

import json
from enum import StrEnum
from typing import Any, Protocol
from uuid import UUID

import attrs
import jwt

from ungeforloeb.domain.base import CPR_LIKE, ID_PATTERN, INSTITUTION_ID, MUNICIPALITY_CODE
from ungeforloeb_http.settings import HttpSettings


class Role(StrEnum):
    """What a caller is."""

    CASEWORKER = "caseworker"
    INSTITUTION = "institution"
    AUDITOR = "auditor"
    YOUNG_PERSON = "young_person"
    OPERATOR = "operator"


class AuthenticationError(Exception):
    """Raised when a request carries no token, or one that does not verify. The message says
    what is wrong with the token, never what it holds."""


class ForbiddenError(Exception):
    """Raised when the caller's role or scope does not allow the operation."""

    def __init__(self, operation: str, reason: str, id: object = None) -> None:
        super().__init__(f"{operation}: {reason}")
        self.operation = operation
        self.id = id


@attrs.frozen
class Principal:
    """A verified caller."""

    subject: str
    role: Role
    municipality_code: str | None = None
    team_id: str | None = None
    institution_id: str | None = None
    young_person_id: UUID | None = None


class TokenVerifier(Protocol):
    """Turns a bearer token into a :class:`Principal`, or raises
    :class:`AuthenticationError`."""

    def verify(self, token: str) -> Principal: ...


def principal_from_claims(claims: dict[str, Any]) -> Principal:
    """The principal of verified ``claims`` (raises :class:`AuthenticationError` naming the
    claim that is missing or malformed)."""
    sub = claims.get("sub")
    if not isinstance(sub, str) or not ID_PATTERN.fullmatch(sub) or CPR_LIKE.search(sub):
        raise AuthenticationError("claim 'sub': an id of lower-case letters, digits and ._:- "
                                  "(at most 64), not a CPR number")
    try:
        role = Role(str(claims.get("role")))
    except ValueError:
        raise AuthenticationError(f"claim 'role': one of {', '.join(Role)}") from None

    def text(name: str, pattern: Any, required: bool) -> str | None:
        value = claims.get(name)
        if value is None and not required:
            return None
        if not isinstance(value, str) or not pattern.fullmatch(value):
            raise AuthenticationError(f"claim '{name}': required for role {role} in its form")
        return value

    municipality = text("municipality", MUNICIPALITY_CODE,
                        role in (Role.CASEWORKER, Role.AUDITOR))
    team = text("team", ID_PATTERN, False) if role is Role.CASEWORKER else None
    institution = text("institution", INSTITUTION_ID, role is Role.INSTITUTION)
    young_person: UUID | None = None
    if role is Role.YOUNG_PERSON:
        raw = claims.get("young_person_id")
        try:
            young_person = UUID(raw) if isinstance(raw, str) and len(raw) == 36 else None
        except ValueError:
            young_person = None
        if young_person is None:
            raise AuthenticationError("claim 'young_person_id': a UUID, required for role "
                                      "young_person")
    return Principal(subject=sub, role=role,
                     municipality_code=municipality if role in (
                         Role.CASEWORKER, Role.AUDITOR) else None,
                     team_id=team, institution_id=institution if role is Role.INSTITUTION
                     else None, young_person_id=young_person)


class JwtVerifier:
    """Verifies JWTs with PyJWT against the key of ``settings``: signature, ``exp`` (required),
    ``iss``, ``aud``, ``nbf``/``iat`` when present, with the configured leeway."""

    def __init__(self, settings: HttpSettings) -> None:
        self.settings = settings
        self._jwks: jwt.PyJWKSet | None = None
        self._key: Any = None
        if settings.jwt_secret is not None:
            self._key = settings.jwt_secret.get_secret_value()
        elif settings.jwt_public_key_file is not None:
            self._key = settings.jwt_public_key_file.read_text(encoding="ascii")
        elif settings.jwks_file is not None:
            self._jwks = jwt.PyJWKSet.from_dict(
                json.loads(settings.jwks_file.read_text(encoding="utf-8")))

    def _key_for(self, token: str) -> Any:
        if self._jwks is None:
            return self._key
        kid = jwt.get_unverified_header(token).get("kid")
        for key in self._jwks.keys:
            if key.key_id == kid:
                return key.key
        raise AuthenticationError("the token's 'kid' names no key of the JWKS")

    def verify(self, token: str) -> Principal:
        s = self.settings
        try:
            claims = jwt.decode(token, self._key_for(token), algorithms=list(s.jwt_algorithms),
                                audience=s.jwt_audience, issuer=s.jwt_issuer,
                                leeway=s.jwt_leeway_seconds,
                                options={"require": ["exp", "iss", "aud", "sub"]})
        except jwt.ExpiredSignatureError:
            raise AuthenticationError("the token has expired") from None
        except jwt.InvalidAudienceError:
            raise AuthenticationError("the token is not for this audience") from None
        except jwt.InvalidIssuerError:
            raise AuthenticationError("the token is not from the trusted issuer") from None
        except jwt.MissingRequiredClaimError as err:
            raise AuthenticationError(f"the token lacks the claim '{err.claim}'") from None
        except jwt.InvalidSignatureError:
            raise AuthenticationError("the token's signature does not verify") from None
        except jwt.InvalidAlgorithmError:
            raise AuthenticationError("the token's algorithm is not accepted") from None
        except jwt.PyJWTError:
            raise AuthenticationError("the token is not a valid JWT") from None
        return principal_from_claims(claims)

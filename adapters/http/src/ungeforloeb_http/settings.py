"""The HTTP front's settings: from the environment (``UNGEFORLOEB_HTTP_*``) or given in Python.

One :class:`HttpSettings` object says how tokens are verified (which key, issuer, audience),
how large a request may be, and how often a command that lost a race is re-run. Nothing here
has a default that lets a request in unauthenticated: without a key the app does not start.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

ASYMMETRIC = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512",
              "EdDSA")
SYMMETRIC = ("HS256", "HS384", "HS512")


class SettingsError(ValueError):
    """Raised when the settings cannot verify a token (no key, or a key that does not fit the
    algorithms)."""


class HttpSettings(BaseSettings):
    """How the HTTP front authenticates and what it accepts.

    Environment: ``UNGEFORLOEB_HTTP_<NAME>`` (e.g. ``UNGEFORLOEB_HTTP_JWT_ISSUER``); a list is
    JSON (``UNGEFORLOEB_HTTP_JWT_ALGORITHMS='["RS256"]'``).
    """

    model_config = SettingsConfigDict(env_prefix="UNGEFORLOEB_HTTP_", extra="forbid",
                                      frozen=True)

    jwt_issuer: str = Field(description="The `iss` every token must carry.")
    jwt_audience: str = Field(description="The `aud` every token must name.")
    jwt_algorithms: tuple[str, ...] = Field(
        ("HS256",), description="Algorithms accepted (`HS256` with a secret; `RS256`, `ES256`, "
                                "... with a public key or a JWKS file).")
    jwt_secret: SecretStr | None = Field(None, description="The shared secret of HS* tokens "
                                                           "(at least 32 bytes).")
    jwt_public_key_file: Path | None = Field(None, description="A PEM public key (RS*/PS*/ES*/"
                                                               "EdDSA).")
    jwks_file: Path | None = Field(None, description="A JWKS file: the key is chosen by the "
                                                     "token's `kid`.")
    jwt_leeway_seconds: Annotated[int, Field(ge=0, le=300)] = 30
    max_body_bytes: Annotated[int, Field(ge=1024, le=64 * 1024 * 1024)] = 1024 * 1024
    """Largest request body taken; a larger one is refused with 413 while it arrives."""
    conflict_retries: Annotated[int, Field(ge=0, le=10)] = 2
    """How often a command refused by a concurrent write to its case is reloaded and re-run
    before the client gets 409."""
    events_page_max: Annotated[int, Field(ge=1, le=10_000)] = 1000

    @model_validator(mode="after")
    def _one_key_that_fits(self) -> HttpSettings:
        keys = [k for k in (self.jwt_secret, self.jwt_public_key_file, self.jwks_file)
                if k is not None]
        if len(keys) != 1:
            raise SettingsError("give exactly one of jwt_secret, jwt_public_key_file, "
                                "jwks_file (UNGEFORLOEB_HTTP_JWT_SECRET, ..._JWT_PUBLIC_KEY_FILE,"
                                " ..._JWKS_FILE)")
        unknown = [a for a in self.jwt_algorithms if a not in SYMMETRIC + ASYMMETRIC]
        if unknown or not self.jwt_algorithms:
            raise SettingsError(f"jwt_algorithms: unknown or none: {unknown}; one of "
                                f"{', '.join(SYMMETRIC + ASYMMETRIC)}")
        symmetric = {a in SYMMETRIC for a in self.jwt_algorithms}
        if len(symmetric) != 1:
            raise SettingsError("jwt_algorithms: do not mix HS* with public-key algorithms")
        if self.jwt_secret is not None:
            if symmetric != {True}:
                raise SettingsError("jwt_secret goes with HS256/HS384/HS512 only")
            if len(self.jwt_secret.get_secret_value().encode()) < 32:
                raise SettingsError("jwt_secret: at least 32 bytes")
        elif symmetric != {False}:
            raise SettingsError("a public key or JWKS goes with RS*/PS*/ES*/EdDSA only")
        return self

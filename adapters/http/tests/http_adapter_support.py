"""What the HTTP adapter's tests share besides fixtures (a module name of its own: the
repository's root tests have a ``conftest`` too, so nothing is imported from ours)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Post = Callable[..., dict[str, Any]]
"""``post(name, expect=200, **body)``: the ``command`` fixture."""

FIRST_CONTACT = {"occurred_on": "2024-01-08", "recorded_by": "cw-1", "municipality_code": "101",
                 "birth_date": "2004-05-17"}
"""A first contact's fields, without CPR and name."""

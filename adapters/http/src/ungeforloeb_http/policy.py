"""Who may do what: every route's check of role and scope, in this one module.

:data:`ROLES` says which roles may call each operation (by its operation id) at all; then
:func:`authorize` checks the scope of the call:

- a **caseworker** works on the cases of their own municipality (every command, every query;
  a token with a ``team`` keeps the worklist to that team);
- an **institution** posts its own reports (``provenance.institution_id`` is its id) and reads
  the DataTilInstitution notifications sent to it;
- an **auditor** reads compliance, explanations, the event log and the export of their
  municipality, and writes nothing;
- a **young person** reads their own case (status, trail, verdicts) and nothing else;
- an **operator** reads ``/metrics`` (and ``/health``, which is open to anyone).

A case outside the caller's scope is refused with 403 ``forbidden`` before anything is read
or written; the answer names the operation and the case, never what the case holds.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

import attrs
from eventsourcing.application import AggregateNotFoundError

from ungeforloeb.application import Ungeforloeb
from ungeforloeb.domain.education_order import EducationOrder
from ungeforloeb.domain.retention import RetentionCase
from ungeforloeb.domain.young_person import YoungPerson
from ungeforloeb_http.auth import ForbiddenError, Principal, Role
from ungeforloeb_http.commands import COMMANDS

C, INST, A, Y, OPER = (Role.CASEWORKER, Role.INSTITUTION, Role.AUDITOR, Role.YOUNG_PERSON,
                       Role.OPERATOR)

ROLES: dict[str, frozenset[Role]] = {
    **{c.name: frozenset({C}) for c in COMMANDS},
    "receive_institution_message": frozenset({C, INST}),
    "institution_notifications": frozenset({INST}),
    "case_status": frozenset({C, Y}),
    "case_trail": frozenset({C, Y}),
    "explain": frozenset({C, A, Y}),
    "worklist": frozenset({C}),
    "compliance": frozenset({C, A}),
    "management_status_on": frozenset({C, A}),
    "management_flows": frozenset({C, A}),
    "export": frozenset({C, A}),
    "events": frozenset({C, A}),
    "metrics": frozenset({OPER}),
}
"""Operation id → the roles that may call it. ``health`` is open; an operation not listed here
is refused to everyone (a test checks every route is listed)."""

__all__ = ["ROLES", "CaseScope", "ForbiddenError", "authorize", "case_scope"]


@attrs.frozen
class CaseScope:
    """Whose case a target id belongs to."""

    young_person_id: UUID
    municipality_code: str


def case_scope(app: Ungeforloeb, target: UUID) -> CaseScope | None:
    """The case of a young person, order or retention case id (read from that one stream), or
    ``None`` when no such case exists (the operation itself then answers 404)."""
    try:
        aggregate: Any = app.repository.get(target)
    except AggregateNotFoundError:
        return None
    if isinstance(aggregate, EducationOrder | RetentionCase):
        try:
            aggregate = app.repository.get(aggregate.young_person_id)
        except AggregateNotFoundError:
            return None
    if not isinstance(aggregate, YoungPerson):
        return None
    return CaseScope(aggregate.id, aggregate.municipality_code)


def authorize(principal: Principal, operation: str, *, case: CaseScope | None = None,
              municipality: str | None = None, institution: str | None = None) -> None:
    """Raise :class:`ForbiddenError` unless ``principal`` may call ``operation`` on ``case``
    (a case), for ``municipality`` (a municipality's data) or as ``institution``."""
    allowed = ROLES.get(operation, frozenset())
    if principal.role not in allowed:
        roles = ", ".join(sorted(allowed)) or "no role"
        raise ForbiddenError(operation, f"role {principal.role} may not call it ({roles} may)")
    role = principal.role
    if case is not None:
        if role is Y and case.young_person_id != principal.young_person_id:
            raise ForbiddenError(operation, "a young person reads only their own case",
                                 case.young_person_id)
        if role in (C, A) and case.municipality_code != principal.municipality_code:
            raise ForbiddenError(operation, f"the case is not of municipality "
                                            f"{principal.municipality_code}",
                                 case.young_person_id)
        if role in (INST, OPER):
            raise ForbiddenError(operation, f"role {role} reads no case", case.young_person_id)
    if municipality is not None and role in (C, A) and \
            municipality != principal.municipality_code:
        raise ForbiddenError(operation, f"municipality {principal.municipality_code} only")
    if institution is not None and role is INST and institution != principal.institution_id:
        raise ForbiddenError(operation, f"institution {principal.institution_id} posts only "
                                        f"its own reports")

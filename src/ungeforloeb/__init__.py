"""ungeforloeb — event-sourced rules for young people on education benefit with an education order.

The names a vendor needs first are here (``from ungeforloeb import Ungeforloeb, worklist``);
each is imported on first use, so ``import ungeforloeb.domain`` stays light. The package is
layered; each layer imports only downwards (``docs/architecture.md``):

- :mod:`ungeforloeb.domain` — aggregates, their events, value types, domain errors.
- :mod:`ungeforloeb.casefile` — light event records, the fold and the case view.
- :mod:`ungeforloeb.rules` — the regime data, the rule kinds and the one evaluator.
- :mod:`ungeforloeb.projections` — worklist, compliance, status, audit trail, kept verdicts.
- :mod:`ungeforloeb.exchange` — the wire contract with the institutions.
- :mod:`ungeforloeb.application` — the eventsourcing application (commands), its policies.
- :mod:`ungeforloeb.interchange` — the exported log: export, verify, import, audit.
- :mod:`ungeforloeb.cli` — the command line.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from ungeforloeb.application.app import Ungeforloeb
    from ungeforloeb.application.clock import SettableClock
    from ungeforloeb.application.kept import KeptVerdicts
    from ungeforloeb.casefile.fold import CaseFile
    from ungeforloeb.domain.errors import (
        DomainError,
        EventOutOfOrderError,
        InvalidCommandError,
        UnknownCaseError,
    )
    from ungeforloeb.domain.values import (
        OrderStep,
        VisitationGroup,
        VisitationStage,
    )
    from ungeforloeb.projections.audit_trail import audit_trail
    from ungeforloeb.projections.compliance import ComplianceReport, evaluate_all
    from ungeforloeb.projections.status import CaseStatus, case_status
    from ungeforloeb.projections.worklist import WorkItem, worklist
    from ungeforloeb.rules.evaluate import evaluate
    from ungeforloeb.rules.loader import default_rules
    from ungeforloeb.rules.verdict import Status, Verdict

_EXPORTS = {
    "Ungeforloeb": "ungeforloeb.application.app",
    "SettableClock": "ungeforloeb.application.clock",
    "KeptVerdicts": "ungeforloeb.application.kept",
    "CaseFile": "ungeforloeb.casefile.fold",
    "DomainError": "ungeforloeb.domain.errors",
    "EventOutOfOrderError": "ungeforloeb.domain.errors",
    "InvalidCommandError": "ungeforloeb.domain.errors",
    "UnknownCaseError": "ungeforloeb.domain.errors",
    "OrderStep": "ungeforloeb.domain.values",
    "VisitationGroup": "ungeforloeb.domain.values",
    "VisitationStage": "ungeforloeb.domain.values",
    "audit_trail": "ungeforloeb.projections.audit_trail",
    "ComplianceReport": "ungeforloeb.projections.compliance",
    "evaluate_all": "ungeforloeb.projections.compliance",
    "CaseStatus": "ungeforloeb.projections.status",
    "case_status": "ungeforloeb.projections.status",
    "WorkItem": "ungeforloeb.projections.worklist",
    "worklist": "ungeforloeb.projections.worklist",
    "evaluate": "ungeforloeb.rules.evaluate",
    "default_rules": "ungeforloeb.rules.loader",
    "Status": "ungeforloeb.rules.verdict",
    "Verdict": "ungeforloeb.rules.verdict",
}

__all__ = [
    "CaseFile",
    "CaseStatus",
    "ComplianceReport",
    "DomainError",
    "EventOutOfOrderError",
    "InvalidCommandError",
    "KeptVerdicts",
    "OrderStep",
    "SettableClock",
    "Status",
    "Ungeforloeb",
    "UnknownCaseError",
    "Verdict",
    "VisitationGroup",
    "VisitationStage",
    "WorkItem",
    "__version__",
    "audit_trail",
    "case_status",
    "default_rules",
    "evaluate",
    "evaluate_all",
    "worklist",
]


def __getattr__(name: str) -> Any:
    """Import an exported name on first use (PEP 562)."""
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'ungeforloeb' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_EXPORTS])

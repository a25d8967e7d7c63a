"""ungeforloeb — event-sourced rules for young people on education benefit with an education order.

The package is layered; each layer imports only downwards:

- :mod:`ungeforloeb.domain` — aggregates, their events, value types, domain errors.
- :mod:`ungeforloeb.casefile` — light event records and the pure fold into case files.
- :mod:`ungeforloeb.rules` — calendar, rule data by regime, the pure evaluator.
- :mod:`ungeforloeb.projections` — status, worklist, audit trail, compliance.
- :mod:`ungeforloeb.application` — the eventsourcing application (commands), persistence.
- :mod:`ungeforloeb.cli` — the command line.
"""

__version__ = "0.1.0"

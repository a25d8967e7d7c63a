"""Live projections of ungeforloeb in PostgreSQL tables, for plain SQL.

``start(app_env, schema)`` runs eventsourcing's projection runner over the application's store
and keeps ``case_status``, ``worklist_item`` and ``verdict`` current in ``schema``, each event
applied exactly once (the rows and the tracking position commit together). ``catch_up`` applies
everything stored so far and stops; ``advance`` moves the worklist window to a new day.
"""

from ungeforloeb_postgres.projection import (
    DEFAULT_DAYS,
    TablesProjection,
    TablesRunner,
    advance,
    catch_up,
    prepare,
    start,
    window,
)
from ungeforloeb_postgres.rows import CaseRows, case_rows
from ungeforloeb_postgres.tables import CaseTables

__all__ = [
    "DEFAULT_DAYS",
    "CaseRows",
    "CaseTables",
    "TablesProjection",
    "TablesRunner",
    "advance",
    "case_rows",
    "catch_up",
    "prepare",
    "start",
    "window",
]

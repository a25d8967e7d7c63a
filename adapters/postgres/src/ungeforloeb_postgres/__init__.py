"""The kept verdicts of ungeforloeb in PostgreSQL tables, for plain SQL.

The core's kept projection (:class:`ungeforloeb.application.kept.KeptVerdicts`) with its rows in
a PostgreSQL schema: per case its verdicts, its worklist items and the next day any of them can
change. :func:`keep` applies what is new and rolls the kept day (each event exactly once: the
rows and the tracking position commit together); :func:`follow` does it every few seconds until
stopped. See :mod:`ungeforloeb_postgres.kept`.
"""

from ungeforloeb_postgres.kept import PositionMovedError, PostgresKeptStore, follow, keep, today

__all__ = ["PositionMovedError", "PostgresKeptStore", "follow", "keep", "today"]

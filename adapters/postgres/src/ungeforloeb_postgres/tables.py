"""The tables, and the tracking recorder that writes them with its tracking row.

:class:`CaseTables` is eventsourcing's :class:`~eventsourcing.postgres.PostgresTrackingRecorder`
with our tables added to the statements it creates, so that the projection runner builds it as
the projection's *view* and every write to the tables can go in the same transaction as the
tracking row (``ungeforloeb_tables_tracking``: one row per application, the notification id
of the last event applied).

Every method here that takes a cursor writes inside the caller's transaction; none commits.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from eventsourcing.postgres import PostgresDatastore, PostgresTrackingRecorder
from psycopg import Cursor
from psycopg.rows import DictRow
from psycopg.sql import SQL, Composed, Identifier

from ungeforloeb.casefile.records import EventRecord
from ungeforloeb.projections.status import UNROUTED_PREFIX, CaseStatus
from ungeforloeb_postgres.rows import CaseRows, next_deadline, status_json

PROJECTION_NAME = "ungeforloeb_tables"
"""The projection's name: its tracking table is ``ungeforloeb_tables_tracking`` and its
settings may be prefixed ``UNGEFORLOEB_TABLES_`` (eventsourcing's convention)."""

TRACKING_TABLE = PROJECTION_NAME + "_tracking"

_DDL = [
    "CREATE TABLE IF NOT EXISTS {s}.projection_window ("
    " id smallint PRIMARY KEY CHECK (id = 1),"
    " first_day date NOT NULL,"
    " days integer NOT NULL CHECK (days >= 1))",
    "CREATE TABLE IF NOT EXISTS {s}.stream_owner ("
    " stream_id uuid PRIMARY KEY,"
    " young_person_id text NOT NULL)",
    "CREATE INDEX IF NOT EXISTS stream_owner_person_idx ON {s}.stream_owner (young_person_id)",
    "CREATE TABLE IF NOT EXISTS {s}.case_status ("
    " young_person_id uuid PRIMARY KEY,"
    " municipality_code text,"
    " first_contact_on date,"
    " visitation_group text,"
    " visitation_final boolean NOT NULL,"
    " order_steps smallint[] NOT NULL,"
    " next_deadline date,"
    " open_orders integer NOT NULL,"
    " open_retention_cases integer NOT NULL,"
    " benefit_ended_on date,"
    " caseworker_id text,"
    " team_id text,"
    " status jsonb NOT NULL,"
    " updated_position bigint NOT NULL,"
    " applied_events bigint NOT NULL)",
    "CREATE INDEX IF NOT EXISTS case_status_team_idx ON {s}.case_status (team_id, caseworker_id)",
    "CREATE TABLE IF NOT EXISTS {s}.worklist_item ("
    " young_person_id uuid NOT NULL,"
    " on_day date NOT NULL,"
    " item_no integer NOT NULL,"
    " kind text NOT NULL,"
    " title text NOT NULL,"
    " due_on date,"
    " overdue boolean NOT NULL,"
    " rule_id text,"
    " legal_source text,"
    " caseworker_id text,"
    " team_id text,"
    " cause bigint[] NOT NULL,"
    " PRIMARY KEY (young_person_id, on_day, item_no))",
    "CREATE INDEX IF NOT EXISTS worklist_item_day_team_idx ON {s}.worklist_item"
    " (on_day, team_id, caseworker_id)",
    "CREATE TABLE IF NOT EXISTS {s}.verdict ("
    " young_person_id uuid NOT NULL,"
    " verdict_no integer NOT NULL,"
    " as_of date NOT NULL,"
    " rule_id text NOT NULL,"
    " subject text NOT NULL,"
    " control_point text,"
    " status text NOT NULL,"
    " due_on date,"
    " legal_source text NOT NULL,"
    " caseworker_id text,"
    " team_id text,"
    " explanation text NOT NULL,"
    " PRIMARY KEY (young_person_id, verdict_no))",
    "CREATE INDEX IF NOT EXISTS verdict_rule_status_idx ON {s}.verdict (rule_id, status)",
    "CREATE OR REPLACE VIEW {s}.worklist_first_day AS"
    " SELECT w.* FROM {s}.worklist_item w"
    " JOIN {s}.projection_window p ON w.on_day = p.first_day",
]


class CaseTables(PostgresTrackingRecorder):
    """The projection's view: the tables in one schema, and their tracking row."""

    def __init__(self, datastore: PostgresDatastore, *,
                 tracking_table_name: str = TRACKING_TABLE, **kwargs: Any) -> None:
        super().__init__(datastore, tracking_table_name=tracking_table_name, **kwargs)
        self.schema = self.datastore.schema
        s = Identifier(self.schema)
        self.sql_create_statements.extend(SQL(stmt).format(s=s) for stmt in _DDL)

    def create_table(self) -> None:
        """Create the schema (if need be), the tracking table and our tables."""
        with self.datastore.transaction(commit=True) as curs:
            curs.execute(SQL("CREATE SCHEMA IF NOT EXISTS {0}").format(Identifier(self.schema)))
        super().create_table()

    def _q(self, text: str) -> Composed:
        return SQL(text).format(s=Identifier(self.schema))

    # ------------------------------------------------------------------ the window

    def window(self, curs: Cursor[DictRow], *, lock: str = "") -> tuple[date, int] | None:
        """(first day, number of days) of the worklist window; ``lock`` ``"share"`` or
        ``"update"`` takes that row lock (event handlers share it, a window move takes it)."""
        suffix = {"": "", "share": " FOR SHARE", "update": " FOR UPDATE"}[lock]
        curs.execute(self._q("SELECT first_day, days FROM {s}.projection_window WHERE id = 1"
                             + suffix))
        row = curs.fetchone()
        return None if row is None else (row["first_day"], int(row["days"]))

    def set_window(self, curs: Cursor[DictRow], first_day: date, days: int) -> None:
        if days < 1:
            raise ValueError(f"the worklist window needs at least one day, got {days}")
        curs.execute(self._q(
            "INSERT INTO {s}.projection_window (id, first_day, days) VALUES (1, %s, %s) "
            "ON CONFLICT (id) DO UPDATE SET first_day = EXCLUDED.first_day, "
            "days = EXCLUDED.days"), (first_day, days))

    # ------------------------------------------------------------------ routing

    def owner_of(self, curs: Cursor[DictRow], rec: EventRecord) -> str:
        """The case key of a record's stream (as ``group_by_case`` routes it), remembered in
        ``stream_owner`` from the stream's first event on."""
        curs.execute(self._q("SELECT young_person_id FROM {s}.stream_owner WHERE stream_id = %s"),
                     (UUID(rec.stream_id),))
        row = curs.fetchone()
        if row is not None:
            return str(row["young_person_id"])
        if rec.stream_type == "YoungPerson":
            key = rec.stream_id
        else:
            yp = rec.payload.get("young_person_id")
            key = (yp if isinstance(yp, str) and rec.version == 1
                   else UNROUTED_PREFIX + rec.stream_id)
        curs.execute(self._q("INSERT INTO {s}.stream_owner (stream_id, young_person_id) "
                             "VALUES (%s, %s)"), (UUID(rec.stream_id), key))
        return key

    def streams_of(self, curs: Cursor[DictRow], key: str) -> list[UUID]:
        curs.execute(self._q("SELECT stream_id FROM {s}.stream_owner WHERE young_person_id = %s "
                             "ORDER BY stream_id"), (key,))
        return [row["stream_id"] for row in curs.fetchall()]

    def case_keys(self, curs: Cursor[DictRow]) -> list[str]:
        """Every young person with rows (routed cases only)."""
        curs.execute(self._q("SELECT young_person_id FROM {s}.case_status "
                             "ORDER BY young_person_id"))
        return [str(row["young_person_id"]) for row in curs.fetchall()]

    # ------------------------------------------------------------------ a case's rows

    def write_status(self, curs: Cursor[DictRow], key: str, status: CaseStatus,
                     position: int) -> None:
        """Upsert the case's status row; ``applied_events`` counts the events applied to the
        case (incremented, never recomputed: it shows an event applied twice)."""
        curs.execute(self._q(
            "INSERT INTO {s}.case_status (young_person_id, municipality_code, first_contact_on,"
            " visitation_group, visitation_final, order_steps, next_deadline, open_orders,"
            " open_retention_cases, benefit_ended_on, caseworker_id, team_id, status,"
            " updated_position, applied_events)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s::jsonb, %s, 1)"
            " ON CONFLICT (young_person_id) DO UPDATE SET"
            " municipality_code = EXCLUDED.municipality_code,"
            " first_contact_on = EXCLUDED.first_contact_on,"
            " visitation_group = EXCLUDED.visitation_group,"
            " visitation_final = EXCLUDED.visitation_final,"
            " order_steps = EXCLUDED.order_steps, next_deadline = EXCLUDED.next_deadline,"
            " open_orders = EXCLUDED.open_orders,"
            " open_retention_cases = EXCLUDED.open_retention_cases,"
            " benefit_ended_on = EXCLUDED.benefit_ended_on,"
            " caseworker_id = EXCLUDED.caseworker_id, team_id = EXCLUDED.team_id,"
            " status = EXCLUDED.status, updated_position = EXCLUDED.updated_position,"
            " applied_events = {s}.case_status.applied_events + 1"),
            (UUID(key), status.municipality_code, status.first_contact_on,
             status.group.value if status.group is not None else None,
             status.visitation_final, [s.value for s in status.current_steps],
             next_deadline(status), len(status.open_orders), len(status.open_retention_cases),
             status.benefit_ended_on, status.caseworker_id, status.team_id,
             status_json(status), position))

    def replace_day_rows(self, curs: Cursor[DictRow], key: str, rows: CaseRows) -> None:
        """Replace the case's worklist items and verdicts by ``rows``'."""
        yp = UUID(key)
        curs.execute(self._q("DELETE FROM {s}.worklist_item WHERE young_person_id = %s"), (yp,))
        curs.execute(self._q("DELETE FROM {s}.verdict WHERE young_person_id = %s"), (yp,))
        items = [(yp, day, n, i.kind, i.title, i.due_on, i.overdue, i.rule_id, i.legal_source,
                  i.caseworker_id, i.team_id, list(i.cause))
                 for day, day_items in rows.items for n, i in enumerate(day_items)]
        if items:
            curs.executemany(self._q(
                "INSERT INTO {s}.worklist_item (young_person_id, on_day, item_no, kind, title,"
                " due_on, overdue, rule_id, legal_source, caseworker_id, team_id, cause)"
                " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"), items)
        verdicts = [(yp, n, rows.verdicts_as_of, v.rule_id, v.subject, v.control_point,
                     v.status.value, v.due_on, v.legal_source, v.caseworker_id, v.team_id,
                     v.explanation) for n, v in enumerate(rows.verdicts)]
        if verdicts:
            curs.executemany(self._q(
                "INSERT INTO {s}.verdict (young_person_id, verdict_no, as_of, rule_id, subject,"
                " control_point, status, due_on, legal_source, caseworker_id, team_id,"
                " explanation) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"),
                verdicts)

    def position(self, curs: Cursor[DictRow], application_name: str) -> int:
        """The tracked position (0 before any event), read in the caller's transaction."""
        return self._max_tracking_id(application_name, curs) or 0


"""No CPR number and no name ever comes back: not in an error, its traceback, a log line or a
command's output.

Hypothesis puts CPR numbers (with and without the hyphen) and names into every parameter of
every library command in turn, into the identity store's entry points, and into any field, key
or event type of an exported log (chain re-sealed, so that the reader meets the value itself)
that the CLI's ``verify`` and ``import`` then read. Every text that comes out is searched.
"""

from __future__ import annotations

import enum
import inspect
import logging
import tempfile
import traceback
import types
import typing
from datetime import date
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from interchange_support import new_app, parse, reseal, small_log
from ungeforloeb.application.app import Ungeforloeb
from ungeforloeb.cli import main
from ungeforloeb.domain.redact import scrub, shown

FIRST = ["Signe", "Mads", "Amira", "Søren", "Ida-Marie", "Jens Peter", "Aisha", "Ulrik"]
LAST = ["Kjærgaard", "Østergaard", "Haddad", "Bækgaard", "Nørgaard", "Winther-Holm"]


@st.composite
def cprs(draw: st.DrawFn) -> str:
    day = draw(st.dates(date(1990, 1, 1), date(2012, 12, 31)))
    serial = draw(st.integers(0, 9999))
    hyphen = draw(st.sampled_from(["", "-"]))
    return f"{day:%d%m%y}{hyphen}{serial:04d}"


names = st.builds(lambda f, last: f"{f} {last}", st.sampled_from(FIRST), st.sampled_from(LAST))
personal = st.one_of(cprs(), names)


def forbidden(value: str) -> list[str]:
    """The texts that must not appear: the value, the CPR's digits, the name's last name."""
    out = [value]
    if value[:6].isdigit():
        out.append(value.replace("-", ""))
        out.append(f"{value.replace('-', '')[:6]}-{value.replace('-', '')[6:]}")
    else:
        out.append(value.split()[-1])
    return out


def assert_absent(value: str, *texts: str) -> None:
    for text in texts:
        for needle in forbidden(value):
            assert needle not in text, f"{needle!r} echoed in {text!r}"


class Captured(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


def error_texts(e: BaseException) -> list[str]:
    return [str(e), repr(e), "".join(traceback.format_exception(e))]


# ------------------------------------------------------------------------- commands

def _command_names() -> list[str]:
    return sorted(n for n, f in inspect.getmembers(Ungeforloeb, inspect.isfunction)
                  if not n.startswith("_") and "occurred_on" in inspect.signature(f).parameters)


COMMANDS = _command_names()


def _filler(name: str, tp: Any, ids: dict[str, UUID]) -> Any:
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        inner = [a for a in typing.get_args(tp) if a is not type(None)]
        return _filler(name, inner[0], ids) if inner else None
    if tp is UUID:
        return ids.get(name, ids["young_person_id"])
    if tp is date:
        return date(2024, 9, 3)
    if tp is bool:
        return True
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return next(iter(tp))
    return "x-1"


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> tuple[Ungeforloeb, dict[str, UUID]]:
    app = Ungeforloeb(tmp_path_factory.mktemp("store") / "s.sqlite")
    yp = app.register_first_contact(occurred_on=date(2024, 9, 2), recorded_by="cw-1",
                                    municipality_code="101", birth_date=date(2004, 5, 1),
                                    cpr="010504-1234", name="Test Testesen")
    order = app.issue_order(yp, occurred_on=date(2024, 9, 2), recorded_by="cw-1")
    case = app.report_risk_of_dropout(yp, occurred_on=date(2024, 9, 2), recorded_by="udb",
                                      institution_id="280727", report_id="r-1",
                                      received_on=date(2024, 9, 2))
    return app, {"young_person_id": yp, "order_id": order, "case_id": case}


@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(command=st.sampled_from(COMMANDS), value=personal, data=st.data())
def test_no_command_echoes_a_cpr_number_or_a_name_put_into_any_parameter(world, command, value,
                                                                          data):
    app, ids = world
    method = getattr(app, command)
    hints = typing.get_type_hints(getattr(Ungeforloeb, command))
    params = [p for p in inspect.signature(method).parameters.values()
              if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)]
    kwargs = {p.name: _filler(p.name, hints.get(p.name, str), ids) for p in params}
    target = data.draw(st.sampled_from([p.name for p in params]), label="parameter")
    kwargs[target] = value
    handler = Captured()
    logging.getLogger().addHandler(handler)
    previous = logging.getLogger().level
    logging.getLogger().setLevel(logging.DEBUG)
    try:
        method(**kwargs)
        outcome: list[str] = []
    except Exception as e:  # every refusal is searched, whatever its class
        outcome = error_texts(e)
    finally:
        logging.getLogger().removeHandler(handler)
        logging.getLogger().setLevel(previous)
    assert_absent(value, *outcome, *handler.lines)
    stored = " ".join(repr(r) for r in app.records())
    if target not in ("cpr", "name"):  # a CPR or name only ever lives in the identity record
        assert_absent(value, stored)


@settings(max_examples=50)
@given(value=personal)
def test_the_identity_store_never_echoes_what_it_is_given(value):
    app, _clock = new_app()
    for call in (lambda: app.identities.find_by_cpr(value),
                 lambda: app.register_first_contact(
                     occurred_on=date(2024, 9, 2), recorded_by="cw-1", municipality_code="101",
                     birth_date=date(2004, 5, 1), cpr=value, name=value),
                 lambda: app.identity(value)):  # type: ignore[arg-type]
        try:
            result = call()
        except Exception as e:
            assert_absent(value, *error_texts(e))
        else:
            assert_absent(value, repr(result))


# ------------------------------------------------------------------ the log reader

LOG = small_log()


def _string_paths(obj: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    if isinstance(obj, dict):
        return [p for k, v in obj.items() for p in _string_paths(v, (*prefix, k))]
    if isinstance(obj, list):
        return [p for i, v in enumerate(obj) for p in _string_paths(v, (*prefix, i))]
    return [prefix] if isinstance(obj, str | int | bool) or obj is None else []


def _put(obj: Any, path: tuple[Any, ...], value: Any) -> None:
    for step in path[:-1]:
        obj = obj[step]
    obj[path[-1]] = value


@settings(max_examples=60, deadline=None)
@given(value=personal, data=st.data())
def test_verify_and_import_of_a_crafted_log_never_echo_a_cpr_number_or_a_name(value, data):
    objs = parse(LOG)
    where = data.draw(st.integers(0, len(objs) - 1), label="line")
    how = data.draw(st.sampled_from(["value", "key", "type"]), label="how")
    line = objs[where]
    if how == "value":
        path = data.draw(st.sampled_from(_string_paths(line)), label="field")
        _put(line, path, value)
    elif how == "key":
        target = line.get("payload", line)
        target[value] = "x"
    else:
        line["type"] = value
    crafted = reseal(objs)
    runner = CliRunner()
    with tempfile.TemporaryDirectory() as tmp:
        log = Path(tmp) / "crafted.jsonl"
        log.write_bytes(crafted)
        for args in (["verify", str(log), "--recompute"],
                     ["import", str(log), "--db", str(Path(tmp) / "store.sqlite")]):
            result = runner.invoke(main, args)
            texts = [result.output]
            if result.exception is not None and not isinstance(result.exception, SystemExit):
                texts += error_texts(result.exception)
            assert_absent(value, *texts)


# ---------------------------------------------------------------- the function itself

@given(value=personal, field=st.sampled_from(["cpr", "name", "recorded_by", None]))
def test_shown_and_scrub_never_let_a_cpr_number_or_a_name_through(value, field):
    assert_absent(value, shown(value, field), shown([value], field), shown({value: 1}, field),
                  scrub(f"line 3: got {value.replace(' ', '')}") if value[:6].isdigit() else "")



@given(st.uuids())
def test_scrub_leaves_uuids_whole(u):
    assert scrub(f"no young person with id {u}") == f"no young person with id {u}"

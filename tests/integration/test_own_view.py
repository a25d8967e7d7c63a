"""The young person's own view (001:632): everything recorded about them, in Danish, as JSON
and as one self-contained HTML page; from the library and from the command line."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

from click.testing import CliRunner
from test_backends import TODAY, walk_a_case

from ungeforloeb.application import SettableClock, Ungeforloeb
from ungeforloeb.cli import main
from ungeforloeb.domain.catalogue import EVENT_TYPES
from ungeforloeb.report.own_view import EVENT_LABELS, own_view, render_html

AS_OF = date(2024, 12, 31)


def _store(tmp_path: Path) -> tuple[Ungeforloeb, object]:
    app = Ungeforloeb(tmp_path / "store.sqlite", clock=SettableClock(TODAY))
    yp, _order, _case = walk_a_case(app)
    return app, yp


def test_the_view_holds_every_event_of_the_case_with_who_recorded_it(tmp_path):
    app, yp = _store(tmp_path)
    other = app.register_first_contact(occurred_on=date(2024, 1, 2), recorded_by="cw-9",
                                       municipality_code="101", birth_date=date(2005, 1, 1))
    view = own_view(app, yp, AS_OF)  # type: ignore[arg-type]
    mine = [r for r in app.case_file(yp).records]  # type: ignore[arg-type]
    assert [e["nr"] for e in view["haendelser"]] == [r.seq for r in mine]
    assert str(other) not in json.dumps(view)
    assert view["ung"] == {"id": str(yp), "navn": "Test Testesen", "cpr": "0105041234",
                           "personoplysninger_slettet": False}
    first = view["haendelser"][0]
    assert first["haendelse"] == "første henvendelse" and first["registreret_af"] == "cw-1"
    assert {"felt": "fødselsdato", "vaerdi": "2004-05-01"} in first["oplysninger"]
    assert {m["haendelse"] for m in view["beskeder"]} == {"risiko for frafald indberettet"}
    assert view["vurderinger"] and all(v["status"] in (
        "opfyldt", "ikke opfyldt", "frist løber", "gælder ikke", "ikke dokumenteret",
        "ret ikke brugt")
        for v in view["vurderinger"])


def test_after_erasure_the_view_says_so_and_shows_no_identity(tmp_path):
    app, yp = _store(tmp_path)
    app.erase_personal_data(yp, occurred_on=TODAY, recorded_by="dpo-1")  # type: ignore[arg-type]
    view = own_view(app, yp, AS_OF)  # type: ignore[arg-type]
    assert view["ung"]["personoplysninger_slettet"] is True
    assert view["ung"]["navn"] is None and view["ung"]["cpr"] is None
    assert "Dine personoplysninger (CPR-nummer, navn og fødselsdato) er slettet" in \
        render_html(view)


def test_the_html_page_is_self_contained_and_escapes_what_it_shows(tmp_path):
    app = Ungeforloeb(tmp_path / "store.sqlite", clock=SettableClock(TODAY))
    yp = app.register_first_contact(occurred_on=date(2024, 1, 2), recorded_by="cw-1",
                                    municipality_code="101", birth_date=date(2004, 5, 1),
                                    cpr="010504-1234", name="<b>Ib</b> & Co")
    page = render_html(own_view(app, yp, AS_OF))
    assert "&lt;b&gt;Ib&lt;/b&gt; &amp; Co" in page and "<b>Ib</b>" not in page
    assert not re.search(r"<script|<link|src=|https?://", page)
    assert "første henvendelse" in page and page.startswith("<!doctype html>")


def test_every_event_type_has_the_glossarys_danish_label():
    glossary = (Path(__file__).resolve().parents[2] / "docs" / "glossary.md").read_text()
    rows = dict(re.findall(r"^\| `(\w+)` \| (?:YoungPerson|EducationOrder|RetentionCase) \| "
                           r"(.*?) \|$", glossary, re.M))
    assert set(EVENT_LABELS) == set(EVENT_TYPES)
    without_law = {k: re.sub(r" \(§[^)]*\)", "", v) for k, v in rows.items()}
    assert without_law == EVENT_LABELS


def test_the_command_line_writes_json_and_html(tmp_path):
    app, yp = _store(tmp_path)
    app.close()
    db = str(tmp_path / "store.sqlite")
    runner = CliRunner()
    done = runner.invoke(main, ["own-view", str(yp)[:8], "--db", db, "--as-of", "2024-12-31"])
    assert done.exit_code == 0, done.output
    assert json.loads(done.output)["ung"]["id"] == str(yp)
    out = tmp_path / "mig.html"
    done = runner.invoke(main, ["own-view", str(yp), "--db", db, "--format", "html",
                                "--out", str(out)])
    assert done.exit_code == 0, done.output
    assert "Det, vi har registreret om dig" in out.read_text(encoding="utf-8")


def test_every_status_has_a_danish_label() -> None:
    from ungeforloeb.report.own_view import STATUS_LABELS
    from ungeforloeb.rules.verdict import Status

    assert set(STATUS_LABELS) == {s.value for s in Status}

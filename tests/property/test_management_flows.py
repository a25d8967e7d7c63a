"""Management figures, consistent by construction: on random histories the stock after a period
is the stock before it plus the inflow minus the outflow; the stock on a day is every case with a
first contact and no end of benefit by then; and the figures from the live store equal the
figures from the audit of its exported log."""

from __future__ import annotations

import io
import itertools
from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st
from test_same_answers import export, random_history

from ungeforloeb.interchange.audit import read_case_files
from ungeforloeb.projections.management import flows, outcomes, status_on, timelines


@given(st.data())
def test_the_stock_after_a_period_is_the_stock_before_plus_inflow_minus_outflow(
        data: st.DataObject) -> None:
    app, start = random_history(data)
    first = start + timedelta(days=data.draw(st.integers(-30, 200), label="from"))
    last = first + timedelta(days=data.draw(st.integers(0, 400), label="length"))
    every = data.draw(st.sampled_from(["week", "month"]), label="every")
    lines = timelines(app.case_files().values())
    rows = flows(lines, first, last, every)
    assert rows[0].start == first and rows[-1].end == last
    for row, nxt in itertools.pairwise(rows):
        assert nxt.start == row.end + timedelta(days=1)
        assert nxt.stock_before == row.stock_after
    for row in rows:
        assert row.stock_after == row.stock_before + row.inflow_total - row.outflow_total
        assert row.stock_before == status_on(lines, row.start - timedelta(days=1)).total
        assert row.stock_after == status_on(lines, row.end).total


@given(st.data())
def test_the_stock_on_a_day_is_every_case_begun_and_not_ended_by_then(
        data: st.DataObject) -> None:
    app, start = random_history(data)
    day = start + timedelta(days=data.draw(st.integers(-10, 400), label="day"))
    files = app.case_files().values()
    expected = set()
    for cf in files:
        facts = cf.view(as_of=day)
        if facts.first_contact is not None and facts.benefit_ended is None:
            expected.add(cf.young_person_id)
    found = status_on(timelines(files), day)
    assert set(found.case_ids) == expected and found.total == len(expected)
    for dimension in ("state", "group", "age_band", "team", "caseworker"):
        assert sum(found.counts(dimension).values()) == found.total, dimension


@given(st.data())
def test_the_live_figures_equal_the_figures_from_the_exported_log(data: st.DataObject) -> None:
    app, start = random_history(data)
    day = start + timedelta(days=data.draw(st.integers(0, 400), label="day"))
    known_at = data.draw(st.none() | st.integers(-60, 60).map(lambda n: day + timedelta(n)),
                         label="known_at")
    live = timelines(app.case_files().values(), known_at)
    _, files = read_case_files(io.BytesIO(export(app, date(2027, 1, 1))))
    audited = timelines(files.values(), known_at)
    assert status_on(live, day).to_dict() == status_on(audited, day).to_dict()
    first, last = start, start + timedelta(days=365)
    assert [r.to_dict() for r in flows(live, first, last)] == \
        [r.to_dict() for r in flows(audited, first, last)]
    assert [o.to_dict() for o in outcomes(live, first, last, day)] == \
        [o.to_dict() for o in outcomes(audited, first, last, day)]

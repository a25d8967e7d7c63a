"""Erasure by crypto-shredding keeps the figures: random histories, a random set of young people
erased; every verdict, digest and compliance row is as before, the export verifies (with the
verdicts recomputed), the audit of the log gives the same verdicts, and the log imports."""

from __future__ import annotations

import io
from datetime import date, timedelta
from uuid import UUID

from hypothesis import given
from hypothesis import strategies as st
from test_same_answers import export, random_history

from interchange_support import new_app
from ungeforloeb.application.app import Ungeforloeb
from ungeforloeb.interchange.audit import evaluate, read_case_files
from ungeforloeb.interchange.importer import import_log
from ungeforloeb.interchange.verify import verify_log
from ungeforloeb.projections.compliance import evaluate_all


def _last_day(app: Ungeforloeb) -> date:
    return max(max(r.occurred_on, r.recorded_on) for r in app.records())


@given(st.data())
def test_erasing_people_leaves_every_verdict_and_figure_identical(data: st.DataObject) -> None:
    app, start = random_history(data)
    as_of = start + timedelta(days=data.draw(st.integers(-20, 700), label="as_of - start"))
    known_at = data.draw(st.none() | st.integers(-100, 100).map(lambda n: as_of + timedelta(n)),
                         label="known_at")
    before = evaluate_all(app.case_files().values(), as_of, known_at)
    people = sorted(k for k in app.case_files() if not k.startswith("?"))
    erased = data.draw(st.lists(st.sampled_from(people), unique=True), label="erased") \
        if people else []
    day = _last_day(app) + timedelta(days=1) if people else start
    app.clock.set(day)  # type: ignore[attr-defined]
    for person in erased:
        app.erase_personal_data(UUID(person), occurred_on=day, recorded_by="dpo-1")
    after = evaluate_all(app.case_files().values(), as_of, known_at)
    assert [v.to_dict() for v in after.verdicts] == [v.to_dict() for v in before.verdicts]
    assert after.digest() == before.digest()
    assert [r.to_dict() for r in after.rows()] == [r.to_dict() for r in before.rows()]
    for person in erased:
        assert app.identities.data_key(UUID(person)) is None

    log = export(app, as_of)
    assert verify_log(io.BytesIO(log), recompute_digest=True).event_count == \
        len(list(app.records()))
    _reader, files = read_case_files(io.BytesIO(log))
    audited = evaluate(files.values(), as_of, known_at)
    assert audited.digest() == before.digest()
    fresh, _ = new_app()
    import_log(fresh, io.BytesIO(log))
    assert export(fresh, as_of) == log

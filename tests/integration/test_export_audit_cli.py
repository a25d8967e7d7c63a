"""The demo's store, exported, verified and audited from the command line: the auditor's table is
the live table; one changed character anywhere in the log is caught at its line."""

from __future__ import annotations

import io
import random
from pathlib import Path

import orjson
import pytest
from click.testing import CliRunner, Result

from ungeforloeb.cli import main
from ungeforloeb.interchange.errors import LogError
from ungeforloeb.interchange.verify import verify_log

AS_OF = "2024-12-31"
EXPORTED_AT = "2025-01-02T08:00:00+00:00"


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The demo's store (40 people) and its exported log."""
    tmp = tmp_path_factory.mktemp("demo")
    db, log = tmp / "demo.sqlite", tmp / "demo.jsonl"
    result = run("demo", "--db", str(db), "--people", "40", "--fresh")
    assert result.exit_code == 0, result.output
    result = run("export", "--db", str(db), "--out", str(log), "--exported-at", EXPORTED_AT,
                 "--as-of", AS_OF)
    assert result.exit_code == 0, result.output
    return {"db": db, "log": log, "tmp": tmp}


def test_an_export_whose_trailer_two_workers_judge_is_the_same_log(
        demo: dict[str, Path]) -> None:
    """Given the demo's log (a small store: its trailer judged in one process), when the store
    is exported again with two workers judging the trailer from the lines written, then the
    log is the same, bit for bit."""
    again = demo["tmp"] / "two-workers.jsonl"
    result = run("export", "--db", str(demo["db"]), "--out", str(again), "--exported-at",
                 EXPORTED_AT, "--as-of", AS_OF, "--jobs", "2")
    assert result.exit_code == 0, result.output
    assert again.read_bytes() == demo["log"].read_bytes()


def test_the_exported_log_verifies_and_its_digest_is_recomputed(demo: dict[str, Path]) -> None:
    result = run("verify", str(demo["log"]))
    assert result.exit_code == 0, result.output
    assert result.output.startswith("ok: ")
    result = run("verify", "--recompute", str(demo["log"]))
    assert result.exit_code == 0, result.output
    assert "recomputed and equal" in result.output


def test_audit_of_the_log_prints_the_same_table_as_compliance_on_the_store(
        demo: dict[str, Path]) -> None:
    for extra in ([], ["--known-at", "2024-10-01"]):
        audit = run("audit", str(demo["log"]), "--as-of", AS_OF, *extra)
        live = run("compliance", "--db", str(demo["db"]), "--as-of", AS_OF, *extra)
        assert audit.exit_code == 0 and live.exit_code == 0, audit.output + live.output
        assert audit.stdout == live.stdout
        assert "Compliance as of 2024-12-31" in audit.stdout


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_audit_json_and_csv_equal_the_live_ones(demo: dict[str, Path], fmt: str) -> None:
    audit = run("audit", str(demo["log"]), "--as-of", "2024-08-15", "--format", fmt)
    live = run("compliance", "--db", str(demo["db"]), "--as-of", "2024-08-15", "--format", fmt)
    assert audit.stdout_bytes == live.stdout_bytes


def test_changing_one_character_in_any_event_line_fails_verify_naming_that_line(
        demo: dict[str, Path]) -> None:
    data = demo["log"].read_bytes()
    lines = data.splitlines(keepends=True)
    rng = random.Random(4)
    for index in range(1, len(lines) - 1):
        line = bytearray(lines[index])
        pos = rng.randrange(len(line) - 1)  # any character but the line feed
        choices = [c for c in b"0123456789abcdefXYZ:,{}\" " if c != line[pos]]
        line[pos] = rng.choice(choices)
        mangled = b"".join([*lines[:index], bytes(line), *lines[index + 1:]])
        with pytest.raises(LogError) as caught:
            verify_log(io.BytesIO(mangled))
        assert str(caught.value).startswith(f"line {index + 1}"), (index, str(caught.value))


def test_verify_on_the_command_line_names_the_changed_line_and_exits_1(
        demo: dict[str, Path]) -> None:
    lines = demo["log"].read_bytes().splitlines(keepends=True)
    obj = orjson.loads(lines[10])
    obj["occurred_on"] = "2024-01-01" if obj["occurred_on"] != "2024-01-01" else "2024-01-02"
    lines[10] = orjson.dumps(obj, option=orjson.OPT_SORT_KEYS) + b"\n"
    bad = demo["tmp"] / "bad.jsonl"
    bad.write_bytes(b"".join(lines))
    for command in (["verify", str(bad)], ["audit", str(bad), "--as-of", AS_OF],
                    ["import", str(bad), "--db", str(demo["tmp"] / "never.sqlite")]):
        result = CliRunner().invoke(main, command)
        assert result.exit_code == 1, result.output
        assert result.stderr.startswith("error: line 11 ("), result.stderr
        assert "Traceback" not in result.output
    assert not (demo["tmp"] / "never.sqlite").exists()


def test_import_then_export_gives_the_same_log_byte_for_byte(demo: dict[str, Path]) -> None:
    fresh = demo["tmp"] / "imported.sqlite"
    result = run("import", str(demo["log"]), "--db", str(fresh))
    assert result.exit_code == 0, result.output
    again = demo["tmp"] / "again.jsonl"
    result = run("export", "--db", str(fresh), "--out", str(again), "--exported-at",
                 EXPORTED_AT, "--as-of", AS_OF)
    assert result.exit_code == 0, result.output
    assert again.read_bytes() == demo["log"].read_bytes()
    result = CliRunner().invoke(main, ["import", str(demo["log"]), "--db", str(fresh)])
    assert result.exit_code == 1 and "already holds" in result.stderr


def test_audit_of_one_case_lists_its_verdicts_with_explanations(demo: dict[str, Path]) -> None:
    first = orjson.loads(demo["log"].read_bytes().splitlines()[1])
    result = run("audit", str(demo["log"]), "--as-of", AS_OF, "--case", first["stream_id"][:8])
    assert result.exit_code == 0, result.output
    assert f"Case {first['stream_id']} as of {AS_OF}" in result.stdout
    assert "explanation" in result.stdout and "legal source" in result.stdout


def test_bad_input_on_the_command_line_never_shows_a_traceback(demo: dict[str, Path]) -> None:
    missing = CliRunner().invoke(main, ["verify", str(demo["tmp"] / "nope.jsonl")])
    assert missing.exit_code == 2 and "Traceback" not in missing.output
    empty = demo["tmp"] / "empty.jsonl"
    empty.write_bytes(b"")
    result = CliRunner().invoke(main, ["audit", str(empty), "--as-of", AS_OF])
    assert result.exit_code == 1 and result.stderr.startswith("error: line 1: the log is empty")
    bad_date = CliRunner().invoke(main, ["audit", str(demo["log"]), "--as-of", "31-12-2024"])
    assert bad_date.exit_code == 2 and "YYYY-MM-DD" in bad_date.output
    nowhere = str(demo["tmp"] / "no-such-dir" / "out")
    for command in (["audit", str(demo["log"]), "--as-of", AS_OF, "--format", "csv", "--out",
                     nowhere],
                    ["export", "--db", str(demo["db"]), "--out", nowhere]):
        result = CliRunner().invoke(main, command)
        assert result.exit_code == 1, result.output
        assert "no-such-dir" in result.stderr and "Traceback" not in result.output
    junk = demo["tmp"] / "junk.sqlite"
    junk.write_bytes(b"not a database")
    for command in (["import", str(demo["log"]), "--db", str(junk)],
                    ["export", "--db", str(junk), "--out", str(demo["tmp"] / "j.jsonl")]):
        result = CliRunner().invoke(main, command)
        assert result.exit_code == 1, result.output
        assert result.stderr.startswith("error: the event store cannot be used")


def test_audit_writes_a_self_contained_html_report(demo: dict[str, Path]) -> None:
    out = demo["tmp"] / "report.html"
    result = run("audit", str(demo["log"]), "--as-of", AS_OF, "--format", "html", "--out",
                 str(out))
    assert result.exit_code == 0, result.output
    html = out.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and '<html lang="da">' in html
    assert "<svg" in html and 'href="report-sager/' in html
    assert "http://" not in html.replace("http://www.w3.org", "") and "https://" not in html
    assert "<script" not in html and "<link" not in html
    # the header names the log by its final hash, the municipality and the library version
    trailer = orjson.loads(demo["log"].read_bytes().splitlines()[-1])
    assert trailer["final_hash"] in html and "<dd>101</dd>" in html
    pages = sorted((demo["tmp"] / "report-sager").iterdir())
    assert pages and all(p.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
                         for p in pages)
    english = run("audit", str(demo["log"]), "--as-of", AS_OF, "--format", "html", "--lang",
                  "en")
    assert english.exit_code == 0 and '<html lang="en">' in english.stdout
    assert "Write the report to a file (--out)" in english.stdout


def test_audit_writes_the_summary_as_a_pdf_with_the_figures(demo: dict[str, Path]) -> None:
    from pypdf import PdfReader

    out = demo["tmp"] / "rapport.pdf"
    result = run("audit", str(demo["log"]), "--as-of", AS_OF, "--format", "pdf", "--out",
                 str(out))
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(b"%PDF-")
    text = " ".join(page.extract_text() for page in PdfReader(out).pages)
    text = " ".join(text.split())
    trailer = orjson.loads(demo["log"].read_bytes().splitlines()[-1])
    assert "Overholdelse af kontrolpunkterne pr. 31. december 2024" in text
    assert trailer["final_hash"] in text and trailer["verdict_digest"] in text
    rows = orjson.loads(run("audit", str(demo["log"]), "--as-of", AS_OF, "--format",
                            "json").stdout_bytes)["rows"]
    for row in rows:
        if row["reference_population"] and row["reference_denominator"]:
            met, judged = row["reference_met"], row["reference_denominator"]
        else:
            met, judged = row["met"], row["denominator"]
        if judged:
            assert f"{met}/{judged} {round(100 * met / judged)} %" in text, row["rule_id"]
    again = demo["tmp"] / "again.pdf"
    run("audit", str(demo["log"]), "--as-of", AS_OF, "--format", "pdf", "--out", str(again))
    assert again.read_bytes() == out.read_bytes()  # the same report, the same bytes
    refused = CliRunner().invoke(main, ["audit", str(demo["log"]), "--as-of", AS_OF,
                                        "--format", "pdf"])
    assert refused.exit_code == 2 and "--format pdf needs --out FILE" in refused.output


def test_audit_as_json_lines_is_the_same_with_one_job_or_two_and_holds_the_digest(
        demo: dict[str, Path]) -> None:
    outs = {}
    for jobs in ("1", "2"):
        result = run("audit", str(demo["log"]), "--as-of", AS_OF, "--format", "jsonl",
                     "--jobs", jobs)
        assert result.exit_code == 0, result.output
        outs[jobs] = result.stdout_bytes
    assert outs["1"] == outs["2"]
    lines = outs["1"].splitlines()
    header, summary = orjson.loads(lines[0]), orjson.loads(lines[-1])
    assert header["kind"] == "header" and header["as_of"] == AS_OF
    whole = orjson.loads(run("audit", str(demo["log"]), "--as-of", AS_OF, "--format", "json",
                             "--jobs", "2").stdout_bytes)
    assert summary["digest"] == whole["digest"]
    assert summary["rows"] == whole["rows"]
    assert [orjson.loads(line) for line in lines[1:-1]] == whole["verdicts"]


def test_verify_and_audit_with_two_jobs_name_the_changed_line(demo: dict[str, Path]) -> None:
    lines = demo["log"].read_bytes().splitlines(keepends=True)
    i = len(lines) * 2 // 3
    bad = demo["tmp"] / "changed-late.jsonl"
    bad.write_bytes(b"".join([*lines[:i], lines[i].replace(b'"seq":', b'"seq": ', 1),
                              *lines[i + 1:]]))
    for command in (["verify", str(bad)], ["audit", str(bad), "--as-of", AS_OF]):
        result = run(*command, "--jobs", "2")
        assert result.exit_code == 1
        assert f"line {i + 1} " in result.stderr and "Traceback" not in result.output

"""The auditor's pack: a log with everything needed to re-derive its verdicts offline.

A pack is a directory, or a zip file of the same members (docs/interchange.md, section 13):

- ``log.jsonl`` — the log, and ``log.jsonl.checkpoint`` its signed checkpoint when it has one;
- ``regimes/<file>.toml`` — the rule regime files the log was judged by, each the file whose
  SHA-256 the log's header names;
- ``verdicts.jsonl`` — the expected verdicts as of the audit date, one per line, each the
  canonical bytes the verdict digest hashes, in digest order (case, rule, subject);
- ``manifest.json`` — the pack's format, the audit date, the verdict digest, the rules digest,
  and the SHA-256 of every other member.

:func:`audit_pack` checks the manifest against the members, the regime files against the
header, the log as ``verify --recompute`` does (and its checkpoint, with the key when given), then
judges every case again with the *pack's* regime files and compares verdict by verdict: the
answer is "identical" or the first difference (case, rule, subject, verdict).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path, PurePosixPath
from typing import Any, Final

import orjson

from ungeforloeb import __version__
from ungeforloeb.interchange.audit import Digest, case_verdicts, verdict_bytes
from ungeforloeb.interchange.checkpoint import Verifier, check_tree, log_tree
from ungeforloeb.interchange.errors import PackDifference, PackError
from ungeforloeb.interchange.ranges import LogIndex, Source, check_log
from ungeforloeb.interchange.verify import check_digest
from ungeforloeb.rules.datafile import RuleDataError
from ungeforloeb.rules.loader import load_rule_set, packaged_files, superseded_files
from ungeforloeb.rules.model import RuleSet

PACK_FORMAT: Final = "ungeforloeb-pack"
PACK_VERSION: Final = 1
LOG: Final = "log.jsonl"
CHECKPOINT: Final = "log.jsonl.checkpoint"
VERDICTS: Final = "verdicts.jsonl"
MANIFEST: Final = "manifest.json"
_MANIFEST_KEYS: Final = frozenset({"format", "format_version", "library_version", "as_of",
                                   "verdict_count", "verdict_digest", "rules_digest", "files"})


def _sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def regime_files_of(regimes: dict[str, str],
                    files: Iterable[tuple[str, bytes]] | None = None) -> list[tuple[str, bytes]]:
    """The regime files whose SHA-256 the header names (by default from the library's rules
    package: the current files and every earlier version it shipped); :class:`PackError` when
    one is not there."""
    held = [*packaged_files(), *superseded_files()] if files is None else files
    by_hash = {hashlib.sha256(raw).hexdigest(): (name, raw) for name, raw in held}
    out = []
    for rid in sorted(regimes):
        found = by_hash.get(regimes[rid])
        if found is None:
            raise PackError(f"the log was judged by regime {rid} with data file "
                            f"{regimes[rid][:12]}…, which this library does not hold")
        out.append(found)
    return out


def judged(index: LogIndex, source: Source, as_of: date,
           rules: RuleSet) -> Iterator[tuple[str, list[bytes]]]:
    """Every case's verdicts as of ``as_of`` under ``rules``, in digest order."""
    for case_id in index.case_ids:
        cf = index.case_file(source, case_id)
        yield case_id, [verdict_bytes(v) for v in case_verdicts(cf, as_of, None, rules)]


@dataclass(frozen=True)
class PackSummary:
    """What a pack holds (or an audit of it found)."""

    as_of: date
    verdict_count: int
    case_count: int
    verdict_digest: str
    rules_digest: str
    signed_by: str | None = None
    checkpoint: bool = False


def write_pack(log: Path, out: Path, *, as_of: date | None = None,
               checkpoint: str | None = None, verifier: Verifier | None = None,
               jobs: int | None = None) -> PackSummary:
    """Write the auditor's pack of ``log`` to ``out`` (a directory that must not exist, or a
    ``.zip`` file), after the checks of ``verify --recompute`` (and of the checkpoint, by
    ``verifier`` when given). ``as_of``: the audit date (default: the trailer's)."""
    if out.exists():
        raise PackError(f"{out} exists; pack writes a new directory or zip file")
    source = Source(path=str(log))
    try:
        index = check_log(source, jobs)
        regimes = regime_files_of(index.header.regimes)
        rules = load_rule_set(regimes)
        trailer_day = index.trailer.verdicts_as_of
        day = as_of or trailer_day
        if day != trailer_day:  # else checked below, from the verdicts written
            check_digest(index.header, index.trailer, index.event_count,
                         _digest(index, source, trailer_day, rules))
        if checkpoint is not None or verifier is not None:
            check_tree(log_tree(source.lines()), checkpoint=checkpoint, verifier=verifier)
        with tempfile.TemporaryDirectory(prefix="ungeforloeb-pack-") as tmp:
            folder = Path(tmp) / "pack"
            (folder / "regimes").mkdir(parents=True)
            shutil.copyfile(log, folder / LOG)
            if checkpoint is not None:
                (folder / CHECKPOINT).write_text(checkpoint, encoding="utf-8")
            for name, raw in regimes:
                (folder / "regimes" / name).write_bytes(raw)
            digest = Digest()
            count = 0
            with (folder / VERDICTS).open("wb") as f:
                for _case, lines in judged(index, source, day, rules):
                    digest.update(lines)
                    for line in lines:
                        f.write(line + b"\n")
                    count += len(lines)
            if day == trailer_day:
                check_digest(index.header, index.trailer, index.event_count, digest.hexdigest())
            summary = PackSummary(day, count, len(index.case_ids), digest.hexdigest(),
                                  rules.digest, verifier.name if verifier else None,
                                  checkpoint is not None)
            files = {str(PurePosixPath(*p.relative_to(folder).parts)): _sha256_file(p)
                     for p in sorted(folder.rglob("*")) if p.is_file()}
            manifest = {"format": PACK_FORMAT, "format_version": PACK_VERSION,
                        "library_version": __version__, "as_of": day.isoformat(),
                        "verdict_count": count, "verdict_digest": summary.verdict_digest,
                        "rules_digest": rules.digest, "files": files}
            (folder / MANIFEST).write_bytes(
                orjson.dumps(manifest, option=orjson.OPT_SORT_KEYS | orjson.OPT_INDENT_2)
                + b"\n")
            _place(folder, out)
    finally:
        source.close()
    return summary


def _digest(index: LogIndex, source: Source, day: date, rules: RuleSet) -> str:
    digest = Digest()
    for _case, lines in judged(index, source, day, rules):
        digest.update(lines)
    return digest.hexdigest()


def _place(folder: Path, out: Path) -> None:
    """Move the finished pack to ``out`` (a zip when its name ends in .zip), all or nothing."""
    if not out.parent.is_dir():
        raise PackError(f"cannot write {out}: no directory {out.parent}")
    if out.suffix.lower() == ".zip":
        part = out.with_name(out.name + ".part")
        try:
            with zipfile.ZipFile(part, "w", zipfile.ZIP_DEFLATED) as z:
                for p in sorted(folder.rglob("*")):
                    if p.is_file():
                        z.write(p, str(PurePosixPath(*p.relative_to(folder).parts)))
            os.replace(part, out)
        except BaseException:
            part.unlink(missing_ok=True)
            raise
    else:
        shutil.move(str(folder), str(out))


# --------------------------------------------------------------------------- the audit


def _open_pack(pack: Path, tmp: Path) -> Path:
    """The pack's directory: itself, or its zip extracted into ``tmp`` (only plain relative
    member names)."""
    if pack.is_dir():
        return pack
    if not zipfile.is_zipfile(pack):
        raise PackError(f"{pack} is neither a pack directory nor a zip file")
    with zipfile.ZipFile(pack) as z:
        for info in z.infolist():
            name = PurePosixPath(info.filename)
            if name.is_absolute() or ".." in name.parts or "\\" in info.filename:
                raise PackError(f"the zip holds a member outside the pack: {info.filename!r}")
        z.extractall(tmp)
    return tmp


def _manifest(folder: Path) -> dict[str, Any]:
    path = folder / MANIFEST
    if not path.is_file():
        raise PackError(f"the pack has no {MANIFEST}")
    try:
        manifest = orjson.loads(path.read_bytes())
    except orjson.JSONDecodeError:
        raise PackError(f"{MANIFEST} is not JSON") from None
    if not isinstance(manifest, dict) or manifest.get("format") != PACK_FORMAT:
        raise PackError(f"{MANIFEST} is not a manifest of format {PACK_FORMAT!r}")
    if manifest.get("format_version") != PACK_VERSION:
        raise PackError(f"pack format version {manifest.get('format_version')!r} is not "
                        f"{PACK_VERSION}")
    if set(manifest) != _MANIFEST_KEYS or not isinstance(manifest["files"], dict):
        raise PackError(f"{MANIFEST}'s fields are not {', '.join(sorted(_MANIFEST_KEYS))}")
    return manifest


def _check_members(folder: Path, files: dict[str, Any]) -> None:
    present = {str(PurePosixPath(*p.relative_to(folder).parts))
               for p in folder.rglob("*") if p.is_file()} - {MANIFEST}
    for name in sorted(set(files) | present):
        if name not in present:
            raise PackError(f"the manifest lists {name}, which the pack does not hold")
        if name not in files:
            raise PackError(f"the pack holds {name}, which the manifest does not list")
        got = _sha256_file(folder / name)
        if got != files[name]:
            raise PackError(f"{name} is not the file the manifest lists: SHA-256 {got}, "
                            f"manifest {files[name]}")
    for name in (LOG, VERDICTS):
        if name not in files:
            raise PackError(f"the pack has no {name}")


def _verdict_lines(path: Path) -> Iterator[bytes]:
    with path.open("rb") as f:
        for raw in f:
            yield raw.rstrip(b"\n")


def _first_difference(expected: bytes | None, got: bytes | None) -> str:
    def key(b: bytes) -> dict[str, Any]:
        try:
            v = orjson.loads(b)
        except orjson.JSONDecodeError:
            return {}
        return v if isinstance(v, dict) else {}

    e, g = key(expected) if expected else {}, key(got) if got else {}
    ref = g or e
    where = (f"case {ref.get('case_id')}, rule {ref.get('rule_id')}"
             + (f", subject {ref.get('subject')}" if ref.get("subject") else ""))
    if expected is None:
        return f"{where}: the audit derives a verdict ({g.get('status')}) the pack does not hold"
    if got is None:
        return f"{where}: the pack holds a verdict ({e.get('status')}) the audit does not derive"
    if (e.get("case_id"), e.get("rule_id"), e.get("subject")) != \
            (g.get("case_id"), g.get("rule_id"), g.get("subject")):
        return (f"{where}: the audit derives this verdict ({g.get('status')}) where the pack "
                f"holds case {e.get('case_id')}, rule {e.get('rule_id')} ({e.get('status')})")
    fields = sorted(k for k in set(e) | set(g) if e.get(k) != g.get(k))
    return (f"{where}: the pack's verdict is {e.get('status')}, the audit's "
            f"{g.get('status')} (differing in {', '.join(fields) or 'its bytes'})")


def audit_pack(pack: Path, *, verifier: Verifier | None = None,
               progress: Callable[[int, int], None] | None = None) -> PackSummary:
    """Re-derive a pack's verdicts offline and compare; raise :class:`PackError` for a pack
    that is not whole, a :class:`~ungeforloeb.interchange.errors.LogError` for a log that
    ``verify --recompute`` (or the key) refuses, :class:`PackDifference` naming the first
    verdict that differs. ``progress(cases done, cases)``."""
    with tempfile.TemporaryDirectory(prefix="ungeforloeb-audit-pack-") as tmp:
        folder = _open_pack(pack, Path(tmp))
        manifest = _manifest(folder)
        files: dict[str, Any] = manifest["files"]
        _check_members(folder, files)
        try:
            day = date.fromisoformat(manifest["as_of"])
        except (TypeError, ValueError):
            raise PackError(f"{MANIFEST}: as_of is not a date") from None
        source = Source(path=str(folder / LOG))
        try:
            index = check_log(source, None)
            regime_names = sorted(n for n in files if n.startswith("regimes/"))
            pack_regimes = [(PurePosixPath(n).name, (folder / n).read_bytes())
                            for n in regime_names]
            used = regime_files_of(index.header.regimes, pack_regimes)
            if len(used) != len(pack_regimes):
                raise PackError("the pack holds regime files the log's header does not name")
            try:
                rules = load_rule_set(used)
            except RuleDataError as err:
                raise PackError(f"the pack's regime files cannot be read: {err}") from None
            if rules.digest != manifest["rules_digest"]:
                raise PackError(f"the pack's rules digest is {rules.digest}, the manifest says "
                                f"{manifest['rules_digest']}")
            note = (folder / CHECKPOINT).read_text(encoding="utf-8") \
                if CHECKPOINT in files else None
            if verifier is not None and note is None:
                raise PackError("a key was given but the pack holds no signed checkpoint")
            if note is not None:
                check_tree(log_tree(source.lines()), checkpoint=note, verifier=verifier)
            trailer_day = index.trailer.verdicts_as_of
            if trailer_day != day:
                check_digest(index.header, index.trailer, index.event_count,
                             _digest(index, source, trailer_day, rules))
            digest, count = _compare(index, source, day, rules, folder / VERDICTS, progress)
            if day == trailer_day:
                check_digest(index.header, index.trailer, index.event_count, digest)
        finally:
            source.close()
    if digest != manifest["verdict_digest"] or count != manifest["verdict_count"]:
        raise PackDifference(f"the verdicts are those of the pack but its manifest names "
                             f"another digest or count ({manifest['verdict_digest']}, "
                             f"{manifest['verdict_count']})")
    return PackSummary(day, count, len(index.case_ids), digest, rules.digest,
                       verifier.name if verifier else None, note is not None)


def _compare(index: LogIndex, source: Source, day: date, rules: RuleSet, verdicts: Path,
             progress: Callable[[int, int], None] | None) -> tuple[str, int]:
    expected = _verdict_lines(verdicts)
    digest = Digest()
    count = 0
    for done, (_case, lines) in enumerate(judged(index, source, day, rules), 1):
        digest.update(lines)
        for got in lines:
            want = next(expected, None)
            if want != got:
                raise PackDifference(_first_difference(want, got))
            count += 1
        if progress is not None:
            progress(done, len(index.case_ids))
    extra = next(expected, None)
    if extra is not None:
        raise PackDifference(_first_difference(extra, None))
    return digest.hexdigest(), count


__all__ = ["PackSummary", "audit_pack", "regime_files_of", "write_pack"]

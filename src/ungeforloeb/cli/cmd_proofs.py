"""``ungeforloeb prove``, ``verify-proof`` and ``pack``: proofs and the auditor's pack.

As the other interchange commands: a fault exits with 1 and one line, a usage error with 2.
"""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from ungeforloeb.cli import main
from ungeforloeb.cli._common import FORCE, one_line_errors, parse_date, refuse_overwrite
from ungeforloeb.cli._progress import progress
from ungeforloeb.cli.cmd_interchange import _CHECKPOINT, _JOBS, _LOG, _checkpoint_text

if TYPE_CHECKING:
    from ungeforloeb.interchange.ranges import Source


def _remove(path: Path) -> None:
    if path.is_dir():
        shutil.rmtree(path)
    else:
        path.unlink(missing_ok=True)


def _write_file(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".part")
    tmp.write_bytes(data)
    tmp.replace(path)


@main.command("prove")
@_LOG
@click.option("--seq", "seqs", type=click.IntRange(min=1), multiple=True, metavar="N",
              help="An event to prove (its seq); repeat for more.")
@click.option("--case", "case_id", default=None, metavar="ID",
              help="Prove every event of this young person's case.")
@click.option("--extends", "extends", default=None, metavar="EARLIER",
              type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Prove that LOG extends an earlier export: its signed checkpoint or its log.")
@_CHECKPOINT
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="The proof file to write (JSON).")
@_JOBS
@FORCE
@one_line_errors
def prove_command(log: Path, seqs: tuple[int, ...], case_id: str | None, extends: Path | None,
                  checkpoint: Path | None, out: Path, jobs: int | None, force: bool) -> None:
    """Write a proof: events (--seq, --case) are in the log, or the log extends an earlier
    export (--extends); checkable with verify-proof without the log."""
    from ungeforloeb.interchange.proofs import proof_bytes
    from ungeforloeb.interchange.ranges import Source

    if (extends is not None) == bool(seqs or case_id):
        raise click.UsageError("give either events to prove (--seq, --case) or --extends")
    refuse_overwrite(out, force=force)
    note = _checkpoint_text(log, checkpoint, False)
    source = Source(path=str(log))
    with progress() as tracker:
        tracker.step("prove: checking the log and building its tree")
        proof, what = _prove(source, seqs, case_id, extends, note, jobs)
    _write_file(out, proof_bytes(proof))
    click.echo(f"proof of {what} in the tree of {proof['tree_size']} events (root "
               f"{proof['root']}) written to {out}"
               + ("" if note is not None else "; the log has no signed checkpoint, so check "
                                              "it with verify-proof --expect-root"))


def _prove(source: Source, seqs: tuple[int, ...], case_id: str | None, extends: Path | None,
           note: str | None, jobs: int | None) -> tuple[dict[str, Any], str]:
    from ungeforloeb.interchange.checkpoint import LogTree, check_tree, open_note
    from ungeforloeb.interchange.proofs import prove_consistency, prove_inclusion, read_leaves
    from ungeforloeb.interchange.ranges import Source, check_log

    try:
        if extends is None:
            proof = prove_inclusion(source, seqs=seqs, case_id=case_id, checkpoint=note,
                                    jobs=jobs)
            what = f"{len(proof['leaves'])} events"
        else:
            earlier = extends.read_bytes()
            old_note: str | None = None
            if earlier.startswith(b"{"):  # an earlier log: check it, take its tree
                old = Source(path=str(extends))
                try:
                    check_log(old, jobs)
                    tree: LogTree = read_leaves(old.lines()).tree
                finally:
                    old.close()
                old_note = _checkpoint_text(extends, None, False)
                if old_note is not None:
                    check_tree(tree, checkpoint=old_note)
            else:
                old_note = earlier.decode("utf-8", errors="replace")
                cp = open_note(old_note, None)
                tree = LogTree(cp.size, cp.root, cp.trailer_hash)
            proof = prove_consistency(source, old_size=tree.size, old_root=tree.root,
                                      old_checkpoint=old_note, checkpoint=note, jobs=jobs)
            what = f"that it extends the export of {tree.size} events"
    finally:
        source.close()
    return proof, what


@main.command("verify-proof")
@click.argument("proof", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--key", "key", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              default=None, metavar="PUB",
              help="The exporter's verifier key: the proof's checkpoint must bear its signature.")
@click.option("--expect-root", "expect_root", default=None, metavar="HASH",
              help="The Merkle root recorded at export (hex or base64).")
@one_line_errors
def verify_proof_command(proof: Path, key: Path | None, expect_root: str | None) -> None:
    """Check a proof file, without the log (exit 0, or 1 naming what it does not prove)."""
    from ungeforloeb.interchange.checkpoint import read_verifier
    from ungeforloeb.interchange.proofs import verify_proof

    verifier = read_verifier(key) if key is not None else None
    checked = verify_proof(proof.read_bytes(), verifier=verifier, expect_root=expect_root)
    anchor = (f"signed by {checked.signed_by}" if checked.signed_by else
              "the root recorded at export" if expect_root is not None else
              "its own root only (give --key or --expect-root to tie it to the export)")
    if checked.kind == "inclusion":
        click.echo(f"ok: {checked.events} events are in the tree of {checked.tree_size} events, "
                   f"root {checked.root.hex()}, {anchor}")
    else:
        click.echo(f"ok: the tree of {checked.tree_size} events (root {checked.root.hex()}) "
                   f"extends the tree of {checked.old_size} events, {anchor}")



@main.command("pack")
@_LOG
@click.option("--out", "out", required=True, type=click.Path(path_type=Path),
              help="The pack to write: a new directory, or a file ending in .zip.")
@click.option("--force", is_flag=True,
              help="Replace --out if it exists (a zip file, or a directory holding a pack).")
@click.option("--as-of", "as_of", callback=parse_date, default=None, metavar="YYYY-MM-DD",
              help="The audit date of the expected verdicts (default: the trailer's).")
@_CHECKPOINT
@click.option("--key", "key", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              default=None, metavar="PUB", help="Check the checkpoint's signature first.")
@_JOBS
@one_line_errors
def pack_command(log: Path, out: Path, as_of: date | None, checkpoint: Path | None,
                 key: Path | None, jobs: int | None, force: bool) -> None:
    """Write an auditor's pack: the log, its checkpoint, the regime files it was judged by, the
    expected verdicts as of the audit date and a manifest; `audit PACK` re-derives them."""
    from ungeforloeb.interchange.checkpoint import read_verifier
    from ungeforloeb.interchange.pack import MANIFEST, write_pack

    verifier = read_verifier(key) if key is not None else None
    note = _checkpoint_text(log, checkpoint, key is not None)
    refuse_overwrite(out, force=force)
    if out.is_dir() and not (out / MANIFEST).is_file():
        raise click.UsageError(f"{out} is a directory that holds no pack; --force replaces "
                               f"only a pack")
    # written beside it first, then put in its place: a refused or failed pack changes nothing
    new = out.with_name(f".{out.name}.new{out.suffix}") if out.exists() else out
    if new != out:
        _remove(new)
    try:
        with progress() as tracker:
            tracker.step("pack: checking the log and judging its cases")
            summary = write_pack(log, new, as_of=as_of, checkpoint=note, verifier=verifier,
                                 jobs=jobs)
    except BaseException:
        _remove(new)
        raise
    if new != out:
        _remove(out)
        new.replace(out)
    click.echo(f"pack {out}: {summary.verdict_count} verdicts of {summary.case_count} cases as "
               f"of {summary.as_of.isoformat()}, digest {summary.verdict_digest}"
               + ("; with the signed checkpoint" if summary.checkpoint else
                  "; without a checkpoint (the log was not signed)"))

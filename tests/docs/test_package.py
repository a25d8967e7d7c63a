"""The package as a vendor meets it: typed (``py.typed``), its main names at the top, the
README's tutorial clean under ``mypy --strict`` run from outside the repository."""

from __future__ import annotations

import importlib
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import ungeforloeb

ROOT = Path(__file__).resolve().parents[2]


def test_the_package_ships_its_type_information() -> None:
    assert (ROOT / "src" / "ungeforloeb" / "py.typed").is_file()


def test_every_top_level_name_is_the_object_of_its_module() -> None:
    exported = [n for n in ungeforloeb.__all__ if n != "__version__"]
    assert {"Ungeforloeb", "worklist", "KeptVerdicts", "evaluate", "Verdict"} <= set(exported)
    for name in exported:
        value = getattr(ungeforloeb, name)
        module = importlib.import_module(value.__module__)
        assert getattr(module, name) is value, name
    with pytest.raises(AttributeError, match="no attribute 'Nothing'"):
        _ = ungeforloeb.Nothing  # type: ignore[attr-defined]


def test_importing_the_domain_does_not_import_the_application() -> None:
    code = ("import sys, ungeforloeb.domain.values; "
            "print('ungeforloeb.application' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"


def test_the_readme_tutorial_is_clean_under_mypy_strict_outside_the_repo(tmp_path: Path) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    tutorial = re.findall(r"```python\n(.*?)```", readme, flags=re.DOTALL)[0]
    script = tmp_path / "vendor.py"
    script.write_text(tutorial + "\nfrom ungeforloeb import Ungeforloeb as _U, worklist as _w\n"
                      "_app: _U = app\n_items = _w([], date(2024, 1, 1))\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("MYPY")}
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "--cache-dir",
         str(tmp_path / ".mypy_cache"), str(script)],
        cwd=tmp_path, capture_output=True, text=True, env=env)
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_public_command_says_what_it_records_and_what_it_raises() -> None:
    """A docstring on every public method of the application; a command's names the event it
    records, and every rule id a docstring names exists in the rule data."""
    import ast
    import re

    from ungeforloeb.domain.catalogue import EVENT_TYPES
    from ungeforloeb.rules.loader import default_rules

    source = (ROOT / "src" / "ungeforloeb" / "application" / "app.py").read_text("utf-8")
    cls = next(n for n in ast.parse(source).body
               if isinstance(n, ast.ClassDef) and n.name == "Ungeforloeb")
    ids = set(default_rules().ids)
    missing = []
    for fn in cls.body:
        if not isinstance(fn, ast.FunctionDef) or fn.name.startswith("_"):
            continue
        doc = ast.get_docstring(fn)
        if not doc:
            missing.append(fn.name)
            continue
        for named in re.findall(r"``([a-z0-9_]+)``", doc):
            if re.fullmatch(r"(cp\d+\w*|x22_\w+|kui_\w+|order_step\d_deadline)", named):
                assert named in ids, (fn.name, named)
        if doc.startswith("Record ``"):
            event = doc.split("``")[1]
            assert event in EVENT_TYPES, (fn.name, event)
            assert "Raises" in doc, fn.name
    assert not missing, f"public methods without a docstring: {missing}"

"""ruff, configured in pyproject.toml (``[tool.ruff]``), is clean on the whole repository, as the test command checks.

The second test lints a planted file with the same configuration, so a check that could never fail would be noticed.
"""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
RUFF = Path(sys.executable).with_name("ruff")


def _ruff(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    if not RUFF.exists():
        pytest.fail(f"ruff not installed in {RUFF.parent}: install the dev extra (ruff)")
    return subprocess.run([str(RUFF), "check", "--no-cache", "--output-format", "concise", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=300)


def test_ruff_is_clean_on_the_repository() -> None:
    res = _ruff(".")
    assert res.returncode == 0, f"ruff check . found:\n{res.stdout}{res.stderr}"


def test_the_configuration_catches_what_it_selects(tmp_path: Path) -> None:
    conf = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["ruff"]
    assert conf["line-length"] == 120 and conf["target-version"] == "py311"
    assert {"E", "F", "W", "I", "B", "UP", "SIM", "RUF100"} <= set(conf["lint"]["select"])
    planted = tmp_path / "planted.py"
    planted.write_text("import os\nimport sys\n\n\ndef f(x=[]):\n    return x  # noqa: E731\n", encoding="utf-8")
    res = _ruff("--config", str(REPO / "pyproject.toml"), str(planted), cwd=tmp_path)
    found = {line.split(" ")[1] for line in res.stdout.splitlines() if line.startswith(planted.name)}
    assert res.returncode == 1 and {"F401", "B006", "RUF100"} <= found, res.stdout

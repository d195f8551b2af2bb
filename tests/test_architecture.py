"""The layers the README promises: nlp → corpus → index → analysis → api, checked by import-linter.

The contract lives in ``pyproject.toml`` (``[tool.importlinter]``). The first test runs it on the project; the
others run the same contract on a small package tree of the same names, once clean and once with upward imports
(one of them hidden inside a function), so a check that could never fail would be noticed.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _contract() -> dict:
    """The ``[tool.importlinter]`` table of pyproject.toml."""
    return tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]


def _lint(cwd: Path, config: Path, pythonpath: Path | None = None) -> subprocess.CompletedProcess[str]:
    if not LINT_IMPORTS.exists():
        pytest.fail(f"lint-imports not installed in {LINT_IMPORTS.parent}: install the dev extra (import-linter)")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    if pythonpath is not None:
        env["PYTHONPATH"] = str(pythonpath)
    return subprocess.run([str(LINT_IMPORTS), str(config), "--no-cache", "--no-logo"], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=300)


def test_the_contract_names_the_five_layers_lowest_last() -> None:
    table = _contract()
    (layers,) = [c for c in table["contracts"] if c["type"] == "layers"]
    assert layers["layers"] == ["api", "analysis", "index", "corpus", "nlp"]
    assert sorted(table["root_packages"]) == sorted(layers["layers"])


def test_no_module_imports_a_higher_layer() -> None:
    res = _lint(REPO, REPO / "pyproject.toml")
    assert res.returncode == 0, res.stdout + res.stderr
    assert "1 kept, 0 broken" in res.stdout


def _ini(table: dict) -> str:
    """The pyproject contract in import-linter's INI form, for a tree outside the repository."""
    lines = ["[importlinter]", "root_packages =", *(f"    {p}" for p in table["root_packages"])]
    for i, c in enumerate(table["contracts"]):
        lines += [f"[importlinter:contract:{i}]", f"name = {c['name']}", f"type = {c['type']}", "layers ="]
        lines += [f"    {layer}" for layer in c["layers"]]
    return "\n".join(lines) + "\n"


def _tree(root: Path, modules: dict[str, str]) -> None:
    for pkg in ("nlp", "corpus", "index", "analysis", "api"):
        (root / pkg).mkdir(parents=True, exist_ok=True)
        (root / pkg / "__init__.py").write_text("", encoding="utf-8")
    for name, body in modules.items():
        (root / Path(*name.split(".")).with_suffix(".py")).write_text(body, encoding="utf-8")


def test_the_contract_fails_on_an_upward_import(tmp_path: Path) -> None:
    config = tmp_path / ".importlinter"
    config.write_text(_ini(_contract()), encoding="utf-8")
    downward = {
        "nlp.words": "WORD = 1\n",
        "corpus.laws": "from nlp.words import WORD\n",
        "index.search": "from corpus.laws import WORD\n",
        "analysis.tiers": "import index.search\nimport nlp.words\n",
        "api.services": "from analysis import tiers\nfrom corpus import laws\n",
    }
    src = tmp_path / "src"
    _tree(src, downward)
    clean = _lint(tmp_path, config, src)
    assert clean.returncode == 0, clean.stdout + clean.stderr

    _tree(src, {
        # the shape of the old nlp/tiers.py: a language module reaching up into the benchmark tables
        "nlp.tiers": "from corpus.laws import WORD\n",
        # hidden in a function: still an upward import
        "index.lazy": "def f():\n    from analysis import tiers\n    return tiers\n",
    })
    broken = _lint(tmp_path, config, src)
    assert broken.returncode != 0
    assert "0 kept, 1 broken" in broken.stdout
    assert "nlp.tiers -> corpus.laws" in broken.stdout
    assert "index.lazy -> analysis.tiers" in broken.stdout

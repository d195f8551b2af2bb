"""Fixtures of the archive audit: the real published decisions and an auditor over the real store."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from analysis.archive.checks import Auditor
from analysis.archive.readers import Decision, ReadReport, read_archive


@pytest.fixture(scope="session")
def real_path(shared_dir: Path) -> Path:
    """The real decisions (``../shared/eval/real_decisions/decisions.jsonl``)."""
    return shared_dir / "eval" / "real_decisions" / "decisions.jsonl"


@pytest.fixture(scope="session")
def real(real_path: Path) -> ReadReport:
    """What the JSONL reader makes of the real decisions."""
    return read_archive(real_path)


@pytest.fixture()
def decision(real: ReadReport):
    """A fresh copy of one real decision by id, to plant a defect in."""
    by_id = {d.id: d for d in real.decisions}

    def get(rid: str, **changes: object) -> Decision:
        d = copy.deepcopy(by_id[rid])
        for k, v in changes.items():
            setattr(d, k, v)
        return d

    return get


@pytest.fixture(scope="session")
def auditor(resolver) -> Auditor:
    """Per-decision checks over the real store, without retrieval (tests of retrieval load the index)."""
    return Auditor(resolver, None)

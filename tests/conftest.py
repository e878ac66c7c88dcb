"""Shared fixtures: the tiny parameter file and one tiny build reused by the pipeline tests."""

from __future__ import annotations

import contextlib
import io
import os
import pickle
import shutil
import signal
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml

PROJECT_ROOT = Path(__file__).resolve().parents[1]
TINY = PROJECT_ROOT / "parameters" / "tiny.yaml"


# The modules that build, longest first, so that `make test`'s two workers (pytest-xdist, one module at a time)
# finish together: the first needs the session's tiny build, the next two build without it while it is made.
LONGEST_FIRST = ("test_pipeline.py", "test_own_model.py", "test_zpoints.py", "test_robustness.py",
                 "test_regression.py", "test_fingerprints.py", "test_sweep.py", "test_filaments.py")


def pytest_collection_modifyitems(items):
    """Run the modules that build first, longest first; the rest keep their order."""
    rank = {name: position for position, name in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))


def tiny_raw() -> dict:
    return yaml.safe_load(TINY.read_text())


def write_params(folder: Path, raw: dict, name: str = "params.yaml") -> Path:
    path = folder / name
    path.write_text(yaml.safe_dump(raw, sort_keys=False))
    return path


def run_cli(*args: str, cwd: Path | None = None) -> SimpleNamespace:
    """`latent-report ARGS` run in this process: returncode, stdout and stderr as a subprocess would give them.

    Starting Python and importing the package again costs seconds per call; the end-to-end checks that
    a real process prints one line without a traceback run as subprocesses in test_pipeline and
    test_robustness.
    """
    from report import cli

    handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
    out, err, before = io.StringIO(), io.StringIO(), Path.cwd()
    try:
        os.chdir(cwd or before)
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = cli.main(list(args))
            except SystemExit as exit_:
                code = exit_.code
    finally:
        os.chdir(before)
        for sig, handler in handlers.items():
            signal.signal(sig, handler)
    return SimpleNamespace(returncode=code, stdout=out.getvalue(), stderr=err.getvalue())


@pytest.fixture(scope="session")
def tiny_build(tmp_path_factory):
    """Build `tiny` once for the whole run; returns (build_root, outcome).

    With pytest-xdist (`make test` runs two workers) the first worker to ask builds it in the run's
    shared temporary folder while the others wait on a file lock, then every worker reads that one build.
    """
    from report.build import build_variant

    if os.environ.get("PYTEST_XDIST_WORKER") is None:
        root = tmp_path_factory.mktemp("tiny-build") / "build"
        return root, build_variant(TINY, build_root=root, progress=False, echo=lambda line: None)
    from filelock import FileLock

    shared = tmp_path_factory.getbasetemp().parent / "tiny-build"  # one folder per run, beside the workers' own
    with FileLock(f"{shared}.lock"):
        saved = shared / "outcome.pickle"
        if not saved.is_file():
            outcome = build_variant(TINY, build_root=shared / "build", progress=False, echo=lambda line: None)
            saved.write_bytes(pickle.dumps(outcome))
        return shared / "build", pickle.loads(saved.read_bytes())


@pytest.fixture
def tiny_copy(tiny_build, tmp_path):
    """A private copy of the session's tiny build, for tests that change or break it."""
    root, _ = tiny_build
    copy = tmp_path / "build"
    shutil.copytree(root, copy, symlinks=True)
    return copy


@pytest.fixture
def no_render(monkeypatch):
    """Builds in this test run their steps and write their key statistics but leave the site as it was.

    For tests about which steps run and what they compute: rendering the pages, exporting the notebooks
    and writing the PDF take longer than a tiny step, and the session's tiny build and the rendering
    tests cover them.
    """
    from report import build

    monkeypatch.setattr(build, "render_site", lambda *args, **kwargs: False)

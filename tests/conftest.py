"""Shared fixtures: the tiny parameter file and one tiny build reused by the pipeline tests."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

PROJECT_ROOT = Path(__file__).resolve().parents[1]
TINY = PROJECT_ROOT / "parameters" / "tiny.yaml"


def tiny_raw() -> dict:
    return yaml.safe_load(TINY.read_text())


def write_params(folder: Path, raw: dict, name: str = "params.yaml") -> Path:
    path = folder / name
    path.write_text(yaml.safe_dump(raw, sort_keys=False))
    return path


@pytest.fixture(scope="session")
def tiny_build(tmp_path_factory):
    """Build `tiny` once for the session; returns (build_root, outcome)."""
    from report.build import build_variant

    root = tmp_path_factory.mktemp("tiny-build") / "build"
    outcome = build_variant(TINY, build_root=root, progress=False, echo=lambda line: None)
    return root, outcome


@pytest.fixture
def tiny_copy(tiny_build, tmp_path):
    """A private copy of the session's tiny build, for tests that change or break it."""
    root, _ = tiny_build
    copy = tmp_path / "build"
    shutil.copytree(root, copy, symlinks=True)
    return copy

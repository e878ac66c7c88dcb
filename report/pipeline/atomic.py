"""Atomic outputs: a folder or file is written beside its target, then renamed into place."""

from __future__ import annotations

import os
import shutil
from pathlib import Path


def swap_into_place(staging: Path, target: Path) -> None:
    """Replace the folder `target` with `staging` by renames, so no reader ever sees half a result.

    The old folder is renamed aside first and removed only after the new one is in place; a
    leftover from an interrupted swap is cleared before the next one.
    """
    retired = target.with_name(f".{target.name}.retired")
    if retired.exists():
        shutil.rmtree(retired)
    if target.exists():
        os.replace(target, retired)
    os.replace(staging, target)
    shutil.rmtree(retired, ignore_errors=True)


def write_text(path: Path, text: str) -> None:
    """Write a text file through a temporary file beside it and a rename."""
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)

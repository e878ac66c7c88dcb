"""manifest.json: everything needed to say how a build came about and to repeat it."""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from report.params import Params, to_jsonable
from report.pipeline.atomic import write_text
from report.pipeline.hashing import file_sha256, package_versions
from report.pipeline.steps import PROJECT_ROOT, STEPS_BY_NAME, Step
from report.results import STATS_FILE, read_results

RECORDED_PACKAGES = (
    "numpy", "scipy", "matplotlib", "tensorflow", "keras", "papermill", "nbclient", "ipykernel",
    "jupytext", "jinja2", "weasyprint", "pydantic", "scikit-learn", "pillow",
)


def git_commit() -> str | None:
    """The project's current commit, with '-dirty' when the tree has changes; None outside git."""
    try:
        commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=PROJECT_ROOT, capture_output=True,
                                text=True, timeout=5, check=True).stdout.strip()
        dirty = subprocess.run(["git", "--no-optional-locks", "status", "--porcelain", "--untracked-files=no"], cwd=PROJECT_ROOT,
                               capture_output=True, text=True, timeout=5, check=True).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return commit + ("-dirty" if dirty else "")


def write_manifest(run_dir: Path, params_path: Path, params: Params, steps: list[Step],
                   records: dict[str, dict], outcome) -> dict:
    """Write build/<variant>/manifest.json atomically and return it."""
    device = {"device": "CPU", "name": "CPU (no training in this variant)"}
    parameters = to_jsonable(params)
    train = run_dir / "results" / "train"
    if (train / STATS_FILE).is_file():
        trained = read_results(train, STEPS_BY_NAME["train"].schema)
        device = trained.device.model_dump(mode="json")
        if trained.origin == "loaded":  # a model trained elsewhere sets the latent dimension, not model.z_dim
            parameters["model"]["z_dim"] = trained.z_dim
    manifest = {
        "variant": params.variant,
        "parameter_file": str(params_path),
        "parameter_file_sha256": file_sha256(params_path),
        "parameters": parameters,
        "seed": params.seed,
        "step_seeds": {step.name: step.seed(params) for step in steps},
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "cpu_count": os.cpu_count(),
        "packages": package_versions(RECORDED_PACKAGES),
        "device": device,
        "git_commit": git_commit(),
        "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "steps": {
            name: {
                "status": outcome.status.get(name),
                "reasons": outcome.reasons.get(name, []),
                "hash": record["hash"],
                "output_digest": record["output_digest"],
                "wall_seconds": record["wall_seconds"],
                "cpu_seconds": record.get("cpu_seconds"),
                "finished_at": record["finished_at"],
                "cells": record["cells"],
            }
            for name, record in records.items()
        },
    }
    path = run_dir / "manifest.json"
    write_text(path, json.dumps(manifest, indent=2) + "\n")
    return manifest

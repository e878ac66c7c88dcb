"""Build one variant: run every step whose fingerprint changed, then render the site and the PDF.

Each step executes into `build/<variant>/.staging/<step>/`; only after its outputs check out is
that folder swapped into `results/<step>/`, with a `step.json` recording its fingerprint. A
failed step leaves the earlier results, site and manifest as they were.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

from report.errors import StepError
from report.data.sources import check_source
from report.params import Params, load_params
from report.pipeline import hashing
from report.pipeline.execute import clean_kernel_environment, execute_step, read_notebook
from report.pipeline.manifest import write_manifest
from report.pipeline.steps import Step, steps_for

STEP_RECORD = "step.json"


@dataclass
class BuildOutcome:
    """What one build did: per step 'ran' or 'up to date', and the run folder."""

    run_dir: Path
    status: dict[str, str] = field(default_factory=dict)
    reasons: dict[str, list[str]] = field(default_factory=dict)
    rendered: bool = False

    @property
    def executed(self) -> list[str]:
        return [name for name, state in self.status.items() if state == "ran"]


def _read_record(folder: Path) -> dict | None:
    try:
        return json.loads((folder / STEP_RECORD).read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return None


def _output_digest(folder: Path, cache: hashing.DigestCache) -> str:
    files = hashing.folder_digest(folder, cache)
    files.pop(STEP_RECORD, None)
    return hashing.combined(files)


def _validate_outputs(step: Step, folder: Path) -> None:
    """Every declared output exists and stats.json holds finite JSON numbers."""
    missing = [name for name in step.outputs if not (folder / name).is_file()]
    if missing:
        raise StepError(f"{step.name} finished without writing {', '.join(missing)}")
    try:
        json.loads((folder / "stats.json").read_text(encoding="utf-8"), parse_constant=_reject_constant)
    except (json.JSONDecodeError, ValueError) as err:
        raise StepError(f"{step.name} wrote an invalid stats.json ({err})") from None


def _reject_constant(name: str):
    raise ValueError(f"non-finite number {name}")


def _notebook_section(step: Step, params: Params):
    """The parameters a step's notebook receives; a relative data.path is taken from the current folder."""
    section = step.section(params)
    section = next(iter(section.values())) if len(section) == 1 else section
    if step.name == "data" and section.get("path"):
        section = {**section, "path": str(Path(section["path"]).resolve())}
    return section


def _notebook_inputs(params: Params, run_dir: Path) -> dict[str, str]:
    results = run_dir / "results"
    inputs: dict[str, str] = {}
    if params.data.source == "zpoints":
        latents = Path(params.data.path)
        inputs["latents"] = str(latents if latents.is_absolute() else (Path.cwd() / latents).resolve())
        inputs["decoder"] = ""
    else:
        inputs["images"] = str(results / "data" / "images.npy")
        inputs["latents"] = str(results / "encode" / "latents.npy")
        inputs["encoder"] = str(results / "train" / "encoder.keras")
        inputs["decoder"] = str(results / "train" / "decoder.keras")
    return inputs


def _upstream(step: Step, params: Params, records: dict[str, dict], cache: hashing.DigestCache,
              inputs: dict[str, str]) -> dict[str, str]:
    upstream = {}
    for name in step.needs:
        if name in records:
            upstream[name] = records[name]["output_digest"]
        elif name == "encode" and params.data.source == "zpoints":
            latents = Path(inputs["latents"])
            upstream["zpoints"] = cache.digest(latents) if latents.is_file() else "missing"
        else:
            upstream[name] = "missing"
    return upstream


def _swap_into_place(staging: Path, target: Path) -> None:
    """Replace `target` with `staging` by renames, so no reader ever sees half a result."""
    retired = target.with_name(f".{target.name}.retired")
    if retired.exists():
        shutil.rmtree(retired)
    if target.exists():
        os.replace(target, retired)
    os.replace(staging, target)
    if retired.exists():
        shutil.rmtree(retired)


def _cell_durations(notebook) -> list[dict]:
    cells = []
    for index, cell in enumerate(notebook.cells):
        meta = cell.get("metadata", {}).get("papermill", {})
        if cell.cell_type == "code" and meta.get("duration") is not None:
            first_line = cell.source.strip().splitlines()[0] if cell.source.strip() else ""
            cells.append({"cell": index, "seconds": round(float(meta["duration"]), 3), "first_line": first_line[:80]})
    return cells


def _select(steps: list[Step], only: str | None) -> set[str]:
    names = {s.name for s in steps}
    if only is None:
        return names
    if only not in names:
        raise StepError(f"--only {only}: no such step for this variant (steps: {', '.join(s.name for s in steps)})")
    by_name = {s.name: s for s in steps}
    chosen, todo = set(), [only]
    while todo:
        name = todo.pop()
        if name in chosen or name not in by_name:
            continue
        chosen.add(name)
        todo.extend(by_name[name].needs)
    return chosen


def build_variant(
    params_path: Path,
    *,
    build_root: Path = Path("build"),
    force: bool = False,
    only: str | None = None,
    progress: bool = True,
    echo: Callable[[str], None] = print,
) -> BuildOutcome:
    """Build the variant of one parameter file; see the module docstring."""
    params_path = Path(params_path)
    params = load_params(params_path)
    check_source(params.data)
    run_dir = (build_root / params.variant).resolve()
    outcome = BuildOutcome(run_dir)
    steps = steps_for(params)
    selected = _select(steps, only)
    for sub in ("results", "notebooks", "logs", ".staging"):
        (run_dir / sub).mkdir(parents=True, exist_ok=True)
    clean_kernel_environment(build_root)
    cache = hashing.DigestCache(run_dir / ".cache" / "digests.json")
    versions = hashing.package_versions()
    records: dict[str, dict] = {}
    echo(f"{params.variant}: {len(steps)} steps from {params_path}")
    try:
        for step in steps:
            folder = run_dir / "results" / step.name
            inputs = _notebook_inputs(params, run_dir)
            notebook = read_notebook(step.notebook)
            parts = {
                "code": hashing.code_hash(notebook),
                "parameters": step.section(params),
                "seed": step.seed(params),
                "upstream": _upstream(step, params, records, cache, inputs),
                "modules": hashing.modules_hash(step.modules),
                "versions": versions,
            }
            old = _read_record(folder)
            reasons = hashing.reasons_to_run(old and old.get("fingerprint"), parts)
            if old and not reasons:
                missing = [name for name in step.outputs if not (folder / name).is_file()]
                if missing or _output_digest(folder, cache) != old.get("output_digest"):
                    reasons = ["outputs missing or changed on disk"]
            if step.name not in selected:
                if old is not None:
                    records[step.name] = old
                outcome.status[step.name] = "skipped (--only)"
                continue
            if force:
                reasons = ["forced"] + [r for r in reasons if r != "never run"]
            if not reasons:
                records[step.name] = old
                outcome.status[step.name] = "up to date"
                echo(f"  {step.name:<20} up to date")
                continue
            echo(f"  {step.name:<20} runs: {'; '.join(reasons)}")
            records[step.name] = _run_step(step, params, run_dir, parts, inputs, cache, progress, echo)
            outcome.status[step.name] = "ran"
            outcome.reasons[step.name] = reasons
    finally:
        cache.save()

    from report import keystats
    from report.render import render_site

    keystats.write(run_dir)
    outcome.rendered = render_site(run_dir, params, records, force=force, echo=echo)
    write_manifest(run_dir, params_path, params, steps, records, outcome)
    return outcome


def _run_step(step: Step, params: Params, run_dir: Path, parts: dict, inputs: dict[str, str],
              cache: hashing.DigestCache, progress: bool, echo: Callable[[str], None]) -> dict:
    staging = run_dir / ".staging" / step.name
    if staging.exists():
        shutil.rmtree(staging)
    staging.mkdir(parents=True)
    executed = run_dir / ".staging" / f"{step.name}.ipynb"
    kept = run_dir / "notebooks" / f"{step.name}.failed.ipynb"
    log_path = run_dir / "logs" / f"{step.name}.log"
    parameters = {
        "run_dir": str(run_dir),
        "output_dir": str(staging),
        "step_seed": parts["seed"],
        "section": _notebook_section(step, params),
        "inputs": inputs,
    }
    started = time.perf_counter()
    try:
        notebook = execute_step(step.name, step.notebook, parameters, executed, log_path, staging,
                                step.timeout(params), progress=progress)
        _validate_outputs(step, staging)
    except StepError as err:
        where = ""
        if executed.exists():
            os.replace(executed, kept)
            where = f" — notebook kept at {_shown(kept)}"
        shutil.rmtree(staging, ignore_errors=True)
        raise StepError(f"{err}{where}; log at {_shown(log_path)}") from err
    wall = time.perf_counter() - started
    record = {
        "step": step.name,
        "fingerprint": parts,
        "hash": hashing.combined(parts),
        "output_digest": _output_digest(staging, cache),
        "wall_seconds": round(wall, 2),
        "cells": _cell_durations(notebook),
        "finished_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }
    (staging / STEP_RECORD).write_text(json.dumps(record, indent=1, sort_keys=True), encoding="utf-8")
    _swap_into_place(staging, run_dir / "results" / step.name)
    cache.moved(staging, run_dir / "results" / step.name)
    os.replace(executed, run_dir / "notebooks" / f"{step.name}.ipynb")
    kept.unlink(missing_ok=True)
    echo(f"  {step.name:<20} done in {_duration(wall)}")
    return record


def _shown(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _duration(seconds: float) -> str:
    if seconds < 60:
        return f"{seconds:.1f} s"
    return f"{math.floor(seconds / 60)} min {seconds % 60:.0f} s"


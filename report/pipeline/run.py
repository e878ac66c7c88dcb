"""Run the steps of one variant whose fingerprint changed.

Each step executes into `build/<variant>/.staging/<step>/`; only after its outputs check out is
that folder swapped into `results/<step>/`, with a `step.json` recording its fingerprint. A
failed step leaves the earlier results, site and manifest as they were.
"""

from __future__ import annotations

import json
import math
import os
import resource
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from report.errors import BuildInterrupted, ReportError, StepError, raise_if_signalled
from report.params import Params
from report.pipeline import hashing
from report.pipeline.atomic import swap_into_place, write_text
from report.pipeline.execute import execute_step, read_notebook
from report.pipeline.steps import PROJECT_ROOT, Step
from report.results import read_results

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


def read_record(folder: Path) -> dict | None:
    """The step's record, or None when it is missing or not a record this pipeline wrote."""
    try:
        record = json.loads((folder / STEP_RECORD).read_text(encoding="utf-8"))
    except (OSError, ValueError):  # missing, unreadable, not JSON, not UTF-8
        return None
    if not (isinstance(record, dict) and isinstance(record.get("fingerprint"), dict)
            and isinstance(record.get("output_digest"), str) and isinstance(record.get("output_files"), dict)
            and all(isinstance(part, dict) for key, part in record["fingerprint"].items()
                    if key in ("parameters", "upstream", "modules", "versions"))):
        return None
    return record


def _no_record_reason(folder: Path) -> str:
    if (folder / STEP_RECORD).exists():
        return f"step record damaged: {STEP_RECORD} is unreadable"
    return "never run" if not folder.exists() else f"step record missing: {STEP_RECORD}"


def _output_files(folder: Path, cache: hashing.DigestCache) -> dict[str, str]:
    files = hashing.folder_digest(folder, cache)
    files.pop(STEP_RECORD, None)
    return files


def _damage(step: Step, folder: Path, old: dict, cache: hashing.DigestCache) -> list[str]:
    """Why the results on disk are not those the step wrote: missing, added or changed files."""
    missing = [name for name in step.outputs if not (folder / name).is_file()]
    if missing:
        return [f"results missing: {', '.join(missing)}"]
    files = _output_files(folder, cache)
    if hashing.combined(files) == old.get("output_digest"):
        return []
    recorded = old.get("output_files") or {}
    changed = sorted(name for name in set(files) | set(recorded) if files.get(name) != recorded.get(name))
    return [f"results changed on disk: {', '.join(changed[:3]) if recorded else 'digest differs'}"]


def _validate_outputs(step: Step, folder: Path) -> None:
    """Every declared output exists and stats.json matches the step's results schema."""
    missing = [name for name in step.outputs if not (folder / name).is_file()]
    if missing:
        raise StepError(f"{step.name} finished without writing {', '.join(missing)}")
    try:
        read_results(folder, step.schema)
    except ReportError as err:
        raise StepError(f"{step.name} wrote results that do not match its schema ({_after_path(err, folder)})") from None


def _after_path(err: ReportError, folder: Path) -> str:
    return str(err).split(f"{folder / 'stats.json'}: ", 1)[-1]


def _shown_in_run(path: Path, run_dir: Path) -> str:
    """A path inside the run folder relative to it (a build folder can move); others absolute."""
    try:
        return str(path.relative_to(run_dir))
    except ValueError:
        return str(path)


def step_inputs(params: Params, run_dir: Path) -> dict[str, str]:
    """The files a step's notebook may open: latent vectors, images and the two models."""
    results = run_dir / "results"
    if params.data.source == "zpoints":
        latents = Path(params.data.path)
        return {"latents": str(latents if latents.is_absolute() else (Path.cwd() / latents).resolve())}
    return {
        "images": _shown_in_run(results / "data" / "images.npy", run_dir),
        "latents": _shown_in_run(results / "encode" / "latents.npy", run_dir),
        "encoder": _shown_in_run(results / "train" / "encoder.keras", run_dir),
        "decoder": _shown_in_run(results / "train" / "decoder.keras", run_dir),
    }


MODEL_FILES = ("encoder_path", "decoder_path")  # the files of an autoencoder trained elsewhere (model section)


def model_files(params: Params) -> dict[str, Path]:
    """The files a loaded autoencoder is read from, as the build reads them: the encoder, the decoder and a custom
    objects module given as a .py file; relative paths from the current folder, like data.path."""
    if not params.model.loaded:
        return {}
    files = {key: Path(getattr(params.model, key)).expanduser().resolve() for key in MODEL_FILES}
    module = params.model.custom_objects_module
    if module and module.endswith(".py"):
        files["custom_objects_module"] = Path(module).expanduser().resolve()
    return files


def step_request(step: Step, params: Params, run_dir: Path, seed: int) -> dict:
    """What the notebook receives as `request`; a relative data.path (or model file) is taken from the current folder."""
    section = step.section(params)
    if isinstance(section.get("data"), dict) and section["data"].get("path"):
        section["data"] = {**section["data"], "path": str(Path(section["data"]["path"]).resolve())}
    if isinstance(section.get("model"), dict):
        section["model"] = {**section["model"], **{key: str(path) for key, path in model_files(params).items()}}
    return {"section": section, "shared": step.shared_section(params), "seed": seed, "needs": list(step.needs),
            "inputs": step_inputs(params, run_dir)}


def _upstream(step: Step, params: Params, records: dict[str, dict], cache: hashing.DigestCache,
              inputs: dict[str, str]) -> dict[str, str]:
    upstream = {}
    for name in step.needs:
        if name in records:
            upstream[name] = records[name]["output_digest"]
        elif name == "encode" and params.data.source == "zpoints":
            latents = Path(inputs["latents"])
            upstream["zpoints"] = cache.digest(latents) if latents.is_file() else "missing"
        elif params.data.source != "zpoints":
            upstream[name] = "missing"
    if "model" in step.sections:  # a loaded autoencoder: the step reruns when a file's bytes change, and only then
        for key, path in model_files(params).items():
            upstream[f"model.{key}"] = cache.digest(path) if path.is_file() else "missing"
    return upstream


def _cell_durations(notebook) -> list[dict]:
    cells = []
    for index, cell in enumerate(notebook.cells):
        meta = cell.get("metadata", {}).get("papermill", {})
        if cell.cell_type == "code" and meta.get("duration") is not None:
            first_line = cell.source.strip().splitlines()[0] if cell.source.strip() else ""
            cells.append({"cell": index, "seconds": round(float(meta["duration"]), 3), "first_line": first_line[:80]})
    return cells


def select_steps(steps: list[Step], only: str | None) -> set[str]:
    """The names of the steps a build runs: all, or with `only` that step and every step it needs."""
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


# Of a loaded autoencoder's step, the parameters that still matter: how the files are read and checked, and the split
# of the images (the files themselves count by their digests, so a moved file with the same bytes reruns nothing).
LOADED_MODEL_KEYS = ("encoder_output", "output_range", "range_tolerance", "range_check_images", "custom_objects_module",
                     "safe_mode")
LOADED_TRAIN_KEYS = ("validation_split",)


def _fingerprint_parameters(step: Step, params: Params) -> dict:
    """The step's parameters whose change reruns it: a loaded model's only those above, a trained model's none of them."""
    parameters = {**step.section(params), **step.shared_section(params)}
    if not isinstance(parameters.get("model"), dict):
        return parameters
    if params.model.loaded:
        parameters["model"] = {key: parameters["model"][key] for key in LOADED_MODEL_KEYS}
        if isinstance(parameters.get("train"), dict):
            parameters["train"] = {key: parameters["train"][key] for key in LOADED_TRAIN_KEYS}
    else:
        unused = {*LOADED_MODEL_KEYS, *MODEL_FILES}
        parameters["model"] = {key: value for key, value in parameters["model"].items() if key not in unused}
    return parameters


def fingerprint(step: Step, params: Params, run_dir: Path, records: dict[str, dict],
                cache: hashing.DigestCache, versions: dict[str, str]) -> dict:
    """The parts whose change reruns a step: its notebook's code and the `report` modules that
    code imports (derived, never listed by hand), its parameters and seed, its upstream outputs
    and the package versions."""
    notebook = read_notebook(step.notebook)
    code = hashing.notebook_code(notebook)
    inputs = step_inputs(params, run_dir)
    return {
        "notebook": _shown_in_run(step.notebook, PROJECT_ROOT),
        "code": hashing.code_hash(notebook),
        "parameters": _fingerprint_parameters(step, params),
        "seed": step.seed(params),
        "upstream": _upstream(step, params, records, cache, inputs),
        "modules": hashing.modules_hash(hashing.report_modules(code)),
        "versions": versions,
    }


@dataclass
class Decision:
    """Whether one step runs: its fingerprint parts, its last good record and the reasons to run it.

    `state` is "runs", "up to date" or "skipped (--only)"; `reasons` is empty unless it runs.
    """

    parts: dict
    old: dict | None
    reasons: list[str]
    state: str


def decide(step: Step, params: Params, run_dir: Path, records: dict[str, dict], cache: hashing.DigestCache,
           versions: dict[str, str], *, selected: bool = True, force: bool = False) -> Decision:
    """Compare a step's fingerprint (upstream from `records`) with the record of its last good run.

    A damaged result (files changed on disk, record lost) runs even when the step is not selected.
    """
    folder = run_dir / "results" / step.name
    parts = fingerprint(step, params, run_dir, records, cache, versions)
    old = read_record(folder)
    reasons = hashing.reasons_to_run(old and old.get("fingerprint"), parts)
    damaged = False
    if old is None and reasons == ["never run"]:
        reasons = [_no_record_reason(folder)]
        damaged = folder.exists() and reasons  # results whose record was lost or broken
    if old and not reasons:
        reasons = damaged = _damage(step, folder, old, cache)
    if not selected and not damaged:
        return Decision(parts, old, [], "skipped (--only)")
    if force:
        reasons = ["forced"] + [r for r in reasons if r != "never run"]
    return Decision(parts, old, reasons, "runs" if reasons else "up to date")


def run_steps(params: Params, steps: list[Step], run_dir: Path, *, force: bool = False, only: str | None = None,
              progress: bool = True, echo: Callable[[str], None] = print) -> tuple[BuildOutcome, dict[str, dict]]:
    """Run every step whose fingerprint changed; return what happened and each step's record."""
    outcome = BuildOutcome(run_dir)
    selected = select_steps(steps, only)
    cache = hashing.DigestCache(run_dir / ".cache" / "digests.json")
    versions = hashing.package_versions()
    records: dict[str, dict] = {}
    try:
        for step in steps:
            decision = decide(step, params, run_dir, records, cache, versions, selected=step.name in selected,
                              force=force)
            if decision.state != "runs":
                outcome.status[step.name] = decision.state
                if decision.old is not None:
                    records[step.name] = decision.old
                if decision.state == "up to date":
                    echo(f"  {step.name:<20} up to date")
                continue
            records[step.name] = run_decided(step, params, run_dir, decision, cache, progress, echo)
            outcome.status[step.name] = "ran"
            outcome.reasons[step.name] = decision.reasons
    finally:
        cache.save()
    return outcome, records


def run_decided(step: Step, params: Params, run_dir: Path, decision: Decision, cache: hashing.DigestCache,
                progress: bool, echo: Callable[[str], None]) -> dict:
    """Run a step that `decide` found must run; return its new record."""
    echo(f"  {step.name:<20} runs: {'; '.join(decision.reasons)}")
    request = step_request(step, params, run_dir, decision.parts["seed"])
    try:
        return _run_step(step, params, run_dir, decision.parts, request, cache, progress, echo)
    except KeyboardInterrupt:
        raise BuildInterrupted(f"during {step.name}", step.name) from None


def _cpu_seconds() -> float:
    """User and system CPU time of this process and its finished children (a step's kernel is one)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _run_step(step: Step, params: Params, run_dir: Path, parts: dict, request: dict,
              cache: hashing.DigestCache, progress: bool, echo: Callable[[str], None]) -> dict:
    staging = run_dir / ".staging" / step.name
    if staging.exists():
        shutil.rmtree(staging)
    staging.mkdir(parents=True)
    executed = run_dir / ".staging" / f"{step.name}.ipynb"
    kept = run_dir / "notebooks" / f"{step.name}.failed.ipynb"
    log_path = run_dir / "logs" / f"{step.name}.log"
    parameters = {"run_dir": str(run_dir), "request": {**request, "output_dir": str(staging)}}
    started, cpu_started = time.perf_counter(), _cpu_seconds()
    try:
        notebook = execute_step(step.name, step.notebook, parameters, executed, log_path, staging,
                                step.timeout_seconds(params), progress=progress)
        _validate_outputs(step, staging)
        raise_if_signalled()  # a Ctrl-C swallowed during the step must not let its results in
    except StepError as err:
        where = ""
        if executed.exists():
            os.replace(executed, kept)
            where = f" — notebook kept at {_shown(kept)}"
        shutil.rmtree(staging, ignore_errors=True)
        raise StepError(f"{err}{where}; log at {_shown(log_path)}") from err
    except BaseException:  # Ctrl-C, SIGTERM: the kernel is stopped (execute_step); nothing staged is kept
        shutil.rmtree(staging, ignore_errors=True)
        executed.unlink(missing_ok=True)
        raise
    wall = time.perf_counter() - started
    record = {
        "step": step.name,
        "fingerprint": parts,
        "hash": hashing.combined(parts),
        "request": request,
        "output_digest": hashing.combined(files := _output_files(staging, cache)),
        "output_files": files,
        "wall_seconds": round(wall, 2),
        "cpu_seconds": round(_cpu_seconds() - cpu_started, 2),
        "cells": _cell_durations(notebook),
        "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    write_text(staging / STEP_RECORD, json.dumps(record, indent=1, sort_keys=True))
    swap_into_place(staging, run_dir / "results" / step.name)
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


"""What a Dask worker runs: one step of one variant through the pipeline's own machinery.

A task decides with the step's fingerprint whether to run (`report.pipeline.run.decide`), runs
the notebook in the variant's staging folder and swaps the results in (`run_decided`), exactly
as `latent-report build` would. Every path arrives resolved by the driver. A worker whose code or
package versions differ from the driver's refuses to run anything.
"""

from __future__ import annotations

import functools
import hashlib
import os
import shutil
import socket
import sys
from dataclasses import dataclass
from pathlib import Path

from report.errors import ReportError
from report.pipeline import hashing
from report.pipeline.atomic import swap_into_place
from report.pipeline.execute import clean_kernel_environment
from report.pipeline.run import STEP_RECORD, BuildOutcome, decide, read_record, run_decided
from report.pipeline.steps import PROJECT_ROOT, STEPS_BY_NAME, steps_for
from report.sweep.plan import task_key

CODE_FOLDERS = ("report", "analysis", "templates")  # what a step's results and pages depend on


class WorkerMismatch(ReportError):
    """A worker runs other code or other package versions than the driver."""


class SweepStepError(ReportError):
    """A task that failed; `key` names it (`<variant>/<step>`), so dependents can say which one stopped them."""

    def __init__(self, key: str, message: str):
        super().__init__(key, message)
        self.key = key
        self.message = message

    def __str__(self) -> str:
        return f"{self.key}: {self.message}"


@dataclass(frozen=True)
class Identity:
    """What must match between driver and worker: a digest of the project's code and the package versions."""

    code: str
    versions: tuple[tuple[str, str], ...]
    python: str


@dataclass(frozen=True)
class StepJob:
    """One task's instructions, every path absolute."""

    variant: str
    step: str
    run_dir: str
    params_path: str
    sweep_root: str
    leader_dir: str | None = None
    force: bool = False

    @property
    def key(self) -> str:
        return task_key(self.variant, self.step)


def code_digest(root: Path = PROJECT_ROOT) -> str:
    """SHA-256 over the text of every file of the project's code, notebooks and templates, by relative path."""
    digest = hashlib.sha256()
    for folder in CODE_FOLDERS:
        for path in sorted((root / folder).rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def identity() -> Identity:
    """This process's identity (computed afresh: code on disk may change between sweeps)."""
    from report.pipeline.manifest import RECORDED_PACKAGES

    versions = hashing.package_versions(tuple(dict.fromkeys(RECORDED_PACKAGES + hashing.HASHED_PACKAGES)))
    return Identity(code_digest(), tuple(sorted(versions.items())), sys.version.split()[0])


def mismatch(expected: Identity, found: Identity) -> str | None:
    """What differs between the driver's identity and a worker's, in words; None when nothing does."""
    if found.code != expected.code:
        return "its code (report/, analysis/, templates/) differs from the driver's"
    if found.python != expected.python:
        return f"Python {found.python}, the driver {expected.python}"
    theirs, ours = dict(found.versions), dict(expected.versions)
    bumped = [f"{name} {theirs.get(name)} (driver {ours.get(name)})" for name in sorted(ours) if theirs.get(name) != ours[name]]
    return f"package versions differ: {', '.join(bumped)}" if bumped else None


@functools.lru_cache(maxsize=4)
def _checked(expected: Identity) -> None:
    problem = mismatch(expected, identity())
    if problem:
        raise WorkerMismatch(f"worker on {socket.gethostname()} (process {os.getpid()}) refuses to run: {problem}")


def run_step_job(job: StepJob, expected: Identity, *upstream: dict) -> dict:
    """Run one step of one variant if its fingerprint changed; return {"key", "state", "wall_seconds"}.

    `upstream` are the results of the tasks this one waits for (Dask passes them; only their
    completion matters). A failure raises SweepStepError naming the task.
    """
    try:
        _checked(expected)
        return _run(job)
    except ReportError as err:
        if isinstance(err, SweepStepError):
            raise
        raise SweepStepError(job.key, str(err)) from None


def _run(job: StepJob) -> dict:
    from report.params import load_params

    params = load_params(job.params_path)
    run_dir, step = Path(job.run_dir), STEPS_BY_NAME[job.step]
    clean_kernel_environment(Path(job.sweep_root))
    records = {name: record for name in step.needs if (record := read_record(run_dir / "results" / name))}
    cache = hashing.DigestCache(run_dir / ".cache" / f"digests-{step.name}.json")  # one file per task: no races
    try:
        decision = decide(step, params, run_dir, records, cache, hashing.package_versions(), force=job.force)
        if decision.state == "up to date":
            return {"key": job.key, "state": "up to date", "wall_seconds": 0.0}
        if job.leader_dir and adopt(step.name, Path(job.leader_dir), run_dir, decision.parts):
            return {"key": job.key, "state": "shared", "wall_seconds": 0.0, "from": Path(job.leader_dir).name}
        record = run_decided(step, params, run_dir, decision, cache, progress=False, echo=lambda line: None)
    finally:
        cache.save()
    return {"key": job.key, "state": "ran", "wall_seconds": record["wall_seconds"], "reasons": decision.reasons}


def adopt(step: str, leader_dir: Path, run_dir: Path, parts: dict) -> bool:
    """Take over another variant's results of a step whose fingerprint equals this one's; False if it does not.

    The files are hard-linked (copied across file systems) into this variant's staging folder and
    swapped in like a step's own results, so a later `build` of this variant finds them up to date.
    """
    source = leader_dir / "results" / step
    record = read_record(source)
    if record is None or record.get("fingerprint") != parts:
        return False
    staging = run_dir / ".staging" / step
    shutil.rmtree(staging, ignore_errors=True)
    staging.parent.mkdir(parents=True, exist_ok=True)
    shutil.copytree(source, staging, copy_function=_link_or_copy)
    if not (staging / STEP_RECORD).is_file():
        raise ReportError(f"{source}: lost its {STEP_RECORD} while being shared")
    swap_into_place(staging, run_dir / "results" / step)
    for folder, name in (("notebooks", f"{step}.ipynb"), ("logs", f"{step}.log")):
        if (leader_dir / folder / name).is_file():
            (run_dir / folder).mkdir(parents=True, exist_ok=True)
            shutil.copy2(leader_dir / folder / name, run_dir / folder / name)
    return True


def _link_or_copy(source: str, target: str) -> None:
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def finish_job(variant: str, run_dir: str, params_path: str, sweep_root: str, expected: Identity,
               *step_results: dict) -> dict:
    """After a variant's steps: key statistics, site and manifest, as `build` writes them."""
    from report.build import finish_variant
    from report.params import load_params

    try:
        _checked(expected)
        params = load_params(params_path)
        folder = Path(run_dir)
        clean_kernel_environment(Path(sweep_root))
        steps = steps_for(params)
        records = {s.name: record for s in steps if (record := read_record(folder / "results" / s.name))}
        outcome = BuildOutcome(folder)
        outcome.status = {result["key"].split("/", 1)[1]: _status(result["state"]) for result in step_results}
        finish_variant(folder, Path(params_path), params, steps, records, outcome, echo=lambda line: None)
    except ReportError as err:
        raise SweepStepError(task_key(variant, "site"), str(err)) from None
    missing = len(steps) - len(records)
    state = "rendered" if outcome.rendered else "up to date" if not missing else f"not rendered: {missing} step(s) not built"
    return {"key": task_key(variant, "site"), "state": state}


def _status(state: str) -> str:
    """A task's state as a manifest records a step's status ("shared" results were not run here)."""
    return {"shared": "shared from another variant"}.get(state, state)

"""Run a sweep: lock and prepare every variant folder, submit one Dask task per (variant, step) and
one per variant's site, report each as it ends, and write the study.

A failing task stops only the tasks that need it (Dask passes the failure on to its dependents),
so the other variants finish. A killed worker's task is retried by Dask on another worker; its
half-written staging folder is never swapped in, so rerunning the sweep resumes from the last
good step of every variant.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import os
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from report.build import make_folder, prepare_folder
from report.data.sources import check_source
from report.errors import ReportError
from report.pipeline.lock import variant_lock
from report.sweep.plan import PlannedStep, plan, task_key
from report.sweep.spec import Sweep, load_sweep, write_parameter_files
from report.sweep.tasks import Identity, StepJob, WorkerMismatch, finish_job, identity, mismatch, run_step_job

GPU_RESOURCE = "GPU"
DASK_LOG_LEVEL = "error"
POLL_S = 0.2  # how often the driver looks for finished tasks
WORK_STATES = ("ran", "shared")  # a task in one of these states executed or copied something


class SweepFailed(ReportError):
    """Some tasks of a sweep failed; the message is the one-line summary."""


@dataclass
class SweepOutcome:
    """What a sweep did: per task its state ("ran", "shared", "up to date", "failed", "not run")."""

    sweep: Sweep
    states: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def executed(self) -> list[str]:
        return [key for key, state in self.states.items() if state in WORK_STATES]

    @property
    def failed(self) -> list[str]:
        return [key for key, state in self.states.items() if state == "failed"]

    def variant_ok(self, name: str) -> bool:
        """Every task of the variant (its site included) finished."""
        mine = [state for key, state in self.states.items() if key.split("/", 1)[0] == name]
        return bool(mine) and all(state not in ("failed", "not run") for state in mine)


@contextlib.contextmanager
def connect(workers: int, scheduler: str | None) -> Iterator:
    """A Dask client: of the scheduler at `scheduler`, or of a local cluster of `workers` single-threaded processes."""
    quiet_dask()
    from distributed import Client, LocalCluster

    if scheduler:
        try:
            client = Client(scheduler, timeout="20s")
        except OSError as err:
            raise ReportError(f"--scheduler {scheduler}: cannot reach the Dask scheduler ({err})") from None
        with client:
            yield client
        return
    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None,
                      memory_limit=0) as cluster, Client(cluster) as client:
        yield client


def quiet_dask() -> None:
    """Keep Dask's routine messages (workers joining, closing) off the terminal, here and in local workers."""
    os.environ["DASK_LOGGING__DISTRIBUTED"] = DASK_LOG_LEVEL
    logging.getLogger("distributed").setLevel(DASK_LOG_LEVEL.upper())


def check_workers(client, expected: Identity) -> None:
    """Refuse a cluster whose workers run other code or packages than this driver, naming the first.

    A worker that leaves while it is asked (killed, or restarted by its nanny) is passed over: its
    replacement is checked by each task before the task runs.
    """
    answers = client.run(identity, on_error="return")
    found = {address: answer for address, answer in answers.items() if not isinstance(answer, OSError)}  # gone
    if not found:
        raise ReportError("the Dask cluster has no workers")
    for address, answer in found.items():
        if isinstance(answer, BaseException):
            raise WorkerMismatch(f"worker {address} refuses to run: it cannot say what it runs ({answer})")
    for address, theirs in found.items():
        problem = mismatch(expected, theirs)
        if problem:
            raise WorkerMismatch(f"worker {address} refuses to run: {problem}")


def has_gpu_workers(client) -> bool:
    """Whether any worker advertises a `GPU` resource (dask-worker --resources GPU=1)."""
    workers = client.scheduler_info().get("workers", {})
    return any(info.get("resources", {}).get(GPU_RESOURCE) for info in workers.values())


@contextlib.contextmanager
def locked_folders(sweep: Sweep) -> Iterator[None]:
    """Hold every variant folder's lock for the whole sweep, so no `build` of one runs meanwhile."""
    with contextlib.ExitStack() as stack:
        for variant in sweep.variants:
            make_folder(variant.run_dir)
            stack.enter_context(variant_lock(variant.run_dir, wait=False))
        yield


def _prepare(sweep: Sweep) -> None:
    """Before any task: every variant's data source, room on disk, sub-folders and parameter file."""
    for variant in sweep.variants:
        check_source(variant.params.data)
        prepare_folder(variant.run_dir, variant.params)
    write_parameter_files(sweep)


def dask_key(key: str, token: str) -> str:
    """The key a task has on the scheduler: its name and this sweep run's token, so that two sweeps
    sharing a scheduler (or a rerun before the last one's results are released) never share a result."""
    return f"{key}#{token}"


def task_name(key) -> str:
    """A task's name (`<variant>/<step>`) from its key on the scheduler."""
    return str(key).rsplit("#", 1)[0]


def _submit(client, sweep: Sweep, tasks: list[PlannedStep], expected: Identity, force: bool, gpu: bool) -> dict:
    """Submit every step task, then each variant's site task; return the futures by task name."""
    by_name = {variant.name: variant for variant in sweep.variants}
    token = uuid.uuid4().hex[:12]
    futures = {}
    for task in tasks:
        variant = by_name[task.variant]
        job = StepJob(task.variant, task.step, str(variant.run_dir), str(variant.params_path), str(sweep.root),
                      str(by_name[task.leader].run_dir) if task.leader else None, force)
        futures[task.key] = client.submit(run_step_job, job, expected, *(futures[key] for key in task.needs),
                                          key=dask_key(task.key, token), pure=False,
                                          resources={GPU_RESOURCE: 1} if gpu and task.uses_gpu else None)
    for variant in sweep.variants:
        mine = [futures[t.key] for t in tasks if t.variant == variant.name]
        key = task_key(variant.name, "site")
        futures[key] = client.submit(finish_job, variant.name, str(variant.run_dir), str(variant.params_path),
                                     str(sweep.root), expected, *mine, key=dask_key(key, token), pure=False)
    return futures


def _collect(client, futures: dict, outcome: SweepOutcome, no_worker_timeout_s: float,
             echo: Callable[[str], None]) -> None:
    """Wait for every task; record and print each one's state as it ends.

    A cluster left without any worker for `no_worker_timeout_s` (every worker lost, none restarted)
    stops the sweep with one line instead of waiting for ever.
    """
    from distributed import as_completed

    pending = as_completed(list(futures.values()))
    alone_since = None
    while not pending.is_empty():
        done = pending.next_batch(block=False) if pending.has_ready() else []
        for future in done:
            _record(future, outcome, echo)
        if done:
            continue
        if client.scheduler_info().get("workers"):
            alone_since = None
        elif alone_since is None:
            alone_since = time.monotonic()
        elif time.monotonic() - alone_since > no_worker_timeout_s:
            raise ReportError(f"the Dask cluster has had no worker for {no_worker_timeout_s:g} s (all lost); "
                              "results finished so far are kept, rerun the sweep to resume")
        time.sleep(POLL_S)


def _record(future, outcome: SweepOutcome, echo: Callable[[str], None]) -> None:
    """Record one finished or failed task; a failure inherited from a task it needs is "not run"."""
    key = task_name(future.key)
    if future.status == "finished":
        result = future.result()
        outcome.states[key] = result["state"]
        shown = f"shared from {result['from']}" if result["state"] == "shared" else result["state"]
        timing = f" in {result['wall_seconds']:.1f} s" if result.get("wall_seconds") else ""
        echo(f"  {key:<40} {shown}{timing}")
        return
    error = future.exception()
    cause = getattr(error, "key", None) or getattr(error, "task", None)  # KilledWorker names its task
    cause = None if cause is None else task_name(cause)
    if cause is not None and cause != key:
        outcome.states[key], outcome.errors[key] = "not run", f"needs {cause}, which failed"
        return
    message = getattr(error, "message", None) or f"{type(error).__name__}: {error}"
    outcome.states[key], outcome.errors[key] = "failed", message
    echo(f"  {key:<40} FAILED: {message}")


def summary(outcome: SweepOutcome) -> str:
    """One line: what ran, and which tasks failed or could not run."""
    sweep = outcome.sweep
    ok = sum(outcome.variant_ok(v.name) for v in sweep.variants)
    work = outcome.executed
    done = f"{len(work)} task(s) executed" if work else "nothing to run: every step was up to date"
    line = f"sweep {sweep.name}: {ok} of {len(sweep.variants)} variant(s) complete; {done} in {outcome.seconds:.1f} s"
    if outcome.failed:
        first = outcome.failed[0]
        skipped = sum(state == "not run" for state in outcome.states.values())
        line += (f"; {len(outcome.failed)} task(s) failed, first {first} ({outcome.errors[first]})"
                 f"; {skipped} dependent task(s) not run")
    return line


def with_only(sweep: Sweep, only: str) -> Sweep:
    """The sweep limited to one step and what it needs (`--only`)."""
    from report.pipeline.steps import STEPS_BY_NAME

    if only not in STEPS_BY_NAME:
        raise ReportError(f"--only {only}: no such step (steps: {', '.join(STEPS_BY_NAME)})")
    return dataclasses.replace(sweep, spec=sweep.spec.model_copy(update={"only": only}))


def run_sweep(path: Path | str, *, build_root: Path | str = Path("build"), workers: int | None = None,
              scheduler: str | None = None, force: bool = False, only: str | None = None,
              echo: Callable[[str], None] = print) -> SweepOutcome:
    """Build every variant of a sweep on Dask and write its study; raise SweepFailed when a task failed.

    `workers` (default: the sweep file's) starts a local cluster; `scheduler` uses a running one
    instead. `only` overrides the sweep file's `only`.
    """
    from report.study import write_study

    sweep = load_sweep(path, build_root)
    if only is not None:
        sweep = with_only(sweep, only)
    tasks = plan(sweep)
    expected = identity()
    outcome = SweepOutcome(sweep)
    started = time.perf_counter()
    with locked_folders(sweep):
        _prepare(sweep)
        n_workers = workers or sweep.spec.workers
        where = f"the scheduler at {scheduler}" if scheduler else f"a local cluster of {n_workers} worker(s)"
        echo(f"sweep {sweep.name}: {len(sweep.variants)} variant(s), {len(tasks)} step task(s) on {where}")
        with connect(n_workers, scheduler) as client:
            check_workers(client, expected)
            futures = _submit(client, sweep, tasks, expected, force, has_gpu_workers(client))
            _collect(client, futures, outcome, sweep.spec.no_worker_timeout_s, echo)
        outcome.seconds = time.perf_counter() - started
        write_study(sweep, outcome)
    if outcome.failed:
        raise SweepFailed(summary(outcome))
    return outcome

"""Build one variant: run the steps whose inputs changed, then write the key statistics, render
the site and the PDF, and record the manifest.

This is the one place where the pipeline (`report.pipeline`) and the renderer (`report.render`)
meet; neither imports the other. A build holds the lock of its variant folder from start to end
(`report.pipeline.lock`), so a second build of the same variant waits or refuses; what an
interrupted build left in `.staging/` is cleared before anything runs.
"""

from __future__ import annotations

import errno
import shutil
from collections.abc import Callable
from pathlib import Path

from report import keystats
from report.data.sources import check_source
from report.errors import BuildInterrupted, ReportError
from report.params import Params, load_params
from report.pipeline.execute import clean_kernel_environment
from report.pipeline.lock import variant_lock
from report.pipeline.manifest import write_manifest
from report.pipeline.run import BuildOutcome, run_steps
from report.pipeline.steps import Step, steps_for
from report.render import render_site
from report.render.site import publish_manifest
from report.resources import check_room


def build_variant(
    params_path: Path,
    *,
    build_root: Path = Path("build"),
    force: bool = False,
    only: str | None = None,
    progress: bool = True,
    echo: Callable[[str], None] = print,
    wait: bool = True,
) -> BuildOutcome:
    """Build the variant of one parameter file into `build_root/<variant>/`; see the module docstring.

    wait=False refuses (ReportError) instead of waiting when another build holds the variant folder.
    """
    params_path = Path(params_path)
    params = load_params(params_path)
    check_source(params.data)
    if params.model.loaded:  # an autoencoder trained elsewhere is checked before anything runs
        from report.own_model import check_parameters

        check_parameters(params)
    run_dir = (Path(build_root) / params.variant).resolve()
    steps = steps_for(params)
    make_folder(run_dir)
    with variant_lock(run_dir, wait=wait, echo=echo):
        prepare_folder(run_dir, params)
        clean_kernel_environment(Path(build_root))
        echo(f"{params.variant}: {len(steps)} steps from {params_path}")
        outcome, records = run_steps(params, steps, run_dir, force=force, only=only, progress=progress, echo=echo)
        finish_variant(run_dir, params_path, params, steps, records, outcome, force=force, echo=echo)
    return outcome


def prepare_folder(run_dir: Path, params: Params) -> None:
    """Before any step (the caller holds the variant's lock): room on disk, sub-folders, no stale staging."""
    check_room(params, run_dir)
    for sub in ("results", "notebooks", "logs"):
        make_folder(run_dir / sub)
    _clear_staging(run_dir)


def finish_variant(run_dir: Path, params_path: Path, params: Params, steps: list[Step], records: dict[str, dict],
                   outcome: BuildOutcome, *, force: bool = False, echo: Callable[[str], None] = print) -> None:
    """After the steps: write the key statistics, render the site (when every step has results) and the manifest."""
    try:
        keystats.write(run_dir)
        missing = [step.name for step in steps if step.name not in records]
        if missing:  # after --only on a fresh folder: the posts of the other steps have nothing to show
            echo(f"  site                 not rendered: no results yet for {', '.join(missing)}")
        else:
            outcome.rendered = render_site(run_dir, params, records, force=force, echo=echo)
        write_manifest(run_dir, params_path, params, steps, records, outcome)
        publish_manifest(run_dir)
    except KeyboardInterrupt as err:
        if isinstance(err, BuildInterrupted):
            raise
        raise BuildInterrupted("while rendering", "rendering (every step is done)") from None


def make_folder(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        where = err.filename or folder
        raise ReportError(f"{where}: cannot create the build folder ({err.strerror or err})") from None
    if not _writable(folder):
        raise ReportError(f"{folder}: the build folder is not writable")


def _writable(folder: Path) -> bool:
    probe = folder / ".write-probe"
    try:
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as err:
        if err.errno == errno.ENOSPC:
            raise ReportError(f"{folder}: no space left on the device") from None
        return False
    return True


def _clear_staging(run_dir: Path) -> None:
    """Nothing an interrupted build left behind is trusted: staging folders and half-swapped results."""
    staging = run_dir / ".staging"
    if staging.exists():
        shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True, exist_ok=True)
    for retired in [*run_dir.glob(".*.retired"), *(run_dir / "results").glob(".*.retired")]:
        shutil.rmtree(retired, ignore_errors=True)

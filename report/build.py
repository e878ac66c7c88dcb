"""Build one variant: run the steps whose inputs changed, then write the key statistics, render
the site and the PDF, and record the manifest.

This is the one place where the pipeline (`report.pipeline`) and the renderer (`report.render`)
meet; neither imports the other.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from report import keystats
from report.data.sources import check_source
from report.params import load_params
from report.pipeline.execute import clean_kernel_environment
from report.pipeline.manifest import write_manifest
from report.pipeline.run import BuildOutcome, run_steps
from report.pipeline.steps import steps_for
from report.render import render_site
from report.render.site import publish_manifest


def build_variant(
    params_path: Path,
    *,
    build_root: Path = Path("build"),
    force: bool = False,
    only: str | None = None,
    progress: bool = True,
    echo: Callable[[str], None] = print,
) -> BuildOutcome:
    """Build the variant of one parameter file into `build_root/<variant>/`; see the module docstring."""
    params_path = Path(params_path)
    params = load_params(params_path)
    check_source(params.data)
    run_dir = (Path(build_root) / params.variant).resolve()
    steps = steps_for(params)
    for sub in ("results", "notebooks", "logs", ".staging"):
        (run_dir / sub).mkdir(parents=True, exist_ok=True)
    clean_kernel_environment(Path(build_root))
    echo(f"{params.variant}: {len(steps)} steps from {params_path}")
    outcome, records = run_steps(params, steps, run_dir, force=force, only=only, progress=progress, echo=echo)
    keystats.write(run_dir)
    outcome.rendered = render_site(run_dir, params, records, force=force, echo=echo)
    write_manifest(run_dir, params_path, params, steps, records, outcome)
    publish_manifest(run_dir)
    return outcome

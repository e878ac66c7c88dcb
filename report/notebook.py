"""The one way a step's notebook opens: its typed parameters, seed, inputs and upstream results.

The pipeline injects two papermill parameters, `run_dir` and `request` (the step's section of the
parameter file keyed by dotted path, its seed, the steps it needs, its input files and its output
folder). A notebook opened by hand in Jupyter keeps the defaults, `run_dir = "build/tiny"` and an
empty request: `open_step` then replays the request recorded by the last build of that step and
writes into a scratch folder inside the build, never into `results/`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace

import numpy as np

from report.errors import ReportError
from report.params import section_value
from report.results import STATS_FILE, Results, StepResults, read_results, save_figure, save_results

STEP_RECORD = "step.json"
SCRATCH = ".scratch"


@dataclass
class StepContext:
    """What one step's notebook works with; see `open_step`."""

    name: str
    run_dir: Path
    output: Path
    seed: int
    settings: object
    needs: tuple[str, ...]
    inputs: dict[str, Path]
    shared_sections: dict[str, object] = field(default_factory=dict)
    rng: np.random.Generator = field(init=False)

    def __post_init__(self):
        self.rng = np.random.default_rng(self.seed)

    def input(self, name: str) -> Path:
        """Path of an input file the pipeline named (latents, images, encoder, decoder)."""
        if name not in self.inputs:
            raise ReportError(f"step {self.name}: no input '{name}' (inputs: {', '.join(sorted(self.inputs)) or 'none'})")
        return self.inputs[name]

    def shared(self, path: str):
        """A rule several steps share (e.g. "analysis.mahalanobis"), typed; the step must declare it."""
        if path not in self.shared_sections:
            raise ReportError(f"step {self.name} reads the shared parameters '{path}' but does not declare them")
        return section_value(path, self.shared_sections[path])

    def upstream(self, schema: type[Results]) -> Results:
        """The typed results record of a step this one needs."""
        return read_results(self.upstream_folder(schema.step), schema)

    def upstream_file(self, step: str, name: str) -> Path:
        """A file (array, figure) that an upstream step this one needs wrote beside its record."""
        path = self.upstream_folder(step) / name
        if not path.is_file():
            raise ReportError(f"{path}: missing; build the step '{step}' first")
        return path

    def upstream_folder(self, step: str) -> Path:
        if step not in self.needs:
            raise ReportError(f"step {self.name} reads results of '{step}' but does not declare that it needs it")
        return self.run_dir / "results" / step

    def save(self, record: StepResults) -> StepResults:
        """Validate this step's results record against its schema and write stats.json."""
        if record.step != self.name:
            raise ReportError(f"step {self.name} tried to save the results of '{record.step}'")
        return save_results(self.output, record)

    def figure(self, name: str, fig) -> str:
        """Save a matplotlib Figure into this step's output folder and, in a kernel, show it in the
        executed notebook (once: a cell that ends with the same Figure does not show it again);
        return its file name."""
        saved = save_figure(self.output, name, fig)
        _show_once(fig)
        return saved


def _find_run_dir(run_dir: str | Path) -> Path:
    """A relative run folder is looked up from the current folder and its parents (Jupyter runs in analysis/)."""
    path = Path(run_dir)
    if path.is_absolute():
        return path
    for base in (Path.cwd(), *Path.cwd().parents):
        if (base / path).is_dir():
            return (base / path).resolve()
    raise ReportError(f"{run_dir}: no such build folder; run `latent-report build` first")


def _recorded_request(run_dir: Path, name: str) -> dict:
    record_path = run_dir / "results" / name / STEP_RECORD
    try:
        record = json.loads(record_path.read_text(encoding="utf-8"))
        request = dict(record["request"])
    except (FileNotFoundError, KeyError, json.JSONDecodeError):
        raise ReportError(f"{record_path}: no recorded request; build the step '{name}' first") from None
    request["output_dir"] = str(run_dir / SCRATCH / name)
    return request


def settings_from(section: dict[str, object]):
    """Typed parameters from {dotted path: value}: one section alone, several as attributes by last name."""
    typed = {path: section_value(path, value) for path, value in section.items()}
    if len(typed) == 1:
        return next(iter(typed.values()))
    return SimpleNamespace(**{path.rsplit(".", 1)[-1]: value for path, value in typed.items()})


NOTEBOOK_FIGURE_DPI = 80  # figures shown in the executed notebooks: enough to read, small enough to publish


def _show_once(fig) -> None:
    try:
        from IPython import get_ipython
        from IPython.display import display
    except ImportError:
        return
    if get_ipython() is None or getattr(fig, "_shown_in_notebook", False):
        return
    display(fig)
    fig._shown_in_notebook = True


def _figure_png(fig) -> bytes | None:
    import io

    if getattr(fig, "_shown_in_notebook", False):
        return None  # already shown where step.figure saved it

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=NOTEBOOK_FIGURE_DPI)
    return buffer.getvalue()


def show_figures_inline() -> None:
    """In a Jupyter kernel, show a matplotlib Figure that ends a cell as a picture, not as '<Figure size ...>'.

    Figures here are built without pyplot, so no inline backend registers them; outside IPython this does nothing.
    """
    try:
        from IPython import get_ipython
    except ImportError:
        return
    shell = get_ipython()
    if shell is None:
        return
    from matplotlib.figure import Figure

    shell.display_formatter.formatters["image/png"].for_type(Figure, _figure_png)
    shell.display_formatter.formatters["text/plain"].for_type(Figure, _figure_text)


def _figure_text(fig, printer, cycle) -> None:
    """The plain-text form of a Figure: nothing once it is shown as a picture (not '<Figure size ...>')."""
    if not getattr(fig, "_shown_in_notebook", False):
        printer.text(f"<Figure: {len(fig.axes)} axes>")


def open_step(name: str, run_dir: str | Path, request: dict | None = None) -> StepContext:
    """Open step `name` of the build in `run_dir` with the pipeline's request (or the last one recorded)."""
    show_figures_inline()
    run_dir = _find_run_dir(run_dir)
    request = dict(request) if request else _recorded_request(run_dir, name)
    output = Path(request["output_dir"])
    output.mkdir(parents=True, exist_ok=True)
    inputs = {key: (run_dir / value if not Path(value).is_absolute() else Path(value))
              for key, value in request.get("inputs", {}).items() if value}
    return StepContext(
        name=name,
        run_dir=run_dir,
        output=output,
        seed=int(request["seed"]),
        settings=settings_from(request["section"]),
        needs=tuple(request.get("needs", ())),
        inputs=inputs,
        shared_sections=dict(request.get("shared", {})),
    )


__all__ = ["STATS_FILE", "StepContext", "open_step"]

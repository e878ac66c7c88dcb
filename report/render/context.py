"""What the templates see: the typed parameters, and per step its typed results, findings and figures.

Each step's record is read through its schema (`report/results/<step>.py`), and its findings, the
judgements its post states, are computed there from the records; templates only print them.
"""

from __future__ import annotations

import datetime
import importlib
import shutil
from pathlib import Path

from report import conclusions
from report.params import Params, to_jsonable
from report.pipeline.steps import STEPS, STEPS_BY_NAME
from report.render.comparison import comparison_context
from report.render.quantities import quantity_printer, shared_quantities
from report.results import StepResults, read_results
from report.study import seed_study_context

FIGURE_SUFFIXES = (".png", ".svg", ".jpg")

POSTS = (
    (1, "Encoder, decoder and latent space"),
    (2, "Number distributions of the latent components"),
    (3, "Correlations between components"),
    (4, "The surroundings of the origin"),
    (5, "Decoding simple statistical z-points"),
    (6, "Decoding along straight paths through the centre"),
    (7, "Component values from per-component intervals"),
    (8, "The cloud as a multivariate normal"),
    (9, "The cloud in its principal axes"),
    (10, "Latent vectors drawn in the principal frame"),
)


def read_records(run_dir: Path, names) -> dict[str, StepResults]:
    """Every named step's record, read through its schema."""
    return {name: read_results(run_dir / "results" / name, STEPS_BY_NAME[name].schema) for name in names}


def step_findings(name: str, record: StepResults, records: dict[str, StepResults]):
    """The findings of one step (None where its results module states none)."""
    module = importlib.import_module(STEPS_BY_NAME[name].results_module)
    find = getattr(module, "findings", None)
    return find(record, records) if find else None


def copy_figures(run_dir: Path, site: Path, name: str) -> dict[str, str]:
    """Copy a step's figures into the site; return {figure stem: link relative to the site}."""
    figures = {}
    folder = run_dir / "results" / name
    target = site / "figures" / name
    for path in sorted(folder.iterdir()):
        if path.suffix in FIGURE_SUFFIXES:
            target.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target / path.name)
            figures[path.stem] = f"figures/{name}/{path.name}"
    return figures


def regularisation_home(steps: dict, posts: list[dict]) -> dict | None:
    """The step and post whose page explains how Mahalanobis distances are regularised: the first post, in
    reading order, with a step that records its regularisation. The later posts link there instead of
    repeating the paragraph. None where no step records one."""
    for post in posts:
        for name in post["steps"]:
            if getattr(steps[name]["stats"], "regularisation", None) is not None:
                return {"step": name, "post": post["number"], "file": post["file"]}
    return None


def _compared_parameters(params: Params, typed: dict[str, StepResults]) -> dict:
    """The parameters other variants are compared by; a model trained elsewhere sets the latent dimension."""
    parameters = to_jsonable(params)
    train = typed.get("train")
    if getattr(train, "origin", None) == "loaded":
        parameters["model"]["z_dim"] = train.z_dim
    return parameters


POST_ONE_FIGURES = ("faces", "sample", "loss", "reconstructions", "random", "projection", "formation", "calibration",
                    "grading")


def post_one_figures(steps: dict) -> dict[str, int]:
    """Post I's figure numbers by name, counting only the figures this run has: a model trained elsewhere
    has no loss curve and no training snapshots, and the numbers that follow close up."""
    train = steps.get("train")
    loaded = train is not None and getattr(train["stats"], "origin", None) == "loaded"
    present = [name for name in POST_ONE_FIGURES
               if not (name == "loss" and loaded) and not (name == "formation" and "formation" not in steps)]
    return {name: number for number, name in enumerate(present, start=1)}


def post_one_tables(steps: dict) -> dict[str, int]:
    """Post I's table numbers by name: the snapshots' table only where training snapshots exist."""
    present = [name for name in ("model", "formation", "calibration") if name != "formation" or "formation" in steps]
    return {name: number for number, name in enumerate(present, start=1)}


def build_context(run_dir: Path, site: Path, params: Params, records: dict[str, dict]) -> dict:
    """Everything the templates see; copies the figures into `site`."""
    typed = read_records(run_dir, records)
    steps = {
        name: {
            "stats": record,
            "findings": step_findings(name, record, typed),
            "figures": copy_figures(run_dir, site, name),
            "notebook": f"notebooks/{name}.html",
            "notebook_ipynb": f"notebooks/{name}.ipynb",
            "hash": records[name]["hash"][:12],
            "wall_seconds": records[name]["wall_seconds"],
        }
        for name, record in typed.items()
    }
    posts = []
    for number, title in POSTS:
        declared = [s.name for s in STEPS if s.post == number]
        ran = [name for name in declared if name in steps]
        # A post whose steps did not run (post I of a zpoints run) still opens with its first
        # part, which says why there is nothing to show.
        posts.append({"number": number, "title": title, "file": f"post-{number}.html", "steps": ran,
                      "parts": ran or declared[:1]})
    for previous, post in zip([None, *posts], posts):  # previous/next links of each post
        post["previous"] = previous
        if previous is not None:
            previous["next"] = post
    if posts:
        posts[-1]["next"] = None
    return {
        "regularisation_home": regularisation_home(steps, posts),
        "params": params,  # the run's typed parameters (report.params.Params), validated once when the file was read
        "variant": params.variant,
        "has_decoder": params.data.source != "zpoints",
        "steps": steps,
        "posts": posts,
        "manifest_link": "manifest.json",
        "rendered_on": datetime.date.today().isoformat(),
        "post_one_figure": post_one_figures(steps),
        "post_one_table": post_one_tables(steps),
        "comparison": comparison_context(run_dir, _compared_parameters(params, typed), dict(POSTS)),
        # a study of this variant over seeds, built beside it: the findings that vary with the seed, by page
        "seed_study": seed_study_context(run_dir, params.variant),
        # every number more than one post states, printed by `quantity(name)` from its one source record
        "quantity": quantity_printer(shared_quantities(typed)),
        # The closing section of every page ("What this run shows"), keyed by page: "post-7", "scoreboard".
        "closings": conclusions.closings(typed, {name: step["findings"] for name, step in steps.items()},
                                         params.analysis.uncertainty),
    }

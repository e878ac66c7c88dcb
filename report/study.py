"""The study of a sweep: each key statistic against each varied parameter, and how far the series'
findings hold across the runs; written as `build/<sweep>/study.json` and `study.html`.

The statistics come from each variant's `results/key_stats.json` (`report.keystats`), the findings
from its steps' records; a variant whose build failed counts only with what it finished.
"""

from __future__ import annotations

import json
import math
import shutil
import statistics
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from report import keystats
from report.errors import ReportError
from report.pipeline.atomic import write_text
from report.pipeline.steps import PROJECT_ROOT, STEPS_BY_NAME
from report.results import STATS_FILE, read_results

STUDY_JSON = "study.json"
STUDY_HTML = "study.html"
STUDY_FILES = "study-files"  # the page's figures and style sheet, beside it
SEED_KEY = "seed"
ALL_RUNS = "all runs"  # the one group of a sweep that varies nothing but the seed


@dataclass(frozen=True)
class Finding:
    """One finding of the series, read from a run's step record as a short value (None when absent)."""

    name: str
    label: str
    where: str
    step: str
    read: Callable

    @property
    def heading(self) -> str:
        return f"{self.label} ({self.where})"


def _dominant(record) -> str:
    return "yes" if record.dominant else "no"


def _origin_place(record) -> str:
    from report.results.origin_slices import plain_position, shape_position

    return shape_position(record.origin.mahalanobis) or plain_position(record.origin.share_farther)


def _uniform_faces(record) -> str | None:
    from report.results.face_measure import clarity

    uniform = record.set("uniform")
    if uniform is None:
        return None
    return {"clearly_faces": "clearly faces", "clearly_not": "clearly no faces"}.get(clarity(uniform.face_share),
                                                                                    "mixed")


def _first_group(record) -> str:
    first = sorted(g.name for g in record.generators if g.rank_group == 1)
    if len(first) == len(record.generators) > 1:
        return f"all {len(first)} generators (none told apart)"
    return ", ".join(first)


def _filaments(record) -> str:
    return record.verdict


FINDINGS: tuple[Finding, ...] = (
    Finding("dominant", "Dominant components exist", "post II", "distributions", _dominant),
    Finding("origin_place", "The origin's place in the cloud", "post IV", "origin_slices", _origin_place),
    Finding("uniform_faces", "Uniform vectors decode to faces", "post I's face measure", "face_measure",
            _uniform_faces),
    Finding("first_group", "The scoreboard's first group", "scoreboard", "scoreboard", _first_group),
    Finding("filaments", "The filaments verdict", "filaments page", "filaments", _filaments),
)


# ---- pure summaries ----------------------------------------------------------------------------

def spread(points: list[float]) -> dict:
    """n, mean, sample sd (None for one point), min and max of a group's values."""
    return {"n": len(points), "mean": statistics.fmean(points),
            "sd": statistics.stdev(points) if len(points) > 1 else None, "min": min(points), "max": max(points)}


def consensus(values: dict[str, object]) -> dict:
    """How far one finding holds: the commonest value and the mark "holds in every run", "holds in k of n" or "varies".

    `values` maps a run to its value (None: the run lacks it and does not count). A value holds in
    k of n when more than half of the runs that have it agree; otherwise the finding varies.
    """
    present = {run: value for run, value in values.items() if value is not None}
    n = len(present)
    if not n:
        return {"value": None, "k": 0, "n": 0, "mark": "no run has it"}
    counts: dict[str, int] = {}
    for value in present.values():
        counts[json.dumps(value)] = counts.get(json.dumps(value), 0) + 1
    top, k = max(counts.items(), key=lambda item: item[1])
    if k == n:
        mark = "holds in every run"
    elif 2 * k > n:
        mark = f"holds in {k} of {n}"
    else:
        mark = "varies"
    return {"value": json.loads(top) if 2 * k > n else None, "k": k, "n": n, "mark": mark}


def axes_of(varied: list[str]) -> list[str]:
    """The parameters statistics are shown against: every varied key but the seed (seeds make the spread)."""
    return [key for key in varied if key != SEED_KEY]


def groups_by(variants: list[dict], stats: dict[str, dict], key: str, axis: str | None) -> list[dict]:
    """Per value of `axis` (one group when None) the runs' values of statistic `key` and their spread."""
    values = [None] if axis is None else list(dict.fromkeys(v["values"][axis] for v in variants))
    groups = []
    for value in values:
        members = [v for v in variants if axis is None or v["values"][axis] == value]
        points = [{"variant": v["name"], "value": stats[v["name"]][key]} for v in members
                  if key in stats.get(v["name"], {})]
        if points:
            groups.append({"value": ALL_RUNS if axis is None else value, "points": points,
                           **spread([p["value"] for p in points])})
    return groups


def statistics_table(variants: list[dict], stats: dict[str, dict], varied: list[str]) -> list[dict]:
    """Every key statistic any run has, in table order, with its groups against each axis."""
    keys = keystats.order({key for values in stats.values() for key in values})
    axes = axes_of(varied) or [None]
    return [{"key": key, "label": keystats.label(key),
             "against": {axis or ALL_RUNS: groups_by(variants, stats, key, axis) for axis in axes}} for key in keys]


# ---- reading the runs --------------------------------------------------------------------------

def read_finding(run_dir: Path, finding: Finding):
    """A finding's value in one run; None when its step has no valid record there."""
    folder = run_dir / "results" / finding.step
    if not (folder / STATS_FILE).is_file():
        return None
    try:
        return finding.read(read_results(folder, STEPS_BY_NAME[finding.step].schema))
    except ReportError:
        return None


def read_key_stats(run_dir: Path) -> dict[str, float]:
    """A run's key statistics, empty when it has none yet."""
    try:
        return keystats.load(run_dir)
    except ReportError:
        return {}


def study_record(sweep, outcome=None) -> dict:
    """Everything study.json holds: the sweep, its variants, the statistics and the findings."""
    variants = [{"name": v.name, "run_dir": v.name, "values": v.values,
                 "complete": outcome.variant_ok(v.name) if outcome else None} for v in sweep.variants]
    stats = {v.name: read_key_stats(v.run_dir) for v in sweep.variants}
    findings = []
    for finding in FINDINGS:
        values = {v.name: read_finding(v.run_dir, finding) for v in sweep.variants}
        held = consensus(values)
        findings.append({"name": finding.name, "label": finding.heading, "short": finding.label, "values": values,
                         **held,
                         "otherwise": {run: value for run, value in values.items()
                                       if value is not None and (held["value"] is None or value != held["value"])},
                         "missing": [run for run, value in values.items() if value is None]})
    errors = dict(outcome.errors) if outcome else {}
    return {"sweep": sweep.name, "description": sweep.spec.description, "base": str(sweep.base_path.name),
            "base_variant": sweep.base_variant,
            "vary": sweep.spec.vary, "only": sweep.spec.only, "axes": axes_of(sweep.varied) or [ALL_RUNS],
            "figure_stats": list(sweep.spec.figure_stats), "variants": variants, "findings": findings,
            "statistics": statistics_table(variants, stats, sweep.varied), "errors": errors}


# ---- writing -----------------------------------------------------------------------------------

def figure_panels(record: dict, axis: str) -> list[dict]:
    """The panels of one axis's figure: the sweep's figure statistics that some run has."""
    by_key = {row["key"]: row for row in record["statistics"]}
    return [{"label": by_key[key]["label"], "percent": keystats.definition(key).unit == "%", "groups": [
                {"value": "" if axis == ALL_RUNS else g["value"], "points": [p["value"] for p in g["points"]],
                 "mean": g["mean"], "sd": g["sd"]}
                for g in by_key[key]["against"][axis]]}
            for key in record["figure_stats"] if key in by_key and by_key[key]["against"][axis]]


def write_figures(record: dict, folder: Path) -> dict[str, str]:
    """One figure per axis; returns the file name by axis (axes without a statistic get none)."""
    from report.figures.save import save_figure
    from report.figures.study import statistics_against

    files = {}
    for number, axis in enumerate(record["axes"], start=1):
        panels = figure_panels(record, axis)
        if panels:
            name = f"statistics-{number}.png"
            label = "one point per run (seed)" if axis == ALL_RUNS else axis
            save_figure(statistics_against(panels, label), folder / name)
            files[axis] = f"{STUDY_FILES}/{name}"
    return files


def write_study(sweep, outcome=None) -> Path:
    """Write build/<sweep>/study.json, its figures and study.html; return the page's path."""
    record = study_record(sweep, outcome)
    files = sweep.root / STUDY_FILES
    files.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(PROJECT_ROOT / "templates" / "style.css", files / "style.css")
    figures = write_figures(record, files)
    write_text(sweep.root / STUDY_JSON, json.dumps(record, indent=1, allow_nan=False, default=_jsonable) + "\n")
    page = sweep.root / STUDY_HTML
    write_text(page, render_study(record, figures))
    return page


def render_study(record: dict, figures: dict[str, str]) -> str:
    """study.html from the study record."""
    from report.render.environment import environment

    seeds = record["vary"].get(SEED_KEY, [])
    return environment().get_template("study.html").render(study=record, figures=figures, n_seeds=len(seeds),
                                                          seed_key=SEED_KEY, style=f"{STUDY_FILES}/style.css")


def _jsonable(value):
    if isinstance(value, float) and not math.isfinite(value):
        return None
    raise TypeError(f"not JSON: {value!r}")


# ---- what a run's own site says about a study of its seeds -------------------------------------

def finding_page(finding: Finding) -> str:
    """The page whose closing states a finding: "post-2", "scoreboard" or "filaments"."""
    post = STEPS_BY_NAME[finding.step].post
    return {11: "scoreboard", 12: "filaments"}.get(post, f"post-{post}")


def seed_study_path(run_dir: Path, variant: str) -> Path | None:
    """The study beside a run (build/<sweep>/study.json) that varies only the seed of this run's own parameters."""
    for path in sorted(Path(run_dir).parent.glob(f"*/{STUDY_JSON}")):
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(record, dict) and record.get("base_variant") == variant and list(record.get("vary") or {}) == [SEED_KEY]:
            return path
    return None


def seed_notes(record: dict) -> dict[str, list[dict]]:
    """Per page, the findings that do not hold in every run of a study over seeds (what the page should say)."""
    pages = {finding.name: finding_page(finding) for finding in FINDINGS}
    notes: dict[str, list[dict]] = {}
    for finding in record.get("findings", []):
        if finding["n"] < 2 or finding["mark"] == "holds in every run" or finding["name"] not in pages:
            continue
        notes.setdefault(pages[finding["name"]], []).append({
            "label": finding["short"], "mark": finding["mark"], "value": finding["value"], "k": finding["k"],
            "n": finding["n"], "otherwise": finding["otherwise"]})
    return notes


def seed_study_context(run_dir: Path, variant: str) -> dict:
    """For a run's site: the seed study beside it, if any ({"sweep", "link", "notes"}), else {}."""
    path = seed_study_path(run_dir, variant)
    if path is None:
        return {}
    record = json.loads(path.read_text(encoding="utf-8"))
    return {"sweep": record["sweep"], "link": f"../../{path.parent.name}/{STUDY_HTML}",  # from build/<variant>/site/
            "notes": seed_notes(record)}

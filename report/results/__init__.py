"""Results as files: each step's typed results record, and the figures and arrays beside it.

A step's `stats.json` has one schema, a `StepResults` model in `report/results/<step>.py`. The
notebook writes through it (`save_results`), and the pipeline, the templates, `keystats` and
downstream notebooks read through it (`read_results`), so a record that does not match its schema
never lands in `results/` and never reaches a page. The same module holds the step's findings:
small functions that turn its numbers into the judgements its post states.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import ClassVar, Literal, TypeVar

import numpy as np
from pydantic import BaseModel, ConfigDict, ValidationError

from report.errors import ReportError

STATS_FILE = "stats.json"


class Record(BaseModel):
    """A part of a results record: strict about its keys, read-only once made."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class StepResults(Record):
    """The results record of one step; `step` names it, and its results folder."""

    step: ClassVar[str] = ""


Results = TypeVar("Results", bound=StepResults)


class Regularisation(Record):
    """How a step's Mahalanobis distances treat a near-singular covariance (`analysis.mahalanobis`,
    `stats.principal.regularisation_summary`), so its post can state it."""

    rule: Literal["drop", "floor"]  # eigenvalues below relative_floor x the largest left out, or raised to it
    relative_floor: float
    n_regularised: int  # eigenvalues the rule touched
    dof: int  # dimensions the distances live in
    largest_eigenvalue: float
    smallest_eigenvalue: float
    condition: float | None  # largest / smallest; None for a singular covariance


def jsonable(value):
    """Turn numpy scalars, arrays and tuples into JSON-native values (NaN becomes None)."""
    if isinstance(value, BaseModel):
        return jsonable(value.model_dump(mode="python"))
    if isinstance(value, dict):
        return {str(key): jsonable(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(item) for item in value]
    if isinstance(value, np.ndarray):
        return jsonable(value.tolist())
    if isinstance(value, (np.bool_, bool)):
        return bool(value)
    if isinstance(value, (np.integer, int)):
        return int(value)
    if isinstance(value, (np.floating, float)):
        number = float(value)
        return number if math.isfinite(number) else None
    if isinstance(value, Path):
        return str(value)
    return value


def _first_error(schema: type[StepResults], err: ValidationError) -> str:
    error = err.errors()[0]
    key = ".".join(str(part) for part in error["loc"]) or "(top level)"
    message = "unknown key" if error["type"] == "extra_forbidden" else error["msg"]
    return f"{schema.step} results: {key}: {message}"


def validate_results(schema: type[Results], values) -> Results:
    """`values` (a dict or a record) checked against the step's schema; ReportError naming the key."""
    try:
        return schema.model_validate(jsonable(values))
    except ValidationError as err:
        raise ReportError(_first_error(schema, err)) from None


def save_results(output_dir: str | Path, record: StepResults) -> StepResults:
    """Validate a step's record and write it as stats.json (JSON-native, sorted keys)."""
    record = validate_results(type(record), record)
    native = jsonable(record)
    path = Path(output_dir) / STATS_FILE
    path.write_text(json.dumps(native, indent=2, sort_keys=True, allow_nan=False) + "\n", encoding="utf-8")
    return record


def read_results(folder: str | Path, schema: type[Results]) -> Results:
    """The record in `folder/stats.json`, read through its schema; one-line ReportError otherwise."""
    path = Path(folder) / STATS_FILE
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ReportError(f"{path}: missing; build the step '{schema.step}' first") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise ReportError(f"{path}: not valid JSON ({err})") from None
    try:
        return schema.model_validate(raw)
    except ValidationError as err:
        raise ReportError(f"{path}: {_first_error(schema, err)}") from None


def save_figure(output_dir: str | Path, name: str, fig) -> str:
    """Save a Figure as `name` (PNG unless it ends in .svg) in the output folder; return the file name."""
    from report.figures import save_figure as write

    if "." not in name:
        name += ".png"
    write(fig, Path(output_dir) / name)
    return name

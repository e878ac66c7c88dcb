"""`latent-report compare`: the key statistics of two runs side by side, drift beyond tolerance marked.

Run A is the reference: differences are B − A, relative ones are divided by |A|, and a tolerance
is taken around A's value (see `report.keystats`). The regression tests call `compare_stats` with
the expected values as A, so a drifted statistic reads the same in both places.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Literal, NamedTuple, TextIO

from report import keystats
from report.errors import ReportError

# Two runs tell comparable stories only from the same data and the same latent dimension: another
# source, image size or number of images, or another z_dim, moves every statistic by more than any
# tolerance, so their differences say nothing about drift. Limits on time change no number.
# The settings named first, in this order, when they differ; then the rest of the data section.
SETUP_SETTINGS = ("data.source", "data.path", "data.image_size", "data.n_images", "model.z_dim")
SETUP_SECTIONS = ("data",)
SETUP_IGNORED = ("data.timeout_s",)


class SetupDifference(NamedTuple):
    """One setting that makes two runs incomparable: its dotted name and each run's value."""

    setting: str
    reference: object
    other: object

    def describe(self, reference_name: str = "A") -> str:
        """The other run's value, then the reference's: "model.z_dim 8 (A: 16)"."""
        return f"{self.setting} {_setting(self.other)} ({reference_name}: {_setting(self.reference)})"


def setup_differences(reference: Mapping, other: Mapping) -> list[SetupDifference]:
    """The settings that make two runs' key statistics incomparable; empty when they are comparable.

    Args:
        reference, other: Two runs' parameters as JSON-native dicts (`manifest.json`'s "parameters").

    Returns:
        Every setting of the `data` section but time limits, and `model.z_dim`, whose values differ:
        those of SETUP_SETTINGS first, the others by name; a setting one side lacks counts as different.
    """
    def at(params: Mapping, dotted: str):
        section, _, name = dotted.partition(".")
        return (params.get(section) or {}).get(name)

    settings = list(SETUP_SETTINGS)
    settings += [f"{section}.{name}" for section in SETUP_SECTIONS
                 for name in sorted({*(reference.get(section) or {}), *(other.get(section) or {})})
                 if f"{section}.{name}" not in SETUP_SETTINGS]
    return [SetupDifference(s, at(reference, s), at(other, s)) for s in settings
            if s not in SETUP_IGNORED and at(reference, s) != at(other, s)]


def run_parameters(run: Path) -> dict | None:
    """A run folder's parameters from its manifest.json; None for a key-stats file or a run without one."""
    manifest = Path(run) / "manifest.json"
    if not manifest.is_file():
        return None
    try:
        parameters = json.loads(manifest.read_text(encoding="utf-8")).get("parameters")
    except (json.JSONDecodeError, UnicodeDecodeError, AttributeError):
        return None
    return parameters if isinstance(parameters, dict) else None


@dataclass(frozen=True)
class Row:
    """One statistic present in both runs."""

    key: str
    label: str
    a: float
    b: float
    delta: float
    delta_percent: float | None  # None when A is 0 and B is not
    tolerance: str
    drifted: bool

    @property
    def changed(self) -> bool:
        return self.a != self.b


@dataclass
class Comparison:
    """Every shared statistic in table order, and the keys only one side has."""

    rows: list[Row]
    only_a: dict[str, float] = field(default_factory=dict)
    only_b: dict[str, float] = field(default_factory=dict)

    @property
    def drifted(self) -> list[Row]:
        return [row for row in self.rows if row.drifted]

    @property
    def changed(self) -> list[Row]:
        return [row for row in self.rows if row.changed]

    def problems(self, a_name: str = "expected", b_name: str = "new") -> list[str]:
        """One line per drifted, missing or extra statistic, naming it and both values."""
        lines = [
            f"{row.key}: {a_name} {_value(row.a)}, {b_name} {_value(row.b)}"
            f" (Δ {_signed(row.delta)}, {_percent(row.delta_percent)}; tolerance {row.tolerance})"
            for row in self.drifted
        ]
        lines += [f"{key}: {a_name} {_value(value)}, missing from {b_name}" for key, value in self.only_a.items()]
        lines += [f"{key}: {b_name} {_value(value)}, not in {a_name}" for key, value in self.only_b.items()]
        return lines


def compare_stats(a: dict[str, float], b: dict[str, float]) -> Comparison:
    """Compare two flat key-statistics dicts; A is the reference for Δ, Δ% and the tolerance.

    Args:
        a: {"distributions.radius.mean": 3.02, ...}, e.g. the expected values.
        b: The same keys for the other run; keys only one side has are listed apart.
    """
    rows = []
    for key in keystats.order(set(a) & set(b)):
        stat = keystats.definition(key)
        delta = b[key] - a[key]
        if a[key] != 0:
            percent = 100 * delta / abs(a[key])
        else:
            percent = 0.0 if delta == 0 else None
        rows.append(Row(key, keystats.label(key), a[key], b[key], delta, percent, stat.tolerance_text,
                        not stat.within(a[key], b[key])))
    return Comparison(
        rows,
        only_a={key: a[key] for key in keystats.order(set(a) - set(b))},
        only_b={key: b[key] for key in keystats.order(set(b) - set(a))},
    )


def compare_runs(
    run_a: Path,
    run_b: Path,
    show_all: bool = False,
    output_format: Literal["table", "markdown", "json"] = "table",
    out: TextIO | None = None,
) -> int:
    """Print the comparison of two runs; return 1 when a statistic drifted beyond tolerance, else 0.

    Args:
        run_a, run_b: Run folders (build/<variant>, holding results/key_stats.json) or key-stats
            JSON files such as tests/regression/expected/tiny.json. Two run folders whose
            manifests show another setup (`setup_differences`) get a last line saying so.
        show_all: List every shared statistic, not only those that differ.
        output_format: "table" (plain text), "markdown" or "json".
        out: Where to write; standard output by default.

    Raises:
        ReportError: A run folder that does not exist or has no key statistics (one line naming it).
    """
    if output_format not in ("table", "markdown", "json"):
        raise ReportError(f"--format {output_format}: expected table, markdown or json")
    a, b = keystats.load(run_a), keystats.load(run_b)
    comparison = compare_stats(a, b)
    rows = comparison.rows if show_all else comparison.changed
    setup_a, setup_b = run_parameters(run_a), run_parameters(run_b)
    setup = setup_differences(setup_a, setup_b) if setup_a is not None and setup_b is not None else []
    if output_format == "json":
        text = json.dumps({**_as_json(comparison, run_a, run_b, rows),
                           "setup_differences": [{"setting": d.setting, "a": d.reference, "b": d.other} for d in setup]},
                          indent=1)
    else:
        text = _as_text(comparison, run_a, run_b, rows, markdown=output_format == "markdown")
        if setup:
            text += ("\nNot comparable: B's setup differs from A's in "
                     + "; ".join(d.describe("A") for d in setup)
                     + ", so its statistics differ by the setup, not by drift.")
    print(text, file=out or sys.stdout)
    return 1 if comparison.drifted else 0


def _as_json(comparison: Comparison, run_a: Path, run_b: Path, rows: list[Row]) -> dict:
    return {
        "a": str(run_a),
        "b": str(run_b),
        "compared": len(comparison.rows),
        "rows": [{**asdict(row), "changed": row.changed} for row in rows],
        "drifted": [row.key for row in comparison.drifted],
        "only_a": comparison.only_a,
        "only_b": comparison.only_b,
    }


def _as_text(comparison: Comparison, run_a: Path, run_b: Path, rows: list[Row], *, markdown: bool) -> str:
    header = ["Metric", "A", "B", "Δ", "Δ%", "Tolerance", "Drift"]
    body = [
        [row.key, _value(row.a), _value(row.b), _signed(row.delta), _percent(row.delta_percent), row.tolerance,
         ("**drift**" if markdown else "DRIFT") if row.drifted else ""]
        for row in rows
    ]
    lines = [f"A: {run_a}", f"B: {run_b}", ""]
    if markdown:
        lines = [f"A: `{run_a}`  ", f"B: `{run_b}`", ""]
    if body:
        lines += [*(_markdown_table(header, body) if markdown else _plain_table(header, body)), ""]
    missing = [(side, keys) for side, keys in (("A", comparison.only_a), ("B", comparison.only_b)) if keys]
    for side, keys in missing:
        lines.append(f"Only in {side} ({len(keys)}): " + ", ".join(keys) + ("  " if markdown else ""))
    if missing:
        lines.append("")
    drifted = comparison.drifted
    changed = len(comparison.changed)
    if not changed:
        lines.append(f"No key statistic differs ({len(comparison.rows)} compared).")
    else:
        lines.append(f"{changed} of {len(comparison.rows)} key statistics differ; "
                     + (f"{len(drifted)} beyond tolerance: {', '.join(row.key for row in drifted)}." if drifted
                        else "none beyond tolerance."))
    return "\n".join(lines)


def _plain_table(header: list[str], body: list[list[str]]) -> list[str]:
    widths = [max(len(line[i]) for line in [header, *body]) for i in range(len(header))]
    numeric = range(1, 5)

    def fmt(line: list[str]) -> str:
        cells = [cell.rjust(w) if i in numeric else cell.ljust(w) for i, (cell, w) in enumerate(zip(line, widths))]
        return "  ".join(cells).rstrip()

    return [fmt(header), "  ".join("-" * w for w in widths), *(fmt(line) for line in body)]


def _markdown_table(header: list[str], body: list[list[str]]) -> list[str]:
    def fmt(line: list[str]) -> str:
        return "| " + " | ".join(cell.replace("|", "\\|") for cell in line) + " |"

    return [fmt(header), "| --- | ---: | ---: | ---: | ---: | --- | --- |", *(fmt(line) for line in body)]


def _setting(value) -> str:
    return json.dumps(value) if isinstance(value, (list, tuple, dict)) or value is None else str(value)


def _value(value: float) -> str:
    if isinstance(value, int) or (float(value).is_integer() and abs(value) < 1e15):
        return str(int(value))
    return f"{value:.6g}"


def _signed(value: float) -> str:
    if value == 0:
        return "0"
    if isinstance(value, int) or (float(value).is_integer() and abs(value) < 1e15):
        return f"{int(value):+d}"
    return f"{value:+.4g}"


def _percent(value: float | None) -> str:
    if value is None:
        return "n/a"
    return "0 %" if value == 0 else f"{value:+.2f} %"

"""Results as files: what a notebook writes into its step's output folder and what others read.

Notebooks call `save_stats` and `save_figure`; templates and `compare` read only these files.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np

from report.errors import ReportError

STATS_FILE = "stats.json"


def jsonable(value):
    """Turn numpy scalars, arrays and tuples into JSON-native values (NaN becomes None)."""
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


def save_stats(output_dir: str | Path, stats: dict) -> dict:
    """Write stats.json (JSON-native, sorted keys) into the step's output folder; return what was written."""
    native = jsonable(stats)
    path = Path(output_dir) / STATS_FILE
    path.write_text(json.dumps(native, indent=2, sort_keys=True, allow_nan=False) + "\n", encoding="utf-8")
    return native


def save_figure(output_dir: str | Path, name: str, fig) -> str:
    """Save a Figure as `name` (PNG unless it ends in .svg) in the output folder; return the file name."""
    from report.figures import save_figure as write

    if "." not in name:
        name += ".png"
    write(fig, Path(output_dir) / name)
    return name


def load_stats(run_dir: str | Path, step: str) -> dict:
    """Read results/<step>/stats.json of a run."""
    path = Path(run_dir) / "results" / step / STATS_FILE
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ReportError(f"{path}: missing; build the step '{step}' first") from None
    except json.JSONDecodeError as err:
        raise ReportError(f"{path}: not valid JSON ({err.msg})") from None


def load_latents(path: str | Path) -> np.ndarray:
    """Latent vectors (M, N) float32, memory-mapped when the file allows."""
    from report.data.sources import load_zpoints

    return load_zpoints(path)


def component_columns(distributions: dict) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Means, stds and half widths of all components, as arrays, from the distributions stats."""
    components = distributions["components"]
    return tuple(np.array([c[key] for c in components], dtype=np.float64) for key in ("mean", "std", "half_width"))


def load_correlation(run_dir: str | Path) -> np.ndarray:
    """The Pearson matrix over all latent vectors that the correlations step saved."""
    return np.load(Path(run_dir) / "results" / "correlations" / "correlation.npy")

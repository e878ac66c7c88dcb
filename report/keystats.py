"""Key statistics of a run: the few numbers that say whether two runs tell the same story.

Each step declares its key statistics beside its results schema (`KEY_STATS` in
`report/results/<step>.py`, read from the typed record); this module collects them in step order and
holds what they share: the `KeyStat` definition, the tolerances, and the key-statistics file.

One definition per statistic, with its tolerance, serves three readers: each build writes
`results/key_stats.json` (flat keys such as "distributions.radius.mean", values numbers),
`latent-report compare` marks differences beyond the tolerance as drift, and the regression tests
in `tests/regression/` compare a fresh build with `expected/<variant>.json`.

A statistic the run does not have (training loss of a `zpoints` run, a slice that was not cut) is
absent, never null. Tolerances are `|new - expected| <= atol + rtol * |expected|` (numpy's
`isclose` with the expected value as reference). Relative ones of a few % cover TensorFlow's
CPU numerics on another machine for losses and radii; absolute ones cover counts where a point or
a pair may cross a threshold; sizes such as `z_dim` must match exactly. On the same machine the
same parameter file and seed give identical values.
"""

from __future__ import annotations

import fnmatch
import functools
import importlib
import json
import math
from collections.abc import Mapping
from pathlib import Path

from report.errors import ReportError

# The definition of a key statistic and the shared tolerances live in a module that imports nothing of
# the project, so that results modules can declare their statistics while this collector imports the
# step graph.
from report.results.key_stat import (  # noqa: F401 (re-exported)
    DECODE_FACE_SHARE_ATOL,
    FACE_SHARE_ATOL,
    PATH_FACE_SHARE_ATOL,
    KeyStat,
    _number,
)

KEY_STATS_FILE = "key_stats.json"

# The other tolerances, declared with each step's statistics, were set from measurements, not guessed:
# on `synthetic-faces`, turning oneDNN off or training on one thread (another CPU's arithmetic, as far
# as one machine can show it) moved the radius mean by up to 2.7 %, the centre by 3.8 %, the largest
# |mean| (a maximum over 256 components) by 13 %, the radius peak (the fullest of 80 histogram bins)
# by 15 %, the nearest point by 6.5 %, pair counts by up to 5.6 %, dominant components by 1 of 49 and
# the share farther than the origin by 0.025; each tolerance is about 1.5-2x that. Slice counts keep
# the points whose ~250 other components all lie within t of zero, so a 0.65 % change of t (a multiple
# of the median std) moved them by a factor of 2.7: they get a factor, not a difference. Another seed
# moves `tiny`'s statistics by 10-70 %.


@functools.cache
def declared() -> tuple[KeyStat, ...]:
    """Every step's KEY_STATS, in step order (the order of tables)."""
    from report.pipeline.steps import STEPS

    return tuple(stat for step in STEPS
                 for stat in getattr(importlib.import_module(step.results_module), "KEY_STATS", ()))


def __getattr__(name: str):
    if name == "KEY_STATS":  # collected on first use: the step modules import KeyStat from here
        return declared()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


EXACT = KeyStat("*", "")  # keys no definition knows (a file from an older or newer version) must match exactly


def definition(key: str) -> KeyStat:
    """The definition that covers a flat key; EXACT for an unknown key."""
    for stat in declared():
        if key == stat.key or ("*" in stat.key and fnmatch.fnmatchcase(key, stat.key)):
            return stat
    return EXACT


def _member(stat: KeyStat, key: str) -> str:
    prefix, suffix = stat.key.split("*")
    return key[len(prefix) : len(key) - len(suffix)]


def label(key: str) -> str:
    """Plain-English name of a flat key, e.g. "pairs with |r| above 0.3"."""
    stat = definition(key)
    if stat is EXACT:
        return key
    return stat.label.replace("*", _member(stat, key)) if "*" in stat.key else stat.label


def order(keys) -> list[str]:
    """Keys in table order: definition order, members of a family by number, unknown keys last."""
    stats = declared()
    position = {stat.key: i for i, stat in enumerate(stats)}

    def rank(key: str):
        stat = definition(key)
        member = _member(stat, key) if "*" in stat.key and stat is not EXACT else ""
        try:
            number = float(member)
        except ValueError:
            number = math.inf
        return position.get(stat.key, len(stats)), number, key

    return sorted(keys, key=rank)


def from_records(records: Mapping[str, object]) -> dict[str, float]:
    """Key statistics from the steps' typed records (by step name); absent steps add nothing."""
    values: dict[str, float] = {}
    for stat in declared():
        if records.get(stat.step) is not None:
            values.update(stat.values(records[stat.step]))
    return values


def compute(run_dir: Path) -> dict[str, float]:
    """Key statistics of a run, each step's `stats.json` read through its schema."""
    steps = {stat.step for stat in declared()}
    return from_records({step: _read_record(Path(run_dir) / "results" / step, step) for step in steps})


def _read_record(folder: Path, step: str):
    """A step's typed record; None when the step has none."""
    from report.pipeline.steps import STEPS_BY_NAME
    from report.results import STATS_FILE, read_results

    if not (folder / STATS_FILE).is_file():
        return None
    return read_results(folder, STEPS_BY_NAME[step].schema)


def dumps(values: dict[str, float]) -> str:
    """The text of a key-statistics file: one key per line, sorted, full precision."""
    return json.dumps(values, indent=1, sort_keys=True, allow_nan=False) + "\n"


def write(run_dir: Path) -> Path:
    """Write `results/key_stats.json` of a run and return its path (untouched when unchanged)."""
    path = Path(run_dir) / "results" / KEY_STATS_FILE
    text = dumps(compute(run_dir))
    if not path.is_file() or path.read_text(encoding="utf-8") != text:
        from report.pipeline.atomic import write_text  # through a temporary file: never half written

        write_text(path, text)
    return path


def load(path: Path) -> dict[str, float]:
    """Key statistics from a run folder (its results/key_stats.json) or from a key-stats JSON file.

    Raises:
        ReportError: One line naming the path when it is missing, holds no key statistics, or
            holds something other than a flat object of numbers.
    """
    path = Path(path)
    if path.is_dir():
        file = path / "results" / KEY_STATS_FILE
        if not file.is_file():
            raise ReportError(f"{path}: no results/{KEY_STATS_FILE} (not a run folder, or built before key statistics)")
    elif path.is_file():
        file = path
    else:
        raise ReportError(f"{path}: no such run folder")
    try:
        values = json.loads(file.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise ReportError(f"{file}: not valid JSON ({err})") from None
    if not isinstance(values, dict):
        raise ReportError(f"{file}: expected an object of key statistics")
    bad = [key for key, value in values.items() if _number(value) is None]
    if bad:
        raise ReportError(f"{file}: {bad[0]}: expected a finite number, got {values[bad[0]]!r}")
    return values

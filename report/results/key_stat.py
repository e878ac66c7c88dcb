"""What a key statistic is: its key, label, tolerance and how it is read from a step's typed record.

Each results module declares its `KEY_STATS` with `KeyStat`; `report.keystats` collects them. This module
imports nothing of the project, so results modules can use it while the collector imports the step graph.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class KeyStat:
    """One key statistic (or one family of them) and its tolerance.

    Attributes:
        key: Flat key "<step>.<path>"; a family such as "correlations.pairs_above.*" has one
            member per threshold or slice, its "*" filled in by `read`.
        label: Plain-English name for tables.
        rtol: Relative tolerance, a share of the expected value.
        atol: Absolute tolerance, in the statistic's unit.
        factor: If above 1, a multiplicative tolerance instead of rtol: the new value may lie
            between expected / factor and expected x factor (widened by atol), for counts that
            move by ratios rather than by differences.
        read: Takes the step's typed results record and returns a number (or, for a family, a
            dict from "*" to number); None when the run lacks it. Default: the dotted path of
            `key` after the step name (for a family, the dict at the path before "*").
        unit: How tables print the value: "%" for a share of 1 (printed as a percentage, its
            absolute tolerance in percentage points), "dB", or "" for a count or a plain number.
    """

    key: str
    label: str
    rtol: float = 0.0
    atol: float = 0.0
    read: Callable[[object], object] | None = None
    factor: float = 1.0
    unit: str = ""

    @property
    def step(self) -> str:
        return self.key.split(".", 1)[0]

    @property
    def path(self) -> str:
        return self.key.split(".", 1)[1]

    def values(self, record) -> dict[str, float]:
        """The flat key(s) and number(s) this definition takes from one step's typed record."""
        found = self.read(record) if self.read else _at(record, self.path.split("*")[0].rstrip("."))
        if "*" in self.key:
            if not isinstance(found, dict):
                return {}
            return {self.key.replace("*", str(name)): _number(v) for name, v in found.items() if _number(v) is not None}
        number = _number(found)
        return {} if number is None else {self.key: number}

    @property
    def tolerance_text(self) -> str:
        """The tolerance as tables show it: "±3 %", "±(2 + 3 %)", "±0.02", "×/÷2.5 ±5" or "exact"."""
        if self.factor > 1:
            return f"×/÷{self.factor:g}" + (f" ±{self.atol:g}" if self.atol else "")
        if self.atol and self.rtol:
            return f"±({self.atol:g} + {100 * self.rtol:g} %)"
        if self.atol:
            return f"±{self.atol:g}"
        return f"±{100 * self.rtol:g} %" if self.rtol else "exact"

    @property
    def tolerance_shown(self) -> str:
        """The tolerance in the unit the value is printed in: a share's ±0.06 reads "±6 points"."""
        if self.unit != "%" or not self.atol or self.factor > 1:
            return self.tolerance_text + (" dB" if self.unit == "dB" and self.atol and not self.rtol else "")
        points = f"{100 * self.atol:g}"
        return f"±({points} points + {100 * self.rtol:g} %)" if self.rtol else f"±{points} points"

    def within(self, expected: float, actual: float) -> bool:
        """True when `actual` lies within this statistic's tolerance of `expected`."""
        if self.factor > 1:
            low, high = sorted((expected / self.factor, expected * self.factor))
            return low - self.atol <= actual <= high + self.atol
        return abs(actual - expected) <= self.atol + self.rtol * abs(expected)


def _at(record, dotted: str):
    """The value at a dotted path of a typed record (attributes; keys inside a dict); None where absent."""
    value = record
    for part in dotted.split("."):
        value = value.get(part) if isinstance(value, Mapping) else getattr(value, part, None)
        if value is None:
            return None
    return value


def _number(value) -> float | int | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return value if math.isfinite(value) else None


# Face shares are shares of n judged images, so their sampling error alone is
# sqrt(p (1 - p) / n) <= 0.5 / sqrt(n): <= 0.023 for the 500 calibration images of the default,
# <= 0.022 for 500 judged decodes per b or f, <= 0.08 for the ~40 decodes of all paths. Measured
# with benchmarks/numerics_drift.py (a full `synthetic-faces` rebuild with oneDNN off against the
# usual one; the face rule then was manifold membership alone): calibration shares moved by up to
# 0.025, decode shares of 500 by up to 0.028, FDs by up to 18 % (N(0, I): x2.03), the face share of
# all path decodes by 0.17 and that of the scoreboard's 500 path points by 0.27 (a few paths, so
# few independent decodes), PSNR by 0.13 dB (epoch 8), snapshot pair counts by 4.8 %, the BIC-best
# mixture by one component. Each tolerance is at least 1.5x its measured move.
FACE_SHARE_ATOL = 0.06
DECODE_FACE_SHARE_ATOL = 0.08
PATH_FACE_SHARE_ATOL = 0.45

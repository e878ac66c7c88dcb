"""Post X (`pca_sampling`): vectors drawn in the principal frame, mapped back to z and decoded.

`PcaSamplingResults` is the step's stats.json; `findings` turns it into the judgements post X states.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar, Literal

from report.results import Record, StepResults
from report.results.statistical_points import Position, yardstick_position


class ShellSample(Record):
    """Vectors from one generator of the principal frame: a Mahalanobis shell, or N(0, lambda_k) on every axis."""

    name: str  # "shell-1", ... or "normal"
    kind: Literal["shell", "normal"]
    low: float | None  # shell bounds in units of sqrt(dof); None for the normal
    high: float | None
    r_low: float | None  # the same in Mahalanobis units
    r_high: float | None
    mahalanobis_mean: float
    distance_mean: float  # Euclidean distance from the centre
    data_share: float | None  # share of real z-points whose Mahalanobis distance lies in the shell
    figure: str | None = None
    nearest_image_distance: float | None = None
    pixel_spread: float | None = None
    pixel_spread_interval: tuple[float, float] | None = None  # interval of the decodes' mean contrast
    face_share: float | None = None  # share of the grid's decodes that count as faces


class PcaSamplingResults(StepResults):
    """The record of post X."""

    step: ClassVar[str] = "pca_sampling"

    n_points: int
    z_dim: int
    has_decoder: bool
    dof: int  # dimensions of the whitened frame (post VIII's regularisation)
    root_dof: float
    grid: tuple[int, int]
    n_vectors: int  # vectors per generator for the position statistics
    data_share_within_3: float  # share of real z-points within Mahalanobis distance 3 (the "3-sigma ellipsoid")
    expected_share_within_3: float  # the same for N(mu, Sigma): chi-square(dof) CDF at 9
    samples: list[ShellSample]
    n_reference_images: int | None = None


class PcaSamplingFindings(Record):
    """What post X states."""

    data_shell: ShellSample | None  # the shell holding the largest share of real z-points
    positions: dict[str, Position] | None = None  # generator name -> position against the yardstick
    level: list[str] | None = None  # generators whose decodes lie level with decoded real vectors
    figures: dict[str, int]


def findings(results: PcaSamplingResults, upstream: Mapping[str, StepResults]) -> PcaSamplingFindings:
    """The judgements of post X from its record."""
    shells = [s for s in results.samples if s.kind == "shell"]
    data_shell = max(shells, key=lambda s: s.data_share or 0.0) if shells else None
    figures, number = {}, 1
    for s in results.samples:
        if s.figure:
            figures[s.name] = number
            number += 1
    positions = level = None
    yardstick = getattr(upstream.get("statistical_points"), "real_nearest_image_distance", None)  # post V's, measured once
    if yardstick is not None:
        positions = {s.name: yardstick_position(s.nearest_image_distance, yardstick)
                     for s in results.samples if s.nearest_image_distance is not None}
        level = [name for name, position in positions.items() if position == "level"]
    return PcaSamplingFindings(data_shell=data_shell, positions=positions, level=level, figures=figures)

"""Post IX (`pca`): the cloud in the frame of its principal axes.

`PcaResults` is the step's stats.json (the names outside checks read: `eigenvalues`,
`explained_variance_ratio`, `components_for`); `findings` turns it into the judgements post IX states.
Where the origin lies is post IV's measurement (`origin_slices`), which post IX prints as it is.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import ClassVar, Literal

from report.results import Record, StepResults
from report.results.key_stat import KeyStat

UNCORRELATED_SIGMAS = 4.0  # |r| below 4 / sqrt(sample size), sampling noise: principal coordinates count as uncorrelated
FEW_AXES = 0.25  # 90 % of the variance in at most this share of the axes: the variance is concentrated
MOST_AXES = 0.8  # this share of the shown coordinates passing their test: "most" look normal


class Axis(Record):
    """One leading principal coordinate: its spread and shape, and the components that load most on it."""

    axis: int
    eigenvalue: float
    sd: float  # sqrt(eigenvalue)
    std: float  # of the coordinate over the sample (sqrt of the eigenvalue, up to sampling)
    skewness: float
    excess_kurtosis: float
    p_value: float  # D'Agostino-Pearson normality test on the sample (level: PcaResults.alpha)
    top_components: list[int]
    top_loadings: list[float]


class PcaResults(StepResults):
    """The record of post IX."""

    step: ClassVar[str] = "pca"

    n_points: int
    z_dim: int
    eigenvalues: list[float]  # all z_dim, descending
    explained_variance_ratio: list[float]
    components_for: dict[str, int]  # {"0.9": k, "0.99": k}
    n_regularised: int  # eigenvalues below post VIII's floor (numerically zero)
    axes: list[Axis]  # the leading coordinates shown as histograms
    sample_size: int  # z-points in the histograms, scatters and shape statistics
    max_abs_r: float  # largest |Pearson r| between two shown principal coordinates of the sample
    pairs: list[tuple[int, int]]
    origin_coordinates: list[float]  # where the origin falls in this frame (drawn in the scatter figure)
    alpha: float  # post VIII's significance level
    figures: dict[str, str]  # role -> file name: spectrum, histograms, scatter


# Eigenvalue shares move with the cloud as the radius does; counts of directions as the pair counts.
KEY_STATS = (
    KeyStat("pca.components_for.*", "principal directions for a * share of the variance", rtol=0.1, atol=2),
    KeyStat("pca.first_share", "variance share of the first principal direction", atol=0.03,
            read=lambda record: record.explained_variance_ratio[0] if record.explained_variance_ratio else None,
            unit="%"),
)


class PcaFindings(Record):
    """What post IX states."""

    k90: int
    k99: int
    concentrated: bool  # 90 % of the variance in at most FEW_AXES of the axes
    largest_share: float  # share of the first axis
    uncorrelated: bool
    shapes: Literal["all", "most", "some", "none"]  # shown coordinates whose normality test passes
    n_normal: int


def findings(results: PcaResults, upstream: Mapping[str, StepResults]) -> PcaFindings:
    """The judgements of post IX from its record."""
    k90, k99 = results.components_for.get("0.9"), results.components_for.get("0.99")
    if k90 is None or k99 is None:
        ordered = sorted(results.components_for.items(), key=lambda item: float(item[0]))
        k90, k99 = ordered[0][1], ordered[-1][1]
    normal = sum(a.p_value >= results.alpha for a in results.axes)
    n = len(results.axes)
    shapes = "all" if normal == n else "none" if normal == 0 else "most" if normal >= MOST_AXES * n else "some"
    return PcaFindings(
        k90=k90, k99=k99, concentrated=k90 <= FEW_AXES * results.z_dim,
        largest_share=results.explained_variance_ratio[0], uncorrelated=results.max_abs_r < UNCORRELATED_SIGMAS / math.sqrt(results.sample_size),
        shapes=shapes, n_normal=normal,
    )

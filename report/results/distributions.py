"""Step `distributions` (post II): the number distribution of every latent component, and radii.

The record holds per component its mean, standard deviation and half width (the full width at half
maximum, FWHM), the dominant components, and the lengths of the latent vectors against those of
vectors with independent components uniform in [-b, b]. The findings sort the dominant components
by why they stand out and judge how many components cover 0 and how narrow the band of fitting b is.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import ClassVar, Literal

import numpy as np

from report.results import Record, StepResults
from report.results.key_stat import KeyStat

NEARLY_ALL_SHARE = 0.9  # at least this share of components covering 0 is "nearly every component"
MOST_SHARE = 0.5  # at least this share (below NEARLY_ALL_SHARE) is "most components"
FIT_SHARE = 0.5  # a b fits if at least this share of its uniform vectors lies in the real length range
NARROW_BAND = 2  # at most this many fitting b (of those tried) make a narrow band
TABLE_ROWS = 40  # dominant components listed in post II's table


class Component(Record):
    """One latent component's number distribution."""

    index: int
    mean: float
    std: float  # ddof=0
    half_width: float | None  # full width at half maximum (FWHM); None if it could not be measured


class DominantRule(Record):
    """The rule that makes a component dominant, with this run's thresholds."""

    mean_factor: float
    width_factor: float
    median_half_width: float | None  # m, the median half width of all components
    mean_threshold: float | None  # dominant if |mean| >= mean_factor x m
    width_threshold: float | None  # or half width >= width_factor x m


class Extreme(Record):
    """The component with the largest value of a statistic."""

    index: int
    value: float | None


class Radius(Record):
    """Lengths ||z|| of the latent vectors."""

    mean: float
    std: float  # ddof=0
    peak: float  # centre of the fullest histogram bin


class UniformShell(Record):
    """Lengths of vectors with independent components uniform in [-b, b]."""

    b: float
    expected_mean: float  # b sqrt(N / 3)
    measured_mean: float
    measured_std: float
    share_in_data_range: float  # share inside the 1st to 99th percentile of the real lengths


class DistributionsResults(StepResults):
    """Post II's numbers: per-component distributions, dominant components, radii and uniform shells."""

    step: ClassVar[str] = "distributions"

    n_points: int  # latent vectors analysed
    z_dim: int  # components per vector, N
    bin_width: float  # bin width of the histograms shown
    half_width_bin: float  # bin width the half widths were measured on (at most bin_width)
    components: list[Component]  # one per component, in index order
    dominant: list[int]  # indices of the dominant components, ascending
    dominant_figure_components: list[int]  # components drawn apart in the second figure
    highlighted_components: list[int]  # dominant components drawn in colour in the first figure
    dominant_rule: DominantRule
    median_std: float  # median standard deviation of all components
    max_abs_mean: Extreme  # the component farthest off 0, with its (signed) mean
    max_half_width: Extreme  # the widest component, with its half width
    share_covering_origin: float  # share of components with |mean| <= half width / 2
    radius: Radius
    centre_radius: float  # length of the vector of all means, c
    uniform: list[UniformShell]  # one per tried b, in the order of analysis.distributions.uniform_b
    matching_b: float  # the b with b sqrt(N / 3) = radius.mean
    closest_b: float  # the tried b whose measured mean length is nearest radius.mean

    def columns(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Means, standard deviations and half widths of all components, each of shape (z_dim,)."""
        return component_columns(self.components)


KEY_STATS = (
    KeyStat("distributions.n_points", "latent vectors analysed"),
    KeyStat("distributions.z_dim", "latent dimension z_dim"),
    KeyStat("distributions.radius.mean", "radius mean (length of a latent vector)", rtol=0.05),
    KeyStat("distributions.radius.std", "radius standard deviation", rtol=0.05),
    KeyStat("distributions.radius.peak", "radius at the histogram's peak", rtol=0.25),
    KeyStat("distributions.centre_radius", "distance of the centre of the cloud from the origin", rtol=0.08),
    KeyStat("distributions.matching_b", "half width b of the uniform cube whose radii match the data's mean",
            rtol=0.05),
    KeyStat("distributions.n_dominant", "dominant components (wide distributions)", rtol=0.1, atol=2,
            read=lambda record: len(record.dominant)),
    # The sign of a latent axis is arbitrary; its distance from zero is what post II reports.
    KeyStat("distributions.max_abs_mean", "largest |mean| of one component", rtol=0.3,
            read=lambda record: abs(record.max_abs_mean.value)),
    KeyStat("distributions.max_half_width.value", "largest half width of a component's distribution", rtol=0.08),
    KeyStat("distributions.dominant_rule.median_half_width", "median half width of the components' distributions",
            rtol=0.05),
    KeyStat("distributions.median_std", "median standard deviation of a component", rtol=0.05),
)


def component_columns(components: Sequence[Component]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Means, standard deviations and half widths of components as float64 arrays (NaN for a missing width)."""
    return tuple(
        np.array([np.nan if getattr(c, key) is None else getattr(c, key) for c in components], dtype=np.float64)
        for key in ("mean", "std", "half_width")
    )


class DominantRow(Component):
    """A dominant component, with the reasons it is dominant (it can be both)."""

    by_mean: bool  # |mean| >= the mean threshold
    by_width: bool  # half width >= the width threshold


class DistributionsFindings(Record):
    """What post II says about the distributions of this run."""

    finer_width_bins: bool  # half widths measured on finer bins than the histograms shown
    origin_coverage: Literal["nearly_all", "most", "few"]  # how many components have 0 inside their half maximum
    dominant_rows: list[DominantRow]  # every dominant component, ascending index
    table_rows: list[DominantRow]  # the ones post II's table lists (the first TABLE_ROWS)
    table_cut: bool  # the table lists fewer than all dominant components
    n_by_mean: int  # dominant by their mean
    n_above: int  # of those, centred above 0
    n_below: int  # ... and below 0
    n_by_width: int  # dominant by their width
    offset_sides: Literal["both", "above", "below", "none"]  # where the off-centre means lie
    dominant_figure: Literal["widest_dominant", "all_dominant", "widest"]  # what the second figure shows
    n_rest: int  # components that are not dominant
    rest: Literal["none", "one", "several"]
    cloud: Literal["offset", "stretched", "alike"]  # the region's shape by its components
    closest: UniformShell  # the tried shell nearest the real mean length
    fitting: list[UniformShell]  # tried b with at least FIT_SHARE of the vectors in the real range
    touching: list[UniformShell]  # tried b with any vector in the real range
    edge: list[UniformShell]  # touching, but short of FIT_SHARE
    b_band: Literal["none", "narrow", "wide"]  # how many tried b fit: none, at most NARROW_BAND, more
    matching_outside: bool  # the matching b lies outside the tried range of b


def dominant_rows(results: DistributionsResults) -> list[DominantRow]:
    """The dominant components, each marked by the threshold(s) it passes."""
    rule = results.dominant_rule
    dominant = set(results.dominant)
    rows = []
    for c in results.components:
        if c.index not in dominant:
            continue
        by_mean = rule.mean_threshold is not None and abs(c.mean) >= rule.mean_threshold
        by_width = None not in (rule.width_threshold, c.half_width) and c.half_width >= rule.width_threshold
        rows.append(DominantRow(**c.model_dump(), by_mean=by_mean, by_width=by_width))
    return rows


def origin_coverage(share: float) -> Literal["nearly_all", "most", "few"]:
    """How many components have the value 0 inside their half-maximum range."""
    if share >= NEARLY_ALL_SHARE:
        return "nearly_all"
    if share >= MOST_SHARE:
        return "most"
    return "few"


def offset_sides(n_above: int, n_below: int) -> Literal["both", "above", "below", "none"]:
    """On which sides of 0 the means of the components dominant by their mean lie."""
    if n_above and n_below:
        return "both"
    if n_above:
        return "above"
    if n_below:
        return "below"
    return "none"


def dominant_figure(dominant: Sequence[int],
                    shown: Sequence[int]) -> Literal["widest_dominant", "all_dominant", "widest"]:
    """What the figure of components drawn apart shows: some or all dominant ones, or the widest of all."""
    if not dominant:
        return "widest"
    return "widest_dominant" if len(shown) < len(dominant) else "all_dominant"


def b_band(n_fitting: int) -> Literal["none", "narrow", "wide"]:
    """How wide the band of tried b is whose uniform lengths fall into the real range."""
    if n_fitting == 0:
        return "none"
    return "narrow" if n_fitting <= NARROW_BAND else "wide"


def cloud_shape(has_dominant: bool, has_offsets: bool) -> Literal["offset", "stretched", "alike"]:
    """The region the z-points fill: moved off the origin by some components, only stretched, or alike."""
    if has_dominant and has_offsets:
        return "offset"
    return "stretched" if has_dominant else "alike"


def findings(results: DistributionsResults, upstream: Mapping[str, StepResults]) -> DistributionsFindings:
    """The judgements post II states, from the distributions record alone."""
    rows = dominant_rows(results)
    n_above = sum(1 for r in rows if r.by_mean and r.mean > 0)
    n_below = sum(1 for r in rows if r.by_mean and r.mean < 0)
    n_by_mean = sum(1 for r in rows if r.by_mean)
    fitting = [u for u in results.uniform if u.share_in_data_range >= FIT_SHARE]
    touching = [u for u in results.uniform if u.share_in_data_range > 0]
    tried = [u.b for u in results.uniform]
    n_rest = results.z_dim - len(results.dominant)
    return DistributionsFindings(
        finer_width_bins=results.half_width_bin < results.bin_width,
        origin_coverage=origin_coverage(results.share_covering_origin),
        dominant_rows=rows,
        table_rows=rows[:TABLE_ROWS],
        table_cut=len(rows) > TABLE_ROWS,
        n_by_mean=n_by_mean,
        n_above=n_above,
        n_below=n_below,
        n_by_width=sum(1 for r in rows if r.by_width),
        offset_sides=offset_sides(n_above, n_below),
        dominant_figure=dominant_figure(results.dominant, results.dominant_figure_components),
        n_rest=n_rest,
        rest="none" if n_rest == 0 else "one" if n_rest == 1 else "several",
        cloud=cloud_shape(bool(results.dominant), n_by_mean > 0),
        closest=next(u for u in results.uniform if u.b == results.closest_b),
        fitting=fitting,
        touching=touching,
        edge=[u for u in touching if u.share_in_data_range < FIT_SHARE],
        b_band=b_band(len(fitting)),
        matching_outside=not (tried[0] <= results.matching_b <= tried[-1]),
    )

"""Post IV, step `origin_slices`: the results record of the surroundings of the origin, and its findings.

The record (`results/origin_slices/stats.json`) holds where the origin lies relative to the cloud
of z-points (plain and Mahalanobis distance from the centre) and, for a few planes of two
components, how many z-points and uniform vectors a thin slab around that plane keeps. The
findings turn these numbers into post IV's judgements: nearly empty slices or not; more or fewer
points than independent Gaussians would leave. The origin's place (`MahalanobisPosition.verdict`,
chosen in the notebook by `stats.origin.origin_verdict` with the thresholds of
`analysis.origin_slices`) is the one every post that says where the origin lies prints.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import ClassVar, Literal

from report import original as published
from report.results import Record, Regularisation, StepResults
from report.results.key_stat import KeyStat
from report.results.verdicts import ProjectionVerdict, origin_at_border, projection_verdict

OUTER_SHARE = 0.5  # fewer than this share farther out: the origin is in the outer part of the cloud
CORE_SHARE = 0.95  # more than this share farther out: the origin is nearer the centre than almost every point
NEARLY_EMPTY_SHARE = 0.02  # a slice keeping at most this share of the z-points is "nearly empty"
YARDSTICK_MORE = 2.0  # a slice keeping more than this x the independent-Gaussian share holds "more"
YARDSTICK_FEWER = 0.5  # ... less than this x that share holds "far fewer"
SCIENTIFIC_BELOW = 1e-4  # shares below this (but above 0) print as 1.2e-05 rather than 0.00 %
FIGURES_PER_SLICE = 4  # overview, zoom, slice of the sample, slice of all points


Place = Literal["core", "inside", "outer", "border", "beyond"]  # stats.origin.VERDICTS


class MahalanobisPosition(Record):
    """The origin's position once the cloud's shape counts (distances in units of the spread per direction).

    Posts I, IV, VI and IX state the origin's place from this record alone (`stats.origin.origin_place`).
    """

    origin: float  # the origin's distance from the centre
    data_mean: float  # the z-points' mean distance
    data_std: float  # ... their standard deviation
    data_upper: float  # ... their upper_percentile (the extent of the cloud the posts use)
    upper_percentile: float  # e.g. 99: that share of the z-points lies within data_upper
    data_max: float  # the z-points' largest distance
    share_farther: float  # share of z-points farther from the centre than the origin
    rank: int  # directions with non-negligible variance
    axis: int  # the principal axis (0 = first) along which the origin lies farthest out in standard deviations
    axis_sigmas: float  # the origin's signed coordinate along it, in standard deviations
    axis_share_farther: float  # share of z-points farther out than the origin along that axis alone
    verdict: Place  # stats.origin.origin_verdict of share_farther with the thresholds below
    border_share: float  # the thresholds of the verdict (analysis.origin_slices.origin_*_share)
    outer_share: float
    core_share: float
    far_sigmas: float  # beyond this many standard deviations along one axis the origin is "far out" along it


class OriginPosition(Record):
    """Where the origin lies relative to the cloud of z-points."""

    origin_distance: float  # ||c||, c the vector of component means
    share_farther: float  # share of z-points farther from c than the origin
    nearest_point_radius: float  # the smallest ||z|| of any z-point
    data_distance_mean: float  # mean Euclidean distance of all z-points from c
    mahalanobis: MahalanobisPosition | None = None


class SliceCounts(Record):
    """One slice |z_k| <= t for every k outside the pair: the z-points and uniform vectors it keeps."""

    pair: tuple[int, int]  # the two free components (i, j)
    t: float  # slice half width
    sample_size: int  # z-points of the random sample
    sample_kept: int  # ... inside the slice
    n_points: int  # all z-points
    all_kept: int  # ... inside the slice
    n_uniform: int  # uniform vectors
    uniform_kept: int  # ... inside the slice
    expected_independent: float  # share kept by independent Gaussians centred at 0 with the measured stds
    expected_independent_shifted: float  # ... centred at the measured means
    pair_r: float | None  # Pearson r of the pair (None for a constant component)

    @property
    def i(self) -> int:
        return self.pair[0]

    @property
    def j(self) -> int:
        return self.pair[1]

    @property
    def kept_share(self) -> float:
        """Share of all z-points inside the slice."""
        return self.all_kept / self.n_points


class PlaneSight(Record):
    """The principal direction a plane mostly sees (0 = first) and its share of the plane's variance."""

    sees_axis: int
    sees_share: float


class MisleadingPlane(PlaneSight):
    """A plane of two non-dominant components, chosen for principal direction `axis`, with the slice's uniform vectors."""

    i: int
    j: int
    axis: int
    r: float
    in_view: float  # share of the uniform vectors' projections inside the central 98 % box of the z-points
    nearest_ratio: float  # their median distance to the nearest z-point / the z-points' median nearest-neighbour distance
    n_uniform: int
    all_kept: int  # z-points in the slice around this plane


class OriginSlicesResults(StepResults):
    """The origin's position relative to the cloud, and slices through it for a few component planes."""

    step: ClassVar[str] = "origin_slices"

    n_points: int  # latent vectors
    z_dim: int  # components
    pairs: list[tuple[int, int]]  # the planes (i, j)
    pairs_from_parameters: bool  # False: chosen as the strongest pairs among the dominant components
    slice_half_width: float  # t
    slice_half_width_from_parameters: bool  # False: t = slice_half_width_stds x median_std
    slice_half_width_stds: float
    median_std: float  # median standard deviation of the components (post II)
    uniform_b: float  # half width of the uniform vectors
    uniform_b_from_parameters: bool  # False: post II's matching b
    n_uniform: int  # uniform vectors tested against each slice
    n_overview_uniform: int  # uniform vectors drawn in the overview projections (parameter)
    sample_size: int  # z-points drawn in the projections and the sampled slice counts
    zoom: float  # the zoomed projections show +/- zoom x t (parameter)
    zoom_half_width: float  # zoom x t
    origin: OriginPosition
    slices: list[SliceCounts]  # one per pair, in the same order
    sights: list[PlaneSight] = []  # one per pair: the principal direction its plane mostly sees
    plane_candidates: int = 8  # components tried per principal direction (parameter)
    pairs_requested: int | None = None  # n_pairs (parameter)
    planes_tried: int = 0  # planes tried by the rule before distinct counts were kept (0: pairs given)
    first_axis_share: float | None = None  # variance share of the first principal direction
    misleading: list[MisleadingPlane] = []  # planes of non-dominant components where projection misleads
    regularisation: Regularisation | None = None  # of its Mahalanobis distances (None in older records)


def _per_slice(field: str) -> Callable[[OriginSlicesResults], dict]:
    """Per slice (numbered from 1) one count of its record."""
    return lambda record: {number: getattr(s, field) for number, s in enumerate(record.slices, start=1)}


KEY_STATS = (
    KeyStat("origin_slices.origin.share_farther", "share of points farther from the centre than the origin",
            atol=0.05, unit="%"),
    KeyStat("origin_slices.origin.nearest_point_radius", "radius of the point nearest the origin", rtol=0.15),
    KeyStat("origin_slices.origin.mahalanobis.share_farther",
            "share of points farther from the centre than the origin, in Mahalanobis units", atol=0.05,
            unit="%"),
    KeyStat("origin_slices.origin.mahalanobis.origin", "Mahalanobis distance of the origin from the centre",
            factor=2),  # set by the cloud's thinnest directions, which a few ulps can move
    KeyStat("origin_slices.slice_*.all_kept", "data points kept by slice *", factor=4, atol=5,
            read=_per_slice("all_kept")),
    KeyStat("origin_slices.slice_*.sample_kept", "sampled data points kept by slice *", factor=4, atol=5,
            read=_per_slice("sample_kept")),
    KeyStat("origin_slices.slice_*.uniform_kept", "uniform vectors kept by slice *", factor=4, atol=5,
            read=_per_slice("uniform_kept")),
)


class SliceFinding(Record):
    """What the post prints about one slice."""

    number: int  # 1, 2, ...: names its figures pair-<number>-*.png
    figure_overview: int  # figure numbers of its four pictures
    figure_zoom: int
    figure_slice_sample: int
    figure_slice_all: int
    kept_share: float  # share of all z-points inside it
    kept_share_scientific: bool  # print kept_share as 1.2e-05
    expected_scientific: bool  # print expected_independent as 1.2e-05
    nearly_empty: bool  # at most NEARLY_EMPTY_SHARE of the z-points remain
    all_uniform_kept: bool  # every uniform vector lies inside


class OriginalRow(Record):
    """One row of Table 2: the original's slice beside this run's slice of the same rank."""

    original_pair: str
    original_sample: str
    original_all: str
    pair: str
    sample_kept: int | None
    all_kept: int | None


class MisleadingFinding(Record):
    """What the post says under one figure of a non-dominant plane."""

    figure: int
    sees: int  # the principal direction (1 = first) the plane mostly sees
    verdict: ProjectionVerdict


class OriginSlicesFindings(Record):
    """What post IV says about the surroundings of the origin."""

    plain_position: Literal["border", "outer", "typical", "core"]  # by plain distance from the centre
    shape_position: Place | None  # the origin's place (the record's verdict, by Mahalanobis distance)
    at_border: bool  # the origin's place is at or beyond the border (by plain distance without a Mahalanobis record)
    border_needs_shape: bool  # only the Mahalanobis distance puts the origin at the border
    shape_border: bool  # the Mahalanobis distance puts the origin at or beyond the border
    plain_disagrees: bool  # plain distance puts the origin at the border, the cloud's shape inside it
    far_along_axis: bool  # inside the cloud by Mahalanobis distance, yet beyond far_sigmas along one principal axis
    root_rank: float | None  # sqrt(dimensions): about where a typical z-point lies in Mahalanobis units
    slab_dims: int  # dimensions in which a slice is thin
    uniform_inside_slab: bool  # b <= t: every uniform vector lies in every slice
    nearly_empty_share: float  # the share a "nearly empty" slice keeps at most
    n_empty_slices: int
    emptiness: Literal["all", "some", "none"]  # how many slices are nearly empty
    all_uniform_in: bool  # every uniform vector lies in every slice
    yardstick: Literal["more", "fewer", "similar"] | None  # first slice against independent Gaussians
    slices: list[SliceFinding]  # one per slice, in order
    adapted_scale: bool  # t or b is derived from this run's scale, not given
    conclusion: Literal["border_empty", "border", "core", "empty_not_border", "neither"]
    directions: list[int]  # per slice, the principal direction (1 = first) its plane mostly sees
    distinct_counts: bool  # no two slices keep the same number of z-points
    fewer_planes: bool  # the rule left fewer planes than requested (the others repeat a count)
    misleading: list[MisleadingFinding]
    original_rows: list[OriginalRow]


def plain_position(share_farther: float) -> str:
    """The origin's place by plain distance from the centre, from the share of points farther out."""
    if origin_at_border(share_farther):
        return "border"
    if share_farther < OUTER_SHARE:
        return "outer"
    return "typical" if share_farther <= CORE_SHARE else "core"


def shape_position(mahalanobis: MahalanobisPosition | None) -> str | None:
    """The origin's place once the cloud's shape counts (the recorded verdict); None without a Mahalanobis record."""
    return None if mahalanobis is None else mahalanobis.verdict


def far_along_axis(mahalanobis: MahalanobisPosition | None) -> bool:
    """Inside the cloud by Mahalanobis distance, yet farther than `far_sigmas` out along one principal axis."""
    return (mahalanobis is not None and mahalanobis.verdict not in ("border", "beyond")
            and abs(mahalanobis.axis_sigmas) > mahalanobis.far_sigmas)


def yardstick(first: SliceCounts | None) -> str | None:
    """The share a slice keeps against independent Gaussians centred at 0 (more, fewer, similar)."""
    if first is None:
        return None
    if first.kept_share > YARDSTICK_MORE * first.expected_independent:
        return "more"
    if first.kept_share < YARDSTICK_FEWER * first.expected_independent:
        return "fewer"
    return "similar"


def scientific(share: float) -> bool:
    """Whether a share is too small for a percentage with two decimals (0 is not)."""
    return share != 0 and not share >= SCIENTIFIC_BELOW


def slice_finding(number: int, counts: SliceCounts) -> SliceFinding:
    first = (number - 1) * FIGURES_PER_SLICE
    return SliceFinding(
        number=number,
        figure_overview=first + 1,
        figure_zoom=first + 2,
        figure_slice_sample=first + 3,
        figure_slice_all=first + 4,
        kept_share=counts.kept_share,
        kept_share_scientific=scientific(counts.kept_share),
        expected_scientific=scientific(counts.expected_independent),
        nearly_empty=counts.all_kept <= NEARLY_EMPTY_SHARE * counts.n_points,
        all_uniform_kept=counts.uniform_kept == counts.n_uniform,
    )


def emptiness(n_empty: int, n_slices: int) -> str:
    """All, some or none of the slices are nearly empty."""
    if n_empty == n_slices:
        return "all"
    return "some" if n_empty else "none"


def conclusion(at_border: bool, n_empty: int, n_slices: int, shape: str | None) -> str:
    """The closing judgement: border and empty slices as in the original, or how this run differs."""
    if at_border:
        return "border_empty" if n_empty == n_slices else "border"
    if shape == "core":
        return "core"
    return "empty_not_border" if n_empty else "neither"


def original_rows(slices: list[SliceCounts]) -> list[OriginalRow]:
    """The original's published slices beside this run's, rank by rank."""
    rows = []
    for n in range(max(len(slices), len(published.SLICES))):
        pair, sample, whole = published.SLICES[n] if n < len(published.SLICES) else ("", "", "")
        own = slices[n] if n < len(slices) else None
        rows.append(OriginalRow(original_pair=pair, original_sample=sample or "–", original_all=whole or "–",
                                pair=f"({own.i}, {own.j})" if own else "", sample_kept=own.sample_kept if own else None,
                                all_kept=own.all_kept if own else None))
    return rows


def findings(results: OriginSlicesResults, upstream: Mapping[str, StepResults]) -> OriginSlicesFindings:
    """The judgements of post IV from the origin_slices record."""
    position = results.origin
    mahalanobis = position.mahalanobis
    shape = shape_position(mahalanobis)
    shape_border = shape in ("beyond", "border")
    plain = plain_position(position.share_farther)
    # one place for the origin: the cloud's shape decides; plain distance only where no covariance was measured
    at_border = shape_border if shape is not None else plain == "border"
    slices = [slice_finding(number, counts) for number, counts in enumerate(results.slices, start=1)]
    n_empty = sum(s.nearly_empty for s in slices)
    return OriginSlicesFindings(
        plain_position=plain,
        shape_position=shape,
        at_border=at_border,
        border_needs_shape=plain != "border",
        shape_border=shape_border,
        plain_disagrees=shape is not None and plain == "border" and not shape_border,
        far_along_axis=far_along_axis(mahalanobis),
        root_rank=math.sqrt(mahalanobis.rank) if mahalanobis is not None else None,
        slab_dims=results.z_dim - 2,
        uniform_inside_slab=results.uniform_b <= results.slice_half_width,
        nearly_empty_share=NEARLY_EMPTY_SHARE,
        n_empty_slices=n_empty,
        emptiness=emptiness(n_empty, len(slices)),
        all_uniform_in=all(s.all_uniform_kept for s in slices),
        yardstick=yardstick(results.slices[0] if results.slices else None),
        slices=slices,
        adapted_scale=not results.slice_half_width_from_parameters or not results.uniform_b_from_parameters,
        conclusion=conclusion(at_border, n_empty, len(slices), shape),
        directions=[sight.sees_axis + 1 for sight in results.sights],
        fewer_planes=(not results.pairs_from_parameters and results.pairs_requested is not None
                      and len(results.pairs) < results.pairs_requested),
        distinct_counts=len({s.all_kept for s in results.slices}) == len(results.slices),
        original_rows=original_rows(results.slices),
        misleading=[MisleadingFinding(figure=len(slices) * FIGURES_PER_SLICE + number, sees=plane.sees_axis + 1,
                                      verdict=projection_verdict(plane.in_view, plane.nearest_ratio))
                    for number, plane in enumerate(results.misleading, start=1)],
    )

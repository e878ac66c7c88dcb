"""Post VII (`intervals`): every component drawn uniformly from its own interval mu_j +/- f w_j.

`IntervalsResults` is the step's stats.json; `findings` turns it, with the records of posts IV and
V, into the judgements post VII states.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import ClassVar, Literal

from report.results import Record, Regularisation, StepResults
from report.results.face_measure import FaceCount, Verdict, verdict
from report.results.key_stat import DECODE_FACE_SHARE_ATOL, KeyStat
from report.results.statistical_points import (
    ABOVE_YARDSTICK,
    BELOW_YARDSTICK,
    Position,
    coverage,
    trend,
    yardstick_position,
)

ALL_INSIDE_SHARE = 0.999  # share of drawn components inside the data's ranges that counts as all of them
SPREAD_MATCH_TOLERANCE = 0.1  # an f this close to the spread-matching f counts as "close to" it
FWHM_PER_STD = 2 * math.sqrt(2 * math.log(2))  # full width at half maximum of a Gaussian, in standard deviations
UNIFORM_STD_PER_HALF_WIDTH = 1 / math.sqrt(3)  # std of a uniform value on mu +/- a, in units of a
P99_SHARE = 0.99  # data_mahalanobis_p99 is the 99th percentile: this share of real z-points lies within it


FACE_TREND = 0.1  # the face share must change by this much from the narrowest to the widest f to count as a trend


class IntervalGrid(Record):
    """One factor f: where its vectors lie and, with a decoder, how their decodes score."""

    factor: float
    distance_mean: float  # mean Euclidean distance from c
    scaled_distance_mean: float  # mean distance from c in units of each component's std
    mahalanobis_mean: float
    share_inside_ranges: float  # share of drawn components inside the data's [min, max] of that component
    figure: str | None  # decoded grid; None without a decoder
    nearest_image_distance: float | None = None
    pixel_spread: float | None = None
    pixel_spread_interval: tuple[float, float] | None = None  # interval of the grid's mean contrast
    faces: FaceCount | None = None  # the grid's decodes that count as faces (face_measure); None without
    face_share: float | None = None  # share of faces among n_scored decodes of this f (the grid's first)
    n_scored: int | None = None


class Individuals(Record):
    """Single vectors picked evenly along the ranking of all grid vectors by distance from c."""

    distances: list[float]
    figure: str | None
    nearest_image_distance: list[float] | None = None
    pixel_spread: list[float] | None = None
    faces: FaceCount | None = None  # which single decodes count as faces


class IntervalsResults(StepResults):
    """The record of post VII."""

    step: ClassVar[str] = "intervals"

    n_points: int
    z_dim: int
    has_decoder: bool
    width: Literal["fwhm", "hwhm"]  # w_j is post II's half_width (FWHM) or half of it (HWHM)
    factors: list[float]
    grid: tuple[int, int]  # rows, columns: vectors per f = rows x columns
    data_distance_mean: float  # mean Euclidean distance of sampled real z-points from c
    data_scaled_distance_mean: float
    data_mahalanobis_mean: float
    data_mahalanobis_p99: float
    grids: list[IntervalGrid]
    individuals: Individuals
    n_data_sample: int | None = None  # real z-points sampled for the data_* statistics
    n_reference_images: int | None = None  # training images the nearest-image distances search
    regularisation: Regularisation | None = None  # of its Mahalanobis distances (None in older records)


def _widest_grid(field: str) -> Callable[[IntervalsResults], object]:
    """One number of the grid with the largest factor f."""
    return lambda record: getattr(max(record.grids, key=lambda g: g.factor), field) if record.grids else None


KEY_STATS = (
    KeyStat("intervals.widest.share_inside_ranges",
            "share of interval vectors' components inside the data's ranges (widest factor)", atol=0.02,
            read=_widest_grid("share_inside_ranges"), unit="%"),
    KeyStat("intervals.widest.face_share", "face share of interval decodes (widest factor)",
            atol=DECODE_FACE_SHARE_ATOL, read=_widest_grid("face_share"), unit="%"),
    KeyStat("intervals.data_distance_mean", "mean distance of the data from the centre", rtol=0.05),
)


class IntervalsFindings(Record):
    """What post VII states about the interval vectors."""

    n_shown: int  # vectors per f
    n_pool: int  # vectors of all grids together
    data_share: float = P99_SHARE  # the thresholds, for the prose
    above_margin: float = ABOVE_YARDSTICK - 1
    below_margin: float = 1 - BELOW_YARDSTICK
    first: IntervalGrid  # smallest f
    last: IntervalGrid  # largest f
    individuals_figure: int  # figure number of the single decodes
    std_per_width: float  # a Gaussian component's width w_j in standard deviations
    spread_matching_factor: float  # the f at which a uniform component gets the data's spread
    root_n: float  # sqrt(N), the sigma-scaled distance typical of real z-points
    cloud_exit: Literal["all", "wide", "none"]  # which grids lie beyond the data's 99th Mahalanobis percentile
    beyond_data: Literal["all", "some", "none"]  # grids farther from c than real z-points on average
    first_beyond: IntervalGrid | None  # the first grid farther out than the data
    past_root: IntervalGrid | None  # the first grid whose sigma-scaled distance passes sqrt(N)
    past_root_near_spread_match: bool
    all_inside: Literal["all", "some", "none"]  # grids keeping all components inside the data's ranges
    last_all_inside: IntervalGrid | None
    origin_mahalanobis_data_mean: float | None = None  # post IV: real z-points' mean Mahalanobis distance
    # with a decoder and post V's yardstick (None otherwise):
    yardstick: float | None = None
    above: Literal["all", "some", "none"] | None = None  # grids clearly above the yardstick
    first_above: IntervalGrid | None = None
    uniform_above: list[float] | None = None  # post V's b values whose decodes lay clearly above it
    below: list[float] | None = None  # factors whose decodes lie clearly below it
    distance_trend: Literal["grows", "flat"] | None = None  # None with a single f
    last_position: Position | None = None
    individuals_farther: bool | None = None  # the farthest single vector decodes clearly farther from the data
    # with the face measure (None without):
    verdicts: list[Verdict] | None = None  # per grid: none, few, some, most or all of it count as faces
    individuals_verdict: Verdict | None = None
    face_trend: Literal["falls", "grows", "flat"] | None = None  # face share from the narrowest to the widest f


def spread_matching_factor(width: str) -> float:
    """The f at which mu +/- f w has the std of a Gaussian component whose FWHM (or HWHM) is w."""
    std_per_width = FWHM_PER_STD if width == "fwhm" else FWHM_PER_STD / 2
    return 1 / (UNIFORM_STD_PER_HALF_WIDTH * std_per_width)


def _decode_findings(results: IntervalsResults, yardstick: float, upstream: Mapping[str, StepResults]) -> dict:
    grids = results.grids
    positions = [yardstick_position(g.nearest_image_distance, yardstick) for g in grids]
    above = [g for g, position in zip(grids, positions) if position == "above"]
    points = upstream.get("statistical_points")
    batches = getattr(points, "batches", None) or []
    individual = results.individuals.nearest_image_distance
    return dict(
        yardstick=yardstick,
        above=coverage(len(above), len(grids)),
        first_above=above[0] if above else None,
        uniform_above=[b.b for b in batches if b.nearest_image_distance is not None
                       and yardstick_position(b.nearest_image_distance, yardstick) == "above"],
        below=[g.factor for g, position in zip(grids, positions) if position == "below"],
        distance_trend=trend(grids[0].nearest_image_distance, grids[-1].nearest_image_distance)
        if len(grids) > 1 else None,
        last_position=positions[-1],
        individuals_farther=trend(individual[0], individual[-1]) == "grows" if individual else None,
    )


def findings(results: IntervalsResults, upstream: Mapping[str, StepResults]) -> IntervalsFindings:
    """The judgements of post VII from its record and those of posts IV and V."""
    grids = results.grids
    # the cloud's extent and spread are post IV's, measured once on all z-points
    origin = getattr(upstream.get("origin_slices"), "origin", None)
    mahalanobis = getattr(origin, "mahalanobis", None)
    p99 = mahalanobis.data_upper if mahalanobis is not None else results.data_mahalanobis_p99
    data_distance = origin.data_distance_mean if origin is not None else results.data_distance_mean
    beyond = [g for g in grids if g.distance_mean > data_distance]
    root_n = math.sqrt(results.z_dim)
    past_root = next((g for g in grids if g.scaled_distance_mean > root_n), None)
    matching_f = spread_matching_factor(results.width)
    inside = [g for g in grids if g.share_inside_ranges >= ALL_INSIDE_SHARE]
    if grids[0].mahalanobis_mean > p99:
        cloud_exit = "all"
    elif grids[-1].mahalanobis_mean > p99:
        cloud_exit = "wide"
    else:
        cloud_exit = "none"
    values = dict(
        n_shown=results.grid[0] * results.grid[1],
        n_pool=len(grids) * results.grid[0] * results.grid[1],
        first=grids[0],
        last=grids[-1],
        individuals_figure=len(grids) + 1,
        std_per_width=FWHM_PER_STD if results.width == "fwhm" else FWHM_PER_STD / 2,
        spread_matching_factor=matching_f,
        root_n=root_n,
        cloud_exit=cloud_exit,
        beyond_data=coverage(len(beyond), len(grids)),
        first_beyond=beyond[0] if beyond else None,
        past_root=past_root,
        past_root_near_spread_match=past_root is not None
        and abs(past_root.factor - matching_f) <= SPREAD_MATCH_TOLERANCE,
        all_inside=coverage(len(inside), len(grids)),
        last_all_inside=inside[-1] if inside else None,
    )
    if mahalanobis is not None:
        values["origin_mahalanobis_data_mean"] = mahalanobis.data_mean
    points = upstream.get("statistical_points")
    yardstick = getattr(points, "real_nearest_image_distance", None)
    if results.has_decoder and yardstick is not None and grids[0].nearest_image_distance is not None:
        values.update(_decode_findings(results, yardstick, upstream))
    faces = results.individuals.faces
    if all(g.faces is not None and g.face_share is not None for g in grids) and faces is not None:
        first_share, last_share = grids[0].face_share, grids[-1].face_share
        values.update(
            verdicts=[verdict(g.faces.n_faces, g.faces.n_decodes) for g in grids],
            individuals_verdict=verdict(faces.n_faces, faces.n_decodes),
            face_trend="falls" if last_share < first_share - FACE_TREND else
            "grows" if last_share > first_share + FACE_TREND else "flat",
        )
    return IntervalsFindings(**values)

"""Post V (`statistical_points`): uniform random vectors in [-b, b]^N, where they lie, what they decode to.

`StatisticalPointsResults` is the step's stats.json; `findings` turns it into the judgements post V
states. The yardstick helpers (`yardstick_position`, `trend`) are shared by posts VI and VII, which
compare their decodes with the same yardstick: the nearest-image distance of decoded real vectors.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import ClassVar, Literal

from report.results import Record, Regularisation, StepResults
from report.results.face_measure import FaceCount, Verdict, verdict
from report.results.key_stat import DECODE_FACE_SHARE_ATOL, KeyStat

ABOVE_YARDSTICK = 1.1  # a decode more than 10 % farther from every training image than the yardstick resembles none
BELOW_YARDSTICK = 0.9  # more than 10 % nearer than the yardstick: blander than reconstructions of real images
TREND_FACTOR = 1.05  # the last value must exceed the first by 5 % before the text says the distance grows
RADIUS_FIT_SHARE = 0.9  # a batch "fits" the data's lengths if this share of its radii lies in the data's 1-99 % range
VIRTUALLY_ALL_INSIDE = 0.985  # share of components inside the data's ranges that counts as virtually all
MOST_INSIDE = 0.9  # below this share, only part of the components lie inside the data's ranges
OUTSIDE_SHARE = 0.95  # below this share inside, a batch visibly leaves the data's ranges
FAR_OUTSIDE_FACTOR = 1.5  # a batch whose Mahalanobis mean exceeds this x the data's lies far outside the cloud

Position = Literal["above", "level", "below"]


class UniformBatch(Record):
    """One b: the drawn vectors' position relative to the data and, with a decoder, their decodes."""

    b: float
    is_matching_b: bool  # b is post II's matching b (rounded to two decimals)
    radius_mean: float  # mean Euclidean length of the vectors
    share_inside_ranges: float  # share of all drawn components inside the data's [min, max] of that component
    share_radius_in_data_range: float  # share of vectors whose length lies in the data's 1-99 % range
    mahalanobis_mean: float  # mean Mahalanobis distance from the centre c
    figure: str | None  # file name of the decoded grid; None without a decoder
    nearest_image_distance: float | None = None  # mean RMS pixel distance of the decodes to the nearest reference image
    pixel_spread: float | None = None  # mean per-image pixel standard deviation of the decodes
    pixel_spread_interval: tuple[float, float] | None = None  # its interval at the run's confidence level
    faces: FaceCount | None = None  # the grid's decodes that count as faces (face_measure); None without
    face_share: float | None = None  # share of faces among the first n_scored decodes of the batch
    n_scored: int | None = None  # decodes judged for face_share (the grid's are the first of them)


class AdaptedBatch(Record):
    """The adapted generator: component j uniform in c_j +/- width_stds x std_j, all components independent."""

    width_stds: float
    radius_mean: float
    share_inside_ranges: float
    share_radius_in_data_range: float
    mahalanobis_mean: float
    figure: str | None  # file name of the decoded grid; None without a decoder
    nearest_image_distance: float | None = None
    pixel_spread: float | None = None
    pixel_spread_interval: tuple[float, float] | None = None
    faces: FaceCount | None = None  # the grid's decodes that count as faces
    face_share: float | None = None  # share of faces among the first n_scored decodes
    n_scored: int | None = None


class StatisticalPointsResults(StepResults):
    """The record of post V."""

    step: ClassVar[str] = "statistical_points"

    n_points: int
    z_dim: int
    has_decoder: bool
    uniform_b: list[float]  # the parameter's b values plus post II's matching b, sorted
    matching_b: float  # post II's matching b, unrounded
    data_radius_mean: float  # mean length of the real z-points
    data_radius_range: tuple[float, float]  # 1st and 99th percentile of the real lengths
    n_vectors: int  # vectors per b for the position statistics
    grid: tuple[int, int]  # rows, columns of the decoded grids
    batches: list[UniformBatch]
    real_nearest_image_distance: float | None  # the yardstick of posts V-X: the same distance for decodes of real vectors
    real_pixel_spread: float | None  # ... their pixel spread
    real_pixel_spread_interval: tuple[float, float] | None = None  # the decoded real vectors' mean contrast, its interval
    data_mahalanobis_mean: float  # mean Mahalanobis distance of sampled real z-points from c
    n_data_sample: int | None = None  # real z-points sampled for data_mahalanobis_mean
    n_reference_images: int | None = None  # training images the nearest-image distances search; None without decoder
    real_faces: FaceCount | None = None  # decodes of real vectors (the comparison grid) that count as faces
    real_sample: int | None = None  # real z-points decoded for the yardstick (the grid shows the first of them)
    real_face_share: float | None = None  # share of those decodes counting as faces (posts V-X compare with it)
    adapted: AdaptedBatch | None = None  # the adapted generator (centred on c, per-component ranges)

    @property
    def matching(self) -> UniformBatch:
        """The batch drawn with post II's matching b."""
        return next(batch for batch in self.batches if batch.is_matching_b)
    regularisation: Regularisation | None = None  # of its Mahalanobis distances (None in older records)


def _matching_batch(field: str) -> Callable[[StatisticalPointsResults], object]:
    """One number of the batch drawn with post II's matching b (None without one)."""
    def read(record: StatisticalPointsResults):
        batch = next((b for b in record.batches if b.is_matching_b), None)
        return None if batch is None else getattr(batch, field)

    return read


KEY_STATS = (
    KeyStat("statistical_points.matching.share_inside_ranges",
            "share of uniform components (matching b) inside the data's ranges", atol=0.02,
            read=_matching_batch("share_inside_ranges"), unit="%"),
    KeyStat("statistical_points.matching.share_radius_in_data_range",
            "share of uniform vectors (matching b) with a radius inside the data's range", atol=0.03,
            read=_matching_batch("share_radius_in_data_range"), unit="%"),
    KeyStat("statistical_points.matching.face_share", "face share of uniform decodes (matching b)",
            atol=DECODE_FACE_SHARE_ATOL, read=_matching_batch("face_share"), unit="%"),
)


def yardstick_position(value: float, yardstick: float) -> Position:
    """Whether a nearest-image distance lies clearly above, level with, or clearly below the yardstick."""
    if value > yardstick * ABOVE_YARDSTICK:
        return "above"
    if value < yardstick * BELOW_YARDSTICK:
        return "below"
    return "level"


def trend(first: float, last: float) -> Literal["grows", "flat"]:
    """Whether a distance grows clearly from the first to the last of a series."""
    return "grows" if last > first * TREND_FACTOR else "flat"


def inside_level(share: float) -> Literal["virtually_all", "most", "partly"]:
    """How many of the components lie inside the data's per-component ranges."""
    if share >= VIRTUALLY_ALL_INSIDE:
        return "virtually_all"
    if share >= MOST_INSIDE:
        return "most"
    return "partly"


def coverage(count: int, total: int) -> Literal["all", "some", "none"]:
    """All, some or none of `total` items."""
    if count == total and total:
        return "all"
    return "some" if count else "none"


class StatisticalPointsFindings(Record):
    """What post V states about the uniform batches."""

    n_shown: int  # decodes per grid
    radius_fit_share: float = RADIUS_FIT_SHARE  # the thresholds below, for the prose
    virtually_all_share: float = VIRTUALLY_ALL_INSIDE
    outside_share_missing: float = 1 - OUTSIDE_SHARE
    above_margin: float = ABOVE_YARDSTICK - 1
    matching: UniformBatch
    matching_figure: int  # figure number of the matching b's grid
    real_figure: int  # figure number of the decoded real vectors
    first: UniformBatch  # smallest b
    last: UniformBatch  # largest b
    mahalanobis_min: float
    mahalanobis_max: float
    far_outside_cloud: bool  # even the nearest batch lies far beyond the real z-points' Mahalanobis mean
    radius_fits: list[float]  # b values whose lengths mostly lie in the data's range
    matching_inside: Literal["virtually_all", "most", "partly"]
    matching_share_outside: float
    others_inside: list[float]  # other b values keeping virtually all components inside the data's ranges
    outside: list[UniformBatch]  # batches with visibly many components outside the data's ranges
    outside_coverage: Literal["all", "some", "none"]
    first_share_outside: float
    # with a decoder (None without):
    above: list[UniformBatch] | None = None  # batches whose decodes lie clearly above the yardstick
    matching_position: Position | None = None
    below_others: list[float] | None = None  # non-matching b whose decodes lie clearly below the yardstick
    distance_trend: Literal["grows", "flat"] | None = None  # None with a single batch
    max_nearest_image_distance: float | None = None
    # with the face measure (None without):
    verdicts: list[Verdict] | None = None  # per batch: none, few, some, most or all of its grid count as faces
    real_verdict: Verdict | None = None
    face_free: list[float] | None = None  # b values whose judged decodes hold no face at all
    # the adapted generator (None where the record has none):
    adapted_figure: int | None = None
    adapted_far_outside: bool | None = None  # its Mahalanobis mean exceeds FAR_OUTSIDE_FACTOR x the data's
    adapted_mahalanobis_ratio: float | None = None  # its Mahalanobis mean over the data's
    adapted_verdict: Verdict | None = None
    adapted_vs_matching: Literal["more", "fewer", "same"] | None = None  # its face share against the matching b's


def findings(results: StatisticalPointsResults, upstream: Mapping[str, StepResults]) -> StatisticalPointsFindings:
    """The judgements of post V from its record."""
    batches = results.batches
    matching = results.matching
    mahalanobis = [batch.mahalanobis_mean for batch in batches]
    outside = [batch for batch in batches if batch.share_inside_ranges < OUTSIDE_SHARE]
    # the z-points' mean Mahalanobis distance is post IV's, measured once on all of them
    position = getattr(getattr(upstream.get("origin_slices"), "origin", None), "mahalanobis", None)
    data_mahalanobis = position.data_mean if position is not None else results.data_mahalanobis_mean
    values = dict(
        n_shown=results.grid[0] * results.grid[1],
        matching=matching,
        matching_figure=batches.index(matching) + 1,
        real_figure=len(batches) + 1,
        first=batches[0],
        last=batches[-1],
        mahalanobis_min=min(mahalanobis),
        mahalanobis_max=max(mahalanobis),
        far_outside_cloud=min(mahalanobis) > FAR_OUTSIDE_FACTOR * data_mahalanobis,
        radius_fits=[b.b for b in batches if b.share_radius_in_data_range >= RADIUS_FIT_SHARE],
        matching_inside=inside_level(matching.share_inside_ranges),
        matching_share_outside=1 - matching.share_inside_ranges,
        others_inside=[b.b for b in batches if b.share_inside_ranges >= VIRTUALLY_ALL_INSIDE and not b.is_matching_b],
        outside=outside,
        outside_coverage=coverage(len(outside), len(batches)),
        first_share_outside=1 - batches[0].share_inside_ranges,
    )
    yardstick = results.real_nearest_image_distance
    if results.has_decoder and yardstick is not None and matching.nearest_image_distance is not None:
        distances = [batch.nearest_image_distance for batch in batches]
        values.update(
            above=[b for b in batches if yardstick_position(b.nearest_image_distance, yardstick) == "above"],
            matching_position=yardstick_position(matching.nearest_image_distance, yardstick),
            below_others=[b.b for b in batches if not b.is_matching_b
                          and yardstick_position(b.nearest_image_distance, yardstick) == "below"],
            distance_trend=trend(distances[0], distances[-1]) if len(batches) > 1 else None,
            max_nearest_image_distance=max(distances),
        )
    if all(batch.faces is not None for batch in batches) and results.real_faces is not None:
        values.update(
            verdicts=[verdict(batch.faces.n_faces, batch.faces.n_decodes) for batch in batches],
            real_verdict=verdict(results.real_faces.n_faces, results.real_faces.n_decodes),
            face_free=[batch.b for batch in batches if batch.face_share == 0],
        )
    adapted = results.adapted
    if adapted is not None:
        values.update(adapted_far_outside=adapted.mahalanobis_mean > FAR_OUTSIDE_FACTOR * data_mahalanobis,
                      adapted_mahalanobis_ratio=adapted.mahalanobis_mean / data_mahalanobis)
        if adapted.figure is not None:
            values["adapted_figure"] = len(batches) + 2
        if adapted.faces is not None:
            values["adapted_verdict"] = verdict(adapted.faces.n_faces, adapted.faces.n_decodes)
        if adapted.face_share is not None and matching.face_share is not None:
            values["adapted_vs_matching"] = ("more" if adapted.face_share > matching.face_share
                                             else "fewer" if adapted.face_share < matching.face_share else "same")
    return StatisticalPointsFindings(**values)


def uniform_b_with_matching(uniform_b: Sequence[float], matching_b: float) -> list[float]:
    """The parameter's b values plus post II's matching b rounded to two decimals, sorted, without repeats."""
    return sorted({*uniform_b, round(matching_b, 2)})

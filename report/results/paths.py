"""Post VI (`paths`): straight paths through the centre of the cloud, projected and decoded point by point.

`PathsResults` is the step's stats.json; `findings` turns it, with the records of posts II, IV, V and
VII, into the judgements post VI states, and numbers its figures.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar, Literal

from report.results import Record, Regularisation, StepResults
from report.results.face_measure import FaceCount, Verdict, verdict
from report.results.statistical_points import ABOVE_YARDSTICK, Position, coverage, yardstick_position

ORIGIN_BORDER_SHARE = 0.05  # fewer z-points farther from c than the origin (Mahalanobis): the origin is at the border
MINORITY_SHARE = 0.5  # below this share the text says "only"
FALL_FACTOR = 0.95  # the distance at c must be 5 % below the origin's before the text says it falls
GROW_FACTOR = 1.05  # ... or 5 % above it before the text says it grows

Dominance = Literal["both", "one", "none"]


class PathRecord(Record):
    """One path: its geometry, its figures and, with a decoder, its decodes' distances per point."""

    name: str  # stable figure stem, e.g. "plane-1-rotated-90"
    title: str  # the table's description
    plane: tuple[int, int] | None  # the coordinate plane (i, j); None for the path from the origin
    pair_r: float | None  # Pearson r of the plane's two components
    mahalanobis: list[float]  # Mahalanobis distance of each point from c
    angle: float | None  # rotation in its plane, degrees
    length: float
    radius_start: float  # distance of the first point from the origin
    radius_end: float
    projection: str  # figure file of the projections
    strip: str | None  # figure file of the decoded strip; None without a decoder
    faces: FaceCount | None = None  # the strip's decodes that count as faces (face_measure); None without
    nearest_image_distance: list[float] | None = None  # per point: RMS pixel distance to the nearest reference image
    pixel_spread: list[float] | None = None  # per point: pixel standard deviation of the decode


class PathsResults(StepResults):
    """The record of post VI; `paths` holds the origin path, the plane paths, then the rotated ones."""

    step: ClassVar[str] = "paths"

    n_points: int
    z_dim: int
    has_decoder: bool
    points_per_path: int
    extent: float  # paths reach c +/- extent x half_width per component
    planes: list[tuple[int, int]]
    planes_from_parameters: bool
    centre_radius: float  # distance of c from the origin
    data_mahalanobis_mean: float
    data_mahalanobis_p99: float
    paths: list[PathRecord]
    n_scatter_points: int | None = None  # real z-points drawn in the projections
    n_data_sample: int | None = None  # real z-points sampled for the Mahalanobis statistics
    n_reference_images: int | None = None  # training images the nearest-image distances search
    regularisation: Regularisation | None = None  # of its Mahalanobis distances (None in older records)


class PathFigure(Record):
    """A path as the post shows it: its figure numbers and how many of its plane's components are dominant."""

    path: PathRecord
    projection_figure: int
    strip_figure: int
    dominant: Dominance | None = None
    verdict: Verdict | None = None  # none, few, some, most or all of its decodes count as faces


class PathsFindings(Record):
    """What post VI states about the paths."""

    n_scatter: int  # real z-points shown in the projections
    above_margin: float = ABOVE_YARDSTICK - 1  # how far above the yardstick counts as clearly above, for the prose
    to_centre: PathFigure
    first_plane: PathFigure
    rotated: list[PathFigure]
    rotated_in_turn: bool  # more than one rotation
    other_planes: list[PathFigure]
    several_other_planes: bool
    single_width: bool  # extent is exactly one width
    centre_between_points: bool  # even number of points: c lies between the two middle ones
    first_end_distance: float  # distance of the first plane path's ends from c
    # from post VII (None where it has no results):
    data_distance_mean: float | None = None  # mean Euclidean distance of real z-points from c
    origin_beyond_data: bool | None = None  # the origin lies farther from c than real z-points on average
    first_ends_nearer_than_data: bool | None = None
    # from post IV's Mahalanobis position of the origin (None where absent):
    origin_share_farther: float | None = None
    origin_share_minority: bool | None = None
    origin_position: Literal["border", "inside"] | None = None
    # with a decoder and post V's yardstick (None otherwise):
    yardstick: float | None = None
    centre_trend: Literal["falls", "grows", "flat"] | None = None
    centre_falls: bool | None = None  # the distance at c lies below the origin's at all (the index's one-liner)
    origin_position_vs_yardstick: Position | None = None
    centre_above_yardstick: bool | None = None
    n_through: int = 0  # paths through the centre
    n_near: int = 0  # through-centre paths with no decode clearly above the yardstick
    near_coverage: Literal["all", "some", "none"] | None = None
    all_below: bool | None = None  # every decode of every through-centre path lies clearly below the yardstick
    through_min: float | None = None  # smallest and largest distance on the through-centre paths
    through_max: float | None = None
    # with the face measure (None without):
    n_faces: int | None = None  # decodes of all paths that count as faces
    n_decodes: int | None = None  # decodes of all paths


def dominance(plane: tuple[int, int], dominant: set[int]) -> Dominance:
    """How many of a plane's two components are dominant (post II)."""
    count = sum(component in dominant for component in plane)
    return ("none", "one", "both")[count]


def _figures(results: PathsResults, dominant: set[int]) -> dict:
    """Split the paths into origin, plane and rotated paths, with the figure numbers the post gives them."""
    step = 2 if results.has_decoder else 1  # figures per path: projection, and strip with a decoder
    n_planes = len(results.planes)
    to_centre, plane_paths, rotated = results.paths[0], results.paths[1:1 + n_planes], results.paths[1 + n_planes:]

    def figure(path: PathRecord, number: int, with_dominance: bool = False) -> PathFigure:
        return PathFigure(path=path, projection_figure=number, strip_figure=number + 1,
                          dominant=dominance(path.plane, dominant) if with_dominance else None,
                          verdict=verdict(path.faces.n_faces, path.faces.n_decodes) if path.faces else None)

    base = step * (2 + len(rotated))
    return dict(
        to_centre=figure(to_centre, 1),
        first_plane=figure(plane_paths[0], step + 1, with_dominance=True),
        rotated=[figure(p, step * (2 + k) + 1) for k, p in enumerate(rotated)],
        other_planes=[figure(p, base + step * k + 1, with_dominance=True) for k, p in enumerate(plane_paths[1:])],
    )


def _origin_findings(upstream: Mapping[str, StepResults]) -> dict:
    """Post IV's Mahalanobis view of the origin, where that step has results."""
    origin_slices = upstream.get("origin_slices")
    mahalanobis = getattr(getattr(origin_slices, "origin", None), "mahalanobis", None)
    if mahalanobis is None:
        return {}
    share = mahalanobis.share_farther
    return dict(origin_share_farther=share, origin_share_minority=share < MINORITY_SHARE,
                origin_position="border" if share < ORIGIN_BORDER_SHARE else "inside")


def _decode_findings(results: PathsResults, yardstick: float) -> dict:
    """How the decodes along the paths compare with each other and with post V's yardstick."""
    d = results.paths[0].nearest_image_distance
    if d[-1] < d[0] * FALL_FACTOR:
        centre_trend = "falls"
    elif d[-1] > d[0] * GROW_FACTOR:
        centre_trend = "grows"
    else:
        centre_trend = "flat"
    through = [max(p.nearest_image_distance) for p in results.paths[1:]]
    lows = [min(p.nearest_image_distance) for p in results.paths[1:]]
    n_near = sum(yardstick_position(top, yardstick) != "above" for top in through)
    return dict(
        yardstick=yardstick,
        centre_trend=centre_trend,
        centre_falls=d[-1] < d[0],
        origin_position_vs_yardstick=yardstick_position(d[0], yardstick),
        centre_above_yardstick=yardstick_position(d[-1], yardstick) == "above",
        n_near=n_near,
        near_coverage=coverage(n_near, len(through)),
        all_below=bool(through) and all(yardstick_position(top, yardstick) == "below" for top in through),
        through_min=min(lows) if lows else None,
        through_max=max(through) if through else None,
    )


def findings(results: PathsResults, upstream: Mapping[str, StepResults]) -> PathsFindings:
    """The judgements of post VI from its record and those of posts II, IV, V and VII."""
    distributions = upstream.get("distributions")
    dominant = set(getattr(distributions, "dominant", None) or ())
    parts = _figures(results, dominant)
    first = parts["first_plane"].path
    values = dict(
        parts,
        n_scatter=results.n_scatter_points if results.n_scatter_points is not None else results.n_points,
        rotated_in_turn=len(parts["rotated"]) > 1,
        several_other_planes=len(parts["other_planes"]) > 1,
        single_width=results.extent == 1,
        centre_between_points=results.points_per_path % 2 == 0,
        first_end_distance=first.length / 2,
        n_through=len(results.paths) - 1,
        **_origin_findings(upstream),
    )
    intervals = upstream.get("intervals")
    data_distance = getattr(intervals, "data_distance_mean", None)
    if data_distance is not None:
        values.update(data_distance_mean=data_distance, origin_beyond_data=results.centre_radius > data_distance,
                      first_ends_nearer_than_data=data_distance > first.length / 2)
    points = upstream.get("statistical_points")
    yardstick = getattr(points, "real_nearest_image_distance", None)
    if results.has_decoder and yardstick is not None and results.paths[0].nearest_image_distance is not None:
        values.update(_decode_findings(results, yardstick))
    if all(path.faces is not None for path in results.paths):
        values.update(n_faces=sum(path.faces.n_faces for path in results.paths),
                      n_decodes=sum(path.faces.n_decodes for path in results.paths))
    return PathsFindings(**values)

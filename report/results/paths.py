"""Post VI (`paths`): straight paths through the centre of the cloud, projected and decoded point by point.

`PathsResults` is the step's stats.json; `findings` turns it, with the records of posts II, IV, V and
VII, into the judgements post VI states, and numbers its figures.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar, Literal

from report.params import UncertaintyParams
from report.results import Record, Regularisation, StepResults
from report.results.face_measure import FaceCount, Verdict, verdict
from report.results.key_stat import PATH_FACE_SHARE_ATOL, KeyStat
from report.results.statistical_points import ABOVE_YARDSTICK, Position, coverage, yardstick_position
from report.stats.uncertainty import intervals_overlap, wilson_interval

MINORITY_SHARE = 0.5  # below this share the text says "only"
SHELL_TOLERANCE = 1e-9  # relative: a path point on the shell (up to round-off) counts as inside it
FALL_FACTOR = 0.95  # the distance at c must be 5 % below the origin's before the text says it falls
GROW_FACTOR = 1.05  # ... or 5 % above it before the text says it grows

Dominance = Literal["both", "one", "none"]
# chosen: a plane from the parameter file; principal: along a principal direction, drawn in a plane of two
PlaneKind = Literal["first", "rotated", "core", "border", "chosen", "principal"]


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
    projection: str | None  # figure file of the projections; None where `row` shows the plane
    strip: str | None  # figure file of the decoded strip; None without a decoder or where `row` shows it
    kind: PlaneKind | None = None  # which part of the post the path belongs to; None for the origin path
    sees_axis: int | None = None  # the principal direction (0 = first) the path's plane mostly sees
    sees_share: float | None = None  # that direction's share of the plane's variance
    row: str | None = None  # one figure: the plane's projection beside its decoded row (core, border, chosen planes)
    faces: FaceCount | None = None  # the strip's decodes that count as faces (face_measure); None without
    nearest_image_distance: list[float] | None = None  # per point: RMS pixel distance to the nearest reference image
    pixel_spread: list[float] | None = None  # per point: pixel standard deviation of the decode
    end_change: float | None = None  # RMS pixel difference between the decodes of the path's two ends
    principal_axis: int | None = None  # a path along a principal direction: which (0 = first)
    shown_axes: tuple[int, int] | None = None  # the principal directions (0 = first) its projection shows
    reach_widths: float | None = None  # a plane path: how many half widths c + d lies from c along each component
    line_reach: float | None = None  # a path through c: the cloud's reach along its line (shell_percentile of |u.(z - c)|)
    pixel_change: float | None = None  # largest mean absolute pixel difference between two decodes of the row
    neighbour_change: float | None = None  # the same, averaged over neighbouring decodes
    changes: bool | None = None  # pixel_change reaches the step's still_change: the decodes along the path change


class PathsResults(StepResults):
    """The record of post VI; `paths` holds the origin path, the plane paths, then the rotated ones."""

    step: ClassVar[str] = "paths"

    n_points: int
    z_dim: int
    has_decoder: bool
    points_per_path: int
    extent: float  # the core/border rule ranks planes by the end of a trial path c +/- extent x half_width
    planes: list[tuple[int, int]]  # the first plane, then the core planes, then the border planes
    planes_from_parameters: bool
    shown_planes: list[tuple[int, int]] | None = None  # the planes the origin path is projected onto
    shown_offsets: list[float] | None = None  # |c_k| / width_k of their components, in order (the rule that chose them)
    first_axis_share: float | None = None  # the first principal direction's share of the variance
    centre_radius: float  # distance of c from the origin
    data_mahalanobis_mean: float
    data_mahalanobis_p99: float
    paths: list[PathRecord]
    n_scatter_points: int | None = None  # real z-points drawn in the projections
    n_data_sample: int | None = None  # real z-points sampled for the Mahalanobis statistics
    n_reference_images: int | None = None  # training images the nearest-image distances search
    regularisation: Regularisation | None = None  # of its Mahalanobis distances (None in older records)
    image_pair_distance: float | None = None  # mean RMS pixel difference between two different training images
    plane_candidates: int | None = None  # components tried per principal direction by the core/border rule
    shell_percentile: float | None = None  # a path through c crosses the shell within which this share of the real
    end_factor: float | None = None  # z-points' projections onto its line lie, and ends at end_factor x that reach
    still_change: float | None = None  # rows whose pixel_change stays below this do not change
    confidence_level: float | None = None  # of the intervals the findings compare


def _face_share(record: PathsResults) -> float | None:
    """The share of faces among the decodes of all paths (None where any path was not judged)."""
    counts = [path.faces for path in record.paths]
    if not counts or any(count is None for count in counts):
        return None
    total = sum(count.n_decodes for count in counts)
    return sum(count.n_faces for count in counts) / total if total else None


KEY_STATS = (
    KeyStat("paths.face_share", "face share of the decodes along all paths", atol=PATH_FACE_SHARE_ATOL,
            read=_face_share, unit="%"),
)


class PathFigure(Record):
    """A path as the post shows it: its figure numbers and how many of its plane's components are dominant."""

    path: PathRecord
    projection_figure: int
    strip_figure: int  # the same number as projection_figure where one row figure shows both
    dominant: Dominance | None = None
    verdict: Verdict | None = None  # none, few, some, most or all of its decodes count as faces
    pc: int | None = None  # the principal direction (1 = PC1) its plane mostly sees
    end_mahalanobis: float | None = None  # Mahalanobis distance of the path's ends from c
    beyond: float | None = None  # end_mahalanobis over the real z-points' 99th percentile
    leaves_cloud: bool | None = None  # the ends lie beyond that percentile
    inside_reach: float | None = None  # share of each half of the path (c to an end) inside that percentile
    n_inside: int | None = None  # path points within the cloud's reach along the line (older records: within the
    # 99th Mahalanobis percentile), and how many of their decodes are faces (None where the row does not change)
    faces_inside: int | None = None
    n_outside: int | None = None
    faces_outside: int | None = None
    change_share: float | None = None  # end_change over the difference between two training images
    changes: bool | None = None  # the decodes along the path change (None without a decoder)
    pc_plane: tuple[int, int] | None = None  # a principal path: the PC numbers (1 = PC1) its projection shows
    along_pc: int | None = None  # a principal path: the PC number (1 = PC1) it runs along


class ShareComparison(Record):
    """Two face shares, each with its interval at the step's confidence level, and whether they can be told apart."""

    first: tuple[int, int]  # faces, decodes
    second: tuple[int, int]
    first_interval: tuple[float, float]
    second_interval: tuple[float, float]
    apart: bool  # the intervals do not overlap
    higher: Literal["first", "second"] | None = None  # the larger share where they are apart


def compare_shares(first: tuple[int, int], second: tuple[int, int], confidence: float) -> ShareComparison:
    """Wilson intervals of two face shares k/n; apart only where the intervals do not overlap."""
    a, b = wilson_interval(*first, confidence), wilson_interval(*second, confidence)
    apart = not intervals_overlap(a, b)
    higher = None
    if apart:
        higher = "first" if first[0] / first[1] > second[0] / second[1] else "second"
    return ShareComparison(first=first, second=second, first_interval=a, second_interval=b, apart=apart,
                           higher=higher)


class PathsFindings(Record):
    """What post VI states about the paths."""

    n_scatter: int  # real z-points shown in the projections
    above_margin: float = ABOVE_YARDSTICK - 1  # how far above the yardstick counts as clearly above, for the prose
    to_centre: PathFigure
    first_plane: PathFigure
    rotated: list[PathFigure]
    rotated_in_turn: bool  # more than one rotation
    other_planes: list[PathFigure]
    principal: list[PathFigure] = []  # paths along the leading principal directions
    several_principal: bool = False
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
    origin_position: Literal["core", "inside", "outer", "border", "beyond"] | None = None  # post IV's verdict
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
    # the shell each path through c crosses: shell_percentile of the real z-points' projections onto its line lie
    # within it, and the path ends at end_factor x its reach (None in older records: faces inside and beyond are
    # then split by data_p99)
    shell_percentile: float | None = None
    end_factor: float | None = None
    n_beyond_shell: int | None = None  # points of each path through c beyond its shell
    ends_beyond_reach: bool = False  # end_factor above 1: every path through c crosses the cloud and goes beyond it
    # with a decoder: do the decodes along the paths through c change?
    n_changing: int = 0
    n_still: int = 0
    through_changes: Literal["all", "some", "none"] | None = None
    confidence: float  # of every interval compared below
    # face shares over the decodes of the changing paths through c, inside the shell against beyond it:
    inside_beyond: ShareComparison | None = None
    # core and border planes (empty where the planes came from the parameter file):
    data_p99: float = 0.0  # 99th percentile of the real z-points' Mahalanobis distances from c
    core: list[PathFigure] = []
    border: list[PathFigure] = []
    core_end_range: tuple[float, float] | None = None  # smallest and largest end distance of the core paths
    border_end_range: tuple[float, float] | None = None
    core_inside: Literal["all", "some", "none"] | None = None  # core paths whose ends stay within the 99th percentile
    n_core_inside: int = 0
    border_outside: Literal["all", "some", "none"] | None = None  # border paths whose ends leave it
    n_border_outside: int = 0
    core_faces: tuple[int, int] | None = None  # faces, decodes over the core paths whose decodes change
    border_faces: tuple[int, int] | None = None
    n_core_still: int = 0  # core and border paths whose decodes do not change (left out of the counts)
    n_border_still: int = 0
    all_core_still: bool = False  # several core paths, none of whose decodes change
    all_border_still: bool = False
    core_border: ShareComparison | None = None  # core (first) against border (second) face shares
    core_reach: tuple[float, float] | None = None  # smallest and largest reach_widths of the core paths
    border_reach: tuple[float, float] | None = None
    core_directions: list[int] = []  # PC numbers the core planes mostly see
    border_directions: list[int] = []


def dominance(plane: tuple[int, int], dominant: set[int]) -> Dominance:
    """How many of a plane's two components are dominant (post II)."""
    count = sum(component in dominant for component in plane)
    return ("none", "one", "both")[count]


def inside_shell(n_points: int, end_factor: float) -> list[bool]:
    """Which of a path's equally spaced points (c - d to c + d, d = end_factor x the cloud's reach along the line)
    lie within that reach; a point on the shell, up to round-off, counts as inside."""
    return [abs(-1 + 2 * k / (n_points - 1)) * end_factor <= 1 + SHELL_TOLERANCE for k in range(n_points)]


def _reach(path: PathRecord, p99: float, end_factor: float | None) -> dict:
    """Where a path through c ends against the real z-points' 99th Mahalanobis percentile, and its faces inside and
    beyond the cloud's reach along its line (beyond p99 in older records)."""
    end = max(path.mahalanobis)
    if end_factor is not None:
        inside = inside_shell(len(path.mahalanobis), end_factor)
    else:
        inside = [m <= p99 for m in path.mahalanobis]
    values = dict(end_mahalanobis=end, beyond=end / p99 if p99 else None, leaves_cloud=end > p99,
                  inside_reach=min(1.0, p99 / end) if end else 1.0, n_inside=sum(inside),
                  n_outside=len(inside) - sum(inside), pc=path.sees_axis + 1 if path.sees_axis is not None else None)
    if path.faces is not None and path.changes is not False:
        values.update(faces_inside=sum(f for f, i in zip(path.faces.faces, inside) if i),
                      faces_outside=sum(f for f, i in zip(path.faces.faces, inside) if not i))
    return values


def _change(path: PathRecord, pair_distance: float | None) -> dict:
    if path.end_change is None or not pair_distance:
        return {}
    return dict(change_share=path.end_change / pair_distance)


def _figures(results: PathsResults, dominant: set[int], p99: float) -> dict:
    """Split the paths into origin, plane, rotated and principal paths, numbered in the order the post shows them."""
    step = 2 if results.has_decoder else 1  # figures per path: projection, and strip with a decoder
    n_planes = len(results.planes)
    to_centre, plane_paths = results.paths[0], results.paths[1:1 + n_planes]
    rotated = [p for p in results.paths[1 + n_planes:] if p.kind != "principal"]
    principal = [p for p in results.paths[1 + n_planes:] if p.kind == "principal"]
    number = 1

    def figure(path: PathRecord, with_dominance: bool = False) -> PathFigure:
        nonlocal number
        counted = path.faces is not None and path.changes is not False  # a row that does not change: no count
        through = path.plane is not None or path.kind == "principal"
        shown = PathFigure(path=path, projection_figure=number, strip_figure=number if path.row else number + 1,
                           dominant=dominance(path.plane, dominant) if with_dominance else None,
                           verdict=verdict(path.faces.n_faces, path.faces.n_decodes) if counted else None,
                           changes=path.changes,
                           pc_plane=tuple(a + 1 for a in path.shown_axes) if path.shown_axes else None,
                           along_pc=path.principal_axis + 1 if path.principal_axis is not None else None,
                           **(_reach(path, p99, results.end_factor) if through else {}),
                           **_change(path, results.image_pair_distance))
        number += 1 if path.row else step
        return shown

    to_centre = figure(to_centre)
    first = figure(plane_paths[0], with_dominance=True)
    turned = [figure(p) for p in rotated]
    along = [figure(p) for p in principal]
    return dict(to_centre=to_centre, first_plane=first, rotated=turned, principal=along,
                other_planes=[figure(p, with_dominance=True) for p in plane_paths[1:]])


def _faces_of(group: list[PathFigure]) -> tuple[int, int] | None:
    """Faces and decodes over the paths of a group whose decodes change; None where none of them counts."""
    counted = [o.path.faces for o in group if o.path.faces is not None and o.path.changes is not False]
    if not counted:
        return None
    return sum(c.n_faces for c in counted), sum(c.n_decodes for c in counted)


def _changing(through: list[PathFigure], confidence: float) -> dict:
    """How many paths through c change along their rows; faces inside the shell against beyond it, on those that do."""
    judged = [o for o in through if o.changes is not None]
    if not judged:
        return {}
    n_changing = sum(bool(o.changes) for o in judged)
    values: dict = dict(n_changing=n_changing, n_still=len(judged) - n_changing,
                        through_changes=coverage(n_changing, len(judged)))
    counted = [o for o in judged if o.changes and o.faces_inside is not None]
    inside = (sum(o.faces_inside for o in counted), sum(o.n_inside for o in counted))
    beyond = (sum(o.faces_outside for o in counted), sum(o.n_outside for o in counted))
    if inside[1] and beyond[1]:
        values["inside_beyond"] = compare_shares(inside, beyond, confidence)
    return values


def _core_and_border(others: list[PathFigure], confidence: float) -> dict:
    """Post VI's contrast: the core planes' paths against the border planes', and repeated face counts."""
    core = [o for o in others if o.path.kind == "core"]
    border = [o for o in others if o.path.kind == "border"]
    values: dict = dict(core=core, border=border)
    if core:
        ends = [o.end_mahalanobis for o in core]
        n_in = sum(not o.leaves_cloud for o in core)
        values.update(core_end_range=(min(ends), max(ends)), n_core_inside=n_in,
                      core_inside=coverage(n_in, len(core)), core_directions=[o.pc for o in core])
    if border:
        ends = [o.end_mahalanobis for o in border]
        n_out = sum(bool(o.leaves_cloud) for o in border)
        values.update(border_end_range=(min(ends), max(ends)), n_border_outside=n_out,
                      border_outside=coverage(n_out, len(border)), border_directions=[o.pc for o in border])
    for group, key in ((core, "core"), (border, "border")):
        values[f"n_{key}_still"] = sum(o.changes is False for o in group)
        values[f"all_{key}_still"] = len(group) > 1 and values[f"n_{key}_still"] == len(group)
        reach = [o.path.reach_widths for o in group if o.path.reach_widths is not None]
        if reach:
            values[f"{key}_reach"] = (min(reach), max(reach))
        if group and all(o.path.faces is not None for o in group):
            values[f"{key}_faces"] = _faces_of(group)
    if values.get("core_faces") and values.get("border_faces"):
        values["core_border"] = compare_shares(values["core_faces"], values["border_faces"], confidence)
    return values


def _origin_findings(upstream: Mapping[str, StepResults]) -> dict:
    """Post IV's Mahalanobis view of the origin, where that step has results."""
    origin_slices = upstream.get("origin_slices")
    mahalanobis = getattr(getattr(origin_slices, "origin", None), "mahalanobis", None)
    if mahalanobis is None:
        return {}
    share = mahalanobis.share_farther
    return dict(origin_share_farther=share, origin_share_minority=share < MINORITY_SHARE,
                origin_position=mahalanobis.verdict)


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
    # the cloud's extent and spread are post IV's, measured once on all z-points
    origin = getattr(upstream.get("origin_slices"), "origin", None)
    mahalanobis = getattr(origin, "mahalanobis", None)
    p99 = mahalanobis.data_upper if mahalanobis is not None else results.data_mahalanobis_p99
    parts = _figures(results, dominant, p99)
    confidence = results.confidence_level if results.confidence_level is not None else UncertaintyParams().confidence_level
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
        data_p99=p99,
        shell_percentile=results.shell_percentile,
        end_factor=results.end_factor,
        ends_beyond_reach=results.end_factor is not None and results.end_factor > 1,
        several_principal=len(parts["principal"]) > 1,
        n_beyond_shell=(inside_shell(results.points_per_path, results.end_factor).count(False)
                        if results.end_factor is not None else None),
        confidence=confidence,
        **_changing([parts["first_plane"], *parts["rotated"], *parts["principal"], *parts["other_planes"]],
                    confidence),
        **_core_and_border(parts["other_planes"], confidence),
        **_origin_findings(upstream),
    )
    data_distance = getattr(origin, "data_distance_mean", None)
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

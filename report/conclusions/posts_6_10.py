"""Closing sections of posts VI-X and the scoreboard: decodes of paths, intervals, fitted models and the principal frame."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

from report.conclusions.common import (
    Closing,
    Count,
    Estimate,
    Order,
    Relation,
    Share,
    base,
    cloud_distances,
    combine,
    contrast_groups,
    estimate,
    majority,
    order,
    real_decode_share,
    share,
    share_of,
)
from report.results import Record
from report.stats.uncertainty import correlation_interval

# --------------------------------------------------------------------------------------------- post VI


class Post6Closing(Closing):
    core_inside: int  # core paths whose ends stay within the real z-points' 99th Mahalanobis percentile
    n_core: int
    border_outside: int  # border paths whose ends leave it
    n_border: int
    core_in: Count
    border_out: Count
    core: Share | None = None  # decodes on core paths that count as faces
    border: Share | None = None
    inside: Share | None = None  # decodes of path points within the percentile that count as faces
    outside: Share | None = None  # ... and beyond it
    versus: Order | None = None  # core against border
    inside_versus: Order | None = None
    core_majority: Literal["most", "minority", "unclear"] | None = None


def post_6(records: Mapping, findings: Mapping, uncertainty) -> Post6Closing:
    """Do points on paths through the core decode to faces, and points near the border?"""
    f = findings["paths"]
    c = uncertainty
    planes = [*f.core, *f.border, *f.other_planes, f.first_plane, *f.rotated]
    values = dict(core_inside=f.n_core_inside, n_core=len(f.core), border_outside=f.n_border_outside,
                  n_border=len(f.border), core_in=Count(k=f.n_core_inside, n=len(f.core)),
                  border_out=Count(k=f.n_border_outside, n=len(f.border)))
    relation: Relation = "cannot tell"
    decodes = f.n_faces is not None
    if decodes:
        if f.core_faces is not None and f.border_faces is not None and f.core_faces[1] and f.border_faces[1]:
            core, border = share(*f.core_faces, c), share(*f.border_faces, c)
            values.update(core=core, border=border, versus=order(core, border), core_majority=majority(core))
            relation = {"most": "agrees", "minority": "differs", "unclear": "cannot tell"}[majority(core)]
        seen = {p.path.name: p for p in planes if p.n_inside is not None and p.faces_inside is not None}.values()
        n_in = sum(p.n_inside for p in seen)
        n_out = sum(p.n_outside for p in seen)
        if n_in and n_out:
            inside = share(sum(p.faces_inside for p in seen), n_in, c)
            outside = share(sum(p.faces_outside for p in seen), n_out, c)
            values.update(inside=inside, outside=outside, inside_versus=order(inside, outside))
    points = records.get("statistical_points")
    yardstick = real_decode_share(points, c) if decodes else None
    return Post6Closing(**base("post-6", relation, decodes, uncertainty, yardstick=yardstick), **values)


# -------------------------------------------------------------------------------------------- post VII


class IntervalRow(Record):
    """One factor f: how far its vectors lie from the centre, and how its decodes score."""

    factor: float
    mahalanobis_mean: float
    beyond_cloud: bool  # mean Mahalanobis distance beyond the real z-points' 99th percentile
    faces: Share | None = None
    contrast: Estimate | None = None
    contrast_versus: Order | None = None  # against decoded real vectors


class Post7Closing(Closing):
    rows: list[IntervalRow]
    data_mahalanobis_mean: float | None
    data_p99: float
    n_beyond: int  # grids whose vectors lie beyond the percentile on average
    beyond: Count
    all_beyond: bool
    first_beyond: IntervalRow | None
    # "Does the decoder mind leaving the cloud?" By faces: decodes beyond the cloud against those within it
    # (grids within it, or else decoded real z-points, which lie within it by definition).
    minds: Literal["yes", "no", "never_leaves", "unknown"] | None = None  # unknown: the face measure is blind here
    inside: Share | None = None  # faces among the decodes within the cloud
    inside_is_real: bool = False  # ... which are decoded real z-points (every grid lies beyond the cloud)
    outside: Share | None = None  # faces among the decodes of the grids beyond it, pooled
    face_trend: Order | None = None  # the widest f's face share against the narrowest's
    # By contrast: every grid against decoded real vectors, and the trend with f.
    real_contrast: Estimate | None = None
    contrast_all: Order | None = None  # every grid's contrast against decoded real vectors' (None if mixed)
    contrast_low: float | None = None  # the grids' smallest and largest mean contrast
    contrast_high: float | None = None
    contrast_trend: Order | None = None  # the widest f's contrast against the narrowest's


def post_7(records: Mapping, findings: Mapping, uncertainty) -> Post7Closing:
    """Does the decoder mind leaving the cloud? Face share and contrast of each f against its distance."""
    r = records["intervals"]
    c = uncertainty
    points = records.get("statistical_points")
    real_contrast = None
    if points is not None:
        real_contrast = estimate(points.real_pixel_spread, points.real_pixel_spread_interval)
    rows = []
    for g in r.grids:
        faces = share_of(g.face_share, g.n_scored, c) if g.face_share is not None and g.n_scored else None
        contrast = estimate(g.pixel_spread, g.pixel_spread_interval)
        rows.append(IntervalRow(factor=g.factor, mahalanobis_mean=g.mahalanobis_mean,
                                beyond_cloud=g.mahalanobis_mean > r.data_mahalanobis_p99, faces=faces,
                                contrast=contrast,
                                contrast_versus=order(contrast, real_contrast) if contrast and real_contrast else None))
    beyond = [row for row in rows if row.beyond_cloud]
    within = [row for row in rows if not row.beyond_cloud]
    data_mean, data_p99 = cloud_distances(records, r.data_mahalanobis_mean, r.data_mahalanobis_p99)
    values = dict(rows=rows, data_mahalanobis_mean=data_mean, data_p99=data_p99,
                  n_beyond=len(beyond), beyond=Count(k=len(beyond), n=len(rows)), all_beyond=bool(rows) and not within,
                  first_beyond=beyond[0] if beyond else None, real_contrast=real_contrast)
    scored = all(row.faces is not None for row in rows)
    decodes = r.has_decoder and scored
    yardstick = real_decode_share(points, c) if decodes else None
    parts: list[Relation] = []
    if decodes:
        if len(rows) > 1:
            values["face_trend"] = order(rows[-1].faces, rows[0].faces)
        inside = None
        if not beyond:
            values["minds"] = "never_leaves"
        elif within:
            inside = share(sum(row.faces.k for row in within), sum(row.faces.n for row in within), c)
        elif yardstick is not None:
            inside = yardstick
            values["inside_is_real"] = True
        if inside is not None and yardstick is not None and majority(yardstick) != "most":
            values["minds"] = "unknown"
        elif inside is not None:
            outside = share(sum(row.faces.k for row in beyond), sum(row.faces.n for row in beyond), c)
            values.update(inside=inside, outside=outside,
                          minds="yes" if order(outside, inside) == "lower" else "no")
        # The original: some decodes are faces, yet many are disturbed and weak in contrast at every f.
        if yardstick is not None and majority(yardstick) == "most":
            parts.append("agrees" if all(row.faces.k > 0 for row in rows) else "differs")
    contrasts = [row.contrast_versus for row in rows]
    if rows and None not in contrasts:
        values.update(contrast_all=contrasts[0] if len(set(contrasts)) == 1 else None,
                      contrast_low=min(row.contrast.value for row in rows),
                      contrast_high=max(row.contrast.value for row in rows))
        if len(rows) > 1:
            values["contrast_trend"] = order(rows[-1].contrast, rows[0].contrast)
        # "the contrasts of the face against the background are not well defined - even for small factors"
        parts.append({"lower": "agrees", "higher": "differs", "alike": "cannot tell"}[contrasts[0]])
    return Post7Closing(**base("post-7", combine(parts) if decodes else "cannot tell", decodes, uncertainty,
                                yardstick=yardstick, face_based=False), **values)


# ------------------------------------------------------------------------------------------- post VIII


class ModelRow(Record):
    """Decodes of vectors drawn from one fitted model."""

    name: str
    title: str
    faces: Share | None = None
    contrast: Estimate | None = None
    contrast_versus: Order | None = None


class Post8Closing(Closing):
    test: str
    p_value: float
    normal: bool
    components: str  # all, most, some or none of the components pass their test
    ellipses_match: str  # all, some or none of the ellipse shares match the normal's
    radius: str  # mean Mahalanobis distance against the chi law's
    mahalanobis_mean: float
    expected_mean: float
    rows: list[ModelRow] = []
    real: Share | None = None
    real_contrast: Estimate | None = None
    contrast_groups: dict[str, list[str]] = {}  # "higher"/"alike"/"lower" than decoded real vectors -> titles


def _real_yardstick(records: Mapping, uncertainty) -> tuple[Estimate | None, object]:
    """The decoded real z-points' mean contrast and face share, measured once in post V (statistical_points)."""
    points = records.get("statistical_points")
    if points is None or points.real_pixel_spread is None:
        return None, None
    return estimate(points.real_pixel_spread, points.real_pixel_spread_interval), real_decode_share(points, uncertainty)


def post_8(records: Mapping, findings: Mapping, uncertainty) -> Post8Closing:
    """Is the cloud a multivariate normal? Tests, ellipses and distances; decodes of the fitted models."""
    r, f = records["normal_fit"], findings["normal_fit"]
    c = uncertainty
    n_shown = r.grid[0] * r.grid[1]
    real_contrast, real = _real_yardstick(records, c)
    rows = []
    for s in r.samples:
        contrast = estimate(s.pixel_spread, s.pixel_spread_interval)
        rows.append(ModelRow(name=s.name, title=s.title,
                             faces=share_of(s.face_share, n_shown, c) if s.face_share is not None else None,
                             contrast=contrast,
                             contrast_versus=order(contrast, real_contrast) if contrast and real_contrast else None))
    if f.ellipses_match == "all" and f.components in ("all", "most"):
        relation = "agrees"
    elif f.ellipses_match == "none" or f.components == "none":
        relation = "differs"
    else:
        relation = "cannot tell"
    decodes = r.has_decoder and all(row.faces is not None for row in rows)
    return Post8Closing(**base("post-8", relation, decodes, uncertainty), test=r.normality.test,
                        p_value=r.normality.p_value, normal=r.normality.normal, components=f.components,
                        ellipses_match=f.ellipses_match, radius=f.radius, mahalanobis_mean=r.mahalanobis.mean,
                        expected_mean=r.mahalanobis.expected_mean, rows=rows,
                        real=real,
                        real_contrast=real_contrast, contrast_groups=contrast_groups(rows))


# --------------------------------------------------------------------------------------------- post IX


class Post9Closing(Closing):
    k90: int
    z_dim: int
    largest_share: float
    uncorrelated: bool
    max_abs_r: Estimate  # the largest |r| between shown principal coordinates, with its interval
    n_normal: int
    n_axes: int
    normal_axes: Count  # shown principal coordinates passing their normality test
    shapes: str
    origin_known: bool  # post IV measured the origin's place (the closing then states it, as every post does)


def post_9(records: Mapping, findings: Mapping, uncertainty) -> Post9Closing:
    """In the principal frame: uncorrelated, Gaussian coordinates?"""
    r, f = records["pca"], findings["pca"]
    low, high = correlation_interval(min(1.0, r.max_abs_r), r.sample_size, uncertainty.confidence_level)
    if f.uncorrelated and f.shapes in ("all", "most"):
        relation = "agrees"
    elif not f.uncorrelated or f.shapes == "none":
        relation = "differs"
    else:
        relation = "cannot tell"
    return Post9Closing(**base("post-9", relation, False, uncertainty), k90=f.k90, z_dim=r.z_dim,
                        largest_share=f.largest_share, uncorrelated=f.uncorrelated,
                        max_abs_r=Estimate(value=r.max_abs_r, low=max(0.0, low), high=high), n_normal=f.n_normal,
                        normal_axes=Count(k=f.n_normal, n=len(r.axes)),
                        n_axes=len(r.axes), shapes=f.shapes,
                        origin_known=getattr(getattr(records.get("origin_slices"), "origin", None), "mahalanobis", None) is not None)


# ---------------------------------------------------------------------------------------------- post X


class GeneratorRow(Record):
    """One generator of the principal frame: its faces and contrast."""

    name: str
    title: str  # as the post names it
    kind: Literal["shell", "normal"]
    low: float | None
    high: float | None
    mahalanobis_mean: float
    faces: Share | None = None
    contrast: Estimate | None = None
    contrast_versus: Order | None = None  # against decoded real vectors


class Post10Closing(Closing):
    rows: list[GeneratorRow]
    data_mahalanobis_mean: float | None
    scored_by_scoreboard: bool  # face shares are the scoreboard's (larger sets), not the grids'
    best: GeneratorRow | None = None  # the highest face share among the generators with real contrast
    tied: list[GeneratorRow] = []  # others that cannot be told apart from it
    fewer: list[GeneratorRow] = []  # generators with real contrast and clearly fewer faces
    grey: list[GeneratorRow] = []  # generators whose decodes are clearly greyer than decoded real vectors
    contrast_known: bool = False  # every generator's contrast could be set against decoded real vectors'
    real: Share | None = None
    real_contrast: Estimate | None = None
    # the best makes clearly more faces than decoded real z-points, and on the scoreboard clearly fewer faint decodes
    best_above_real_by_fewer_faint: bool = False
    uniform: Share | None = None  # post V's matching uniform b, on the same measure
    versus_uniform: Order | None = None
    intervals_contrast_high: float | None = None  # post VII's highest grid contrast, for the comparison
    intervals_contrast_below_real: bool | None = None  # every post VII grid lies clearly below decoded real contrast
    contrast_groups: dict[str, list[str]] = {}  # "higher"/"alike"/"lower" than decoded real vectors -> titles


def post_10(records: Mapping, findings: Mapping, uncertainty) -> Post10Closing:
    """Which generator of the principal frame gives the best faces, and do they match decoded real vectors?"""
    r = records["pca_sampling"]
    c = uncertainty
    n_shown = r.grid[0] * r.grid[1]
    board = records.get("scoreboard")
    scored = {g.name: g for g in getattr(board, "generators", [])} if board is not None else {}
    by_board = bool(scored) and all(s.name in scored for s in r.samples)
    real_contrast, real = _real_yardstick(records, c)
    rows = []
    for s in r.samples:
        if by_board:
            faces = share_of(scored[s.name].face_share, scored[s.name].n_decodes, c)
        else:
            faces = share_of(s.face_share, n_shown, c) if s.face_share is not None else None
        contrast = estimate(s.pixel_spread, s.pixel_spread_interval)
        title = f"shell [{s.low:g}, {s.high:g}) × √N" if s.kind == "shell" else "N(0, λₖ)"
        rows.append(GeneratorRow(name=s.name, title=title, kind=s.kind, low=s.low, high=s.high, mahalanobis_mean=s.mahalanobis_mean,
                                 faces=faces, contrast=contrast,
                                 contrast_versus=order(contrast, real_contrast) if contrast and real_contrast else None))
    values = dict(rows=rows, data_mahalanobis_mean=cloud_distances(records)[0], scored_by_scoreboard=by_board,
                  real_contrast=real_contrast, contrast_groups=contrast_groups(rows))
    decodes = r.has_decoder and all(row.faces is not None for row in rows)
    relation: Relation = "cannot tell"
    if decodes:
        # A face share alone rewards a bland, collapsed set (the inner shell decodes nearly one grey face), so the
        # best faces are sought among the generators whose decodes have the contrast of decoded real vectors.
        known = all(row.contrast_versus is not None for row in rows)
        grey = [row for row in rows if row.contrast_versus == "lower"] if known else []
        candidates = [row for row in rows if row not in grey] or rows
        best = max(candidates, key=lambda row: row.faces.value)
        values.update(best=best, contrast_known=known, grey=grey,
                      tied=[row for row in candidates if row is not best and order(row.faces, best.faces) == "alike"],
                      fewer=[row for row in candidates if order(row.faces, best.faces) == "lower"])
        if real is not None:
            values["real"] = real
        elif by_board and "reconstructions" in scored:
            ceiling = scored["reconstructions"]
            values["real"] = share_of(ceiling.face_share, ceiling.n_decodes, c)
        uniform = scored.get("uniform") if by_board else None
        if uniform is not None:
            values["uniform"] = share_of(uniform.face_share, uniform.n_decodes, c)
            values["versus_uniform"] = order(best.faces, values["uniform"])
        # The original: the principal frame gives faces; here, faces as often as decoded real vectors.
        if values.get("real") is not None:
            versus_real = order(best.faces, values["real"])
            relation = {"alike": "agrees", "higher": "agrees", "lower": "differs"}[versus_real]
            ceiling = scored.get("reconstructions") if by_board else None
            if ceiling is not None and versus_real == "higher":
                values["best_above_real_by_fewer_faint"] = order(
                    share_of(scored[best.name].faint_share, scored[best.name].n_decodes, c),
                    share_of(ceiling.faint_share, ceiling.n_decodes, c)) == "lower"
        post_7 = records.get("intervals")
        points = records.get("statistical_points")
        if post_7 is not None and points is not None and points.real_pixel_spread_interval is not None:
            grids = [g for g in post_7.grids if g.pixel_spread_interval is not None]
            if grids:
                values["intervals_contrast_high"] = max(g.pixel_spread for g in grids)
                values["intervals_contrast_below_real"] = all(
                    g.pixel_spread_interval[1] < points.real_pixel_spread_interval[0] for g in grids)
    return Post10Closing(**base("post-10", relation, decodes, uncertainty, yardstick=values.get("real")), **values)


# ---------------------------------------------------------------------------------------- the scoreboard


class ScoreboardClosing(Closing):
    winner: str | None = None  # the winner's title
    winner_family: str | None = None
    winner_correlated: bool | None = None
    winner_faces: Share | None = None
    winner_coverage: float | None = None
    uniform: Share | None = None
    uniform_coverage: float | None = None
    versus_uniform: Order | None = None
    ceiling: Share | None = None
    versus_ceiling: Order | None = None
    co_winners: list[str] = []  # other generators in the winner's rank group (the scoreboard's `rank_group`)


def scoreboard(records: Mapping, findings: Mapping, uncertainty) -> ScoreboardClosing:
    """Which latent vectors make faces: the best generator against uniform vectors and reconstructions."""
    f = findings.get("scoreboard")
    if f is None:
        return ScoreboardClosing(**base("scoreboard", "cannot tell", False, uncertainty))
    c = uncertainty
    winner = f.winner
    faces = share_of(winner.face_share, winner.n_decodes, c)
    values = dict(winner=winner.title, winner_family=winner.family, winner_correlated=f.winner_correlated,
                  winner_faces=faces, winner_coverage=winner.face_coverage)
    relation: Relation = "cannot tell"
    if f.uniform is not None:
        uniform = share_of(f.uniform.face_share, f.uniform.n_decodes, c)
        versus = order(faces, uniform)
        values.update(uniform=uniform, uniform_coverage=f.uniform.face_coverage, versus_uniform=versus)
        relation = {"higher": "agrees", "alike": "cannot tell", "lower": "differs"}[versus]
    board = records["scoreboard"]
    group = getattr(winner, "rank_group", None)  # records written before rank groups have none
    if group is not None:
        values["co_winners"] = [g.title for g in board.generators
                                if g is not winner and g.family != "ceiling" and getattr(g, "rank_group", None) == group]
    ceiling = next((g for g in board.generators if g.family == "ceiling"), None)
    if ceiling is not None:
        values["ceiling"] = share_of(ceiling.face_share, ceiling.n_decodes, c)
        values["versus_ceiling"] = order(faces, values["ceiling"])
    return ScoreboardClosing(**base("scoreboard", relation, True, uncertainty, yardstick=values.get("ceiling"),
                                   yardstick_name="reconstructions"),
                             **values)

"""Posts III and IV: which coordinate planes to look at, and what a projection onto them hides.

A plane (i, j) of two latent components sees the cloud's principal directions in proportion to
lambda_a (V_ia^2 + V_ja^2); the principal direction with the largest share is the one the plane
"mostly sees". Planes chosen one per principal direction look in different directions, where the
strongest-correlated pairs of dominant components all see the first one. A projection can put an
artificial point among the real ones although one component elsewhere keeps it far from all of
them; `projection_overlap` and `nearest_distance_ratio` measure that. `successive_slice` is post
III's printed filter |z_k| < t, applied to the components in three stages around the free pair.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np

from report.stats.principal import PrincipalAxes, Whitening, mahalanobis_sq


def plane_sight(axes: PrincipalAxes, i: int, j: int) -> dict:
    """The principal direction the plane (i, j) mostly sees, and that direction's share of the plane's variance.

    Returns:
        {"sees_axis": a (0 = first principal direction), "sees_share": float in (0, 1]}.
    """
    energy = axes.eigenvalues * (axes.eigenvectors[i] ** 2 + axes.eigenvectors[j] ** 2)
    total = float(energy.sum())
    sees = int(np.argmax(energy))
    return {"sees_axis": sees, "sees_share": float(energy[sees] / total) if total > 0 else 0.0}


def distinct_planes(axes: PrincipalAxes, n_planes: int, *, candidates: int = 8,
                    components: Sequence[int] | None = None, exclude: Iterable[tuple[int, int]] = (),
                    max_axes: int | None = None, seen_axes: Iterable[int] = ()) -> list[dict]:
    """Planes (i, j), one per principal direction, that mostly see different directions.

    Rule: for principal direction a = 0, 1, ... take the `candidates` components (from
    `components`, default all) with the largest |loading| on a; among their pairs, loading
    product first, take the first pair not used or excluded whose plane mostly sees a direction no
    earlier plane sees (a itself preferred). A direction with no such pair is skipped at first;
    when too few planes result (one direction carries most of the variance, so most planes see
    it), the skipped directions, in order, get their best unused pair whatever it sees. Stops at
    n_planes planes or after `max_axes` directions (default all). Directions in `seen_axes` count
    as seen by earlier planes (a plane shown elsewhere in the post).

    Returns:
        list of {"i", "j", "axis" (the direction it was chosen for), "sees_axis", "sees_share"}, i < j.
    """
    vectors = axes.eigenvectors
    z_dim = vectors.shape[0]
    pool = np.arange(z_dim) if components is None else np.asarray(sorted({int(c) for c in components}))
    used = {(min(p), max(p)) for p in exclude}
    seen: set[int] = {int(a) for a in seen_axes}
    planes: list[dict] = []
    if len(pool) < 2:
        return planes

    def options(a: int) -> list[tuple[tuple[int, int], dict]]:
        top = pool[np.argsort(-np.abs(vectors[pool, a]), kind="stable")[: max(candidates, 2)]]
        pairs = sorted(((int(min(p, q)), int(max(p, q))) for n, p in enumerate(top) for q in top[n + 1:]),
                       key=lambda pq: -abs(vectors[pq[0], a] * vectors[pq[1], a]))
        return [(pq, plane_sight(axes, *pq)) for pq in pairs if pq not in used]

    directions = range(min(z_dim, max_axes or z_dim))
    skipped = []
    for a in directions:
        if len(planes) == n_planes:
            break
        fresh = [(pq, sight) for pq, sight in options(a) if sight["sees_axis"] not in seen]
        if not fresh:
            skipped.append(a)
            continue
        pair, sight = next(((pq, s) for pq, s in fresh if s["sees_axis"] == a), fresh[0])
        used.add(pair)
        seen.add(sight["sees_axis"])
        planes.append({"i": pair[0], "j": pair[1], "axis": a, **sight})
    for a in skipped:
        if len(planes) == n_planes:
            break
        rest = options(a)
        if rest:
            pair, sight = rest[0]
            used.add(pair)
            planes.append({"i": pair[0], "j": pair[1], "axis": a, **sight})
    planes.sort(key=lambda p: p["axis"])
    return planes


def path_end_distance(whiten: Whitening, i: int, j: int, reach_i: float, reach_j: float) -> float:
    """Mahalanobis distance from the centre of the point centre + reach_i e_i + reach_j e_j.

    Along a straight path through the centre the distance grows linearly, so this is how far the
    path's end lies from c in units of the cloud's own spread, under the stated regularisation
    of a near-singular covariance (`whiten`, from `principal.whitening`).
    """
    end = np.array(whiten.mean, dtype=np.float64, copy=True)
    end[i] += reach_i
    end[j] += reach_j
    return float(np.sqrt(mahalanobis_sq(end[None, :], whiten)[0]))


def core_and_border_planes(axes: PrincipalAxes, reaches: np.ndarray, n_core: int, n_border: int, *,
                           candidates: int = 8, exclude: Iterable[tuple[int, int]] = (),
                           seen_axes: Iterable[int] = (), whiten: Whitening) -> tuple[list[dict], list[dict]]:
    """Post VI: planes whose paths through the centre stay nearest to it, and planes whose paths reach farthest.

    Rule: take one plane per principal direction (`distinct_planes` over all directions), keeping
    only planes that mostly see a direction no earlier plane and none of `seen_axes` sees (too few
    such planes: the others follow, one per direction, in direction order); the path of plane (i, j) runs from c - d to c + d with
    d = (reaches[i], reaches[j]) in the plane. Rank the planes by the Mahalanobis distance of the
    path's end from c (`path_end_distance`): the n_core nearest are core planes, nearest first; the
    n_border farthest are border planes, farthest last. A plane is never both.

    Args:
        axes: The cloud's principal axes.
        reaches: (z_dim,) the path's half extent along each component (extent x half_width).
        n_core, n_border: How many planes of each kind.
        candidates, exclude, seen_axes: As in `distinct_planes`.
        whiten: The stated regularisation of the covariance (`principal.whitening`), for `path_end_distance`.

    Returns:
        (core, border): lists of {"i", "j", "axis", "sees_axis", "sees_share", "end_mahalanobis"}, i < j.
    """
    reaches = np.asarray(reaches, dtype=np.float64)
    options = distinct_planes(axes, axes.eigenvectors.shape[0], candidates=candidates, exclude=exclude,
                              seen_axes=seen_axes)
    seen, distinct, rest = {int(a) for a in seen_axes}, [], []
    for plane in sorted(options, key=lambda p: p["axis"]):
        plane["end_mahalanobis"] = path_end_distance(whiten, plane["i"], plane["j"], reaches[plane["i"]],
                                                     reaches[plane["j"]])
        if plane["sees_axis"] in seen:  # a fall-back plane of distinct_planes sees a direction already seen
            rest.append(plane)
            continue
        seen.add(plane["sees_axis"])
        distinct.append(plane)
    # one direction carries nearly all the variance (every plane sees it): fill up with one plane per direction
    distinct += rest[:max(0, n_core + n_border - len(distinct))]
    ranked = sorted(distinct, key=lambda p: (p["end_mahalanobis"], p["axis"]))
    core = ranked[:max(n_core, 0)]
    border = ranked[max(n_core, 0):][::-1][:max(n_border, 0)][::-1]
    return core, border


def successive_slice(z: np.ndarray, keep: tuple[int, int], t: float) -> list[dict]:
    """Post III's filter |z_k| < t for every k outside `keep`, in three stages split by the kept pair.

    Stage 1: components 0 .. i-1; stage 2: i+1 .. j-1; stage 3: j+1 .. z_dim-1 (the original's
    0-176, 178-194, 196-255 for the pair (177, 195)). Empty stages are left out.

    Returns:
        list of {"first", "last" (inclusive component range), "kept"}, the points left after each stage.
    """
    z = np.asarray(z)
    i, j = sorted(int(k) for k in keep)
    mask = np.ones(len(z), dtype=bool)
    stages = []
    for first, last in ((0, i - 1), (i + 1, j - 1), (j + 1, z.shape[1] - 1)):
        if last < first:
            continue
        mask &= (np.abs(z[:, first:last + 1]) < t).all(axis=1)
        stages.append({"first": first, "last": last, "kept": int(mask.sum())})
    return stages


def projection_overlap(z: np.ndarray, points: np.ndarray, pair: tuple[int, int], *, quantile: float = 0.01) -> float:
    """Share of `points` whose projection onto (i, j) lies inside the central box of the real z-points there.

    The box spans the [quantile, 1 - quantile] range of z[:, i] and of z[:, j]; 0.0 without points.
    """
    points = np.asarray(points)
    if len(points) == 0:
        return 0.0
    inside = np.ones(len(points), dtype=bool)
    for k in pair:
        low, high = np.quantile(np.asarray(z[:, k]), [quantile, 1 - quantile])
        inside &= (points[:, k] >= low) & (points[:, k] <= high)
    return float(inside.mean())


def _nearest(a: np.ndarray, b: np.ndarray, *, skip_self: bool) -> np.ndarray:
    """Euclidean distance from each row of a to its nearest row of b (not itself when skip_self)."""
    d2 = (a * a).sum(1)[:, None] + (b * b).sum(1)[None, :] - 2 * a @ b.T
    if skip_self:
        np.fill_diagonal(d2, np.inf)
    return np.sqrt(np.clip(d2.min(axis=1), 0, None))


def nearest_distance_ratio(z_sample: np.ndarray, points: np.ndarray) -> float:
    """Median distance from `points` to their nearest real z-point, over the real points' median nearest-neighbour distance.

    About 1: the points lie among the real ones in the full space; much more: far from all of them.
    """
    z_sample = np.asarray(z_sample, dtype=np.float64)
    points = np.asarray(points, dtype=np.float64)
    if len(points) == 0 or len(z_sample) < 2:
        return float("nan")
    real = float(np.median(_nearest(z_sample, z_sample, skip_self=True)))
    artificial = float(np.median(_nearest(points, z_sample, skip_self=False)))
    return artificial / real if real > 0 else float("inf")


def distinct_counts(planes: Sequence[dict], counts: Sequence[int], n: int) -> list[int]:
    """Indices of the first n planes whose slice keeps a count no earlier chosen plane keeps.

    Two slices that keep the same number of points are, in practice, the same slab seen twice.
    """
    chosen, kept = [], set()
    for index, count in enumerate(counts[: len(planes)]):
        if len(chosen) == n:
            break
        if int(count) not in kept:
            chosen.append(index)
            kept.add(int(count))
    return chosen


def uniform_view(z_view: np.ndarray, points: np.ndarray, pairs: Sequence[tuple[int, int]], low: np.ndarray,
                 high: np.ndarray, *, b: float) -> dict:
    """How artificial points look in a figure's planes, and where they lie in the full space.

    Args:
        z_view: (m, N) the real z-points the figure shows.
        points: (k, N) the artificial (uniform) points.
        pairs: the figure's planes.
        low, high: (N,) the smallest and largest value of each component over all real z-points.
        b: the half width the points were drawn with (recorded only).

    Returns:
        {"b", "n_uniform", "in_view": mean projection_overlap over the planes, "inside_all": points
        inside [low, high] in every component, "nearest_ratio": nearest_distance_ratio}.
    """
    points = np.asarray(points)
    return {"b": float(b), "n_uniform": len(points),
            "in_view": float(np.mean([projection_overlap(z_view, points, p) for p in pairs])) if len(pairs) else 0.0,
            "inside_all": int(np.sum(np.all((points >= low) & (points <= high), axis=1))),
            "nearest_ratio": nearest_distance_ratio(z_view, points)}


def line_reach(z: np.ndarray, centre: np.ndarray, direction: np.ndarray, percentile: float) -> float:
    """How far the cloud reaches along a line through c: a percentile of |u . (z - c)| over the z-points, u = unit direction.

    The real z-points projected onto the line of `direction` through `centre`; the distance from c
    within which `percentile` % of them lie, in the latent space's own units.
    """
    direction = np.asarray(direction, dtype=np.float64)
    norm = float(np.linalg.norm(direction))
    if not norm > 0:
        raise ValueError("a path needs a direction")
    along = (np.asarray(z, dtype=np.float64) - np.asarray(centre, dtype=np.float64)) @ (direction / norm)
    return float(np.percentile(np.abs(along), percentile))


def path_across_cloud(centre: np.ndarray, direction: np.ndarray, reach: float, n_points: int) -> np.ndarray:
    """Post VI: a straight path from c - d to c + d, d along `direction` with length `reach`.

    With reach = f x `line_reach(...)` and f > 1 the path crosses the whole cloud along its line, from
    beyond its shell on one side through c to beyond it on the other. The points are equally spaced,
    both ends included; for odd n_points the middle one is c.
    """
    if n_points < 2:
        raise ValueError(f"a path needs at least 2 points, got {n_points}")
    direction = np.asarray(direction, dtype=np.float64)
    norm = float(np.linalg.norm(direction))
    if not norm > 0:
        raise ValueError("a path needs a direction")
    t = np.linspace(-1.0, 1.0, n_points)[:, None]
    return np.asarray(centre, dtype=np.float64)[None, :] + t * (float(reach) / norm) * direction[None, :]


def plane_direction(z_dim: int, i: int, j: int, reach_i: float, reach_j: float, angle_deg: float = 0.0) -> np.ndarray:
    """The direction (reach_i, reach_j) in the coordinate plane (i, j), turned by angle_deg from axis i towards j."""
    angle = np.deg2rad(angle_deg)
    direction = np.zeros(z_dim)
    direction[i] = np.cos(angle) * reach_i - np.sin(angle) * reach_j
    direction[j] = np.sin(angle) * reach_i + np.cos(angle) * reach_j
    return direction


def row_pixel_change(decodes: np.ndarray) -> dict:
    """How much the decodes along a path differ: mean absolute pixel differences, pixels scaled to [0, 1].

    Returns:
        {"largest": the largest mean absolute difference between any two decodes of the row (0 for a row
        whose decodes are all the same), "neighbours": the mean of it over neighbouring decodes}.
    """
    images = np.asarray(decodes, dtype=np.float64).reshape(len(decodes), -1) / 255.0
    if len(images) < 2:
        return {"largest": 0.0, "neighbours": 0.0}
    pairs = np.abs(images[:, None, :] - images[None, :, :]).mean(axis=2)
    neighbours = np.abs(np.diff(images, axis=0)).mean(axis=1)
    return {"largest": float(pairs.max()), "neighbours": float(neighbours.mean())}


def offset_planes(centre: np.ndarray, widths: np.ndarray, n_planes: int) -> list[tuple[int, int]]:
    """Planes in which the path from the origin to the centre looks longest against the cloud.

    Rule: rank the components by |c_k| / w_k, how far the cloud's centre lies from 0 in units of the
    component's width, and pair them in that order: (1st, 2nd), (3rd, 4th), ... up to n_planes planes.
    """
    centre = np.asarray(centre, dtype=np.float64)
    widths = np.asarray(widths, dtype=np.float64)
    offsets = np.abs(centre) / np.where(widths > 0, widths, np.inf)
    order = [int(k) for k in np.argsort(-offsets, kind="stable")]
    return [(order[2 * k], order[2 * k + 1]) for k in range(min(n_planes, len(order) // 2))]

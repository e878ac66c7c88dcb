"""Where the origin z = 0 lies relative to the cloud of z-points: one measurement and one verdict.

Posts I, IV, VI and IX all say where the origin lies. They read one record (post IV's), made by
`origin_place`, and one verdict, chosen by `origin_verdict` from the share of z-points whose
Mahalanobis distance from the centre exceeds the origin's. The largest standardised coordinate
of the origin along a principal axis is measured too: a point can lie within the cloud's
Mahalanobis radius overall and still far out along one axis, since a typical z-point, with about
one standard deviation on each of N axes, lies about sqrt(N) from the centre.

Arrays in, numbers out; no I/O.
"""

from __future__ import annotations

import numpy as np

from report.stats._common import CHUNK_ROWS
from report.stats.principal import Whitening, mahalanobis

VERDICTS = ("core", "inside", "outer", "border", "beyond")  # from the centre outwards


def origin_place(z: np.ndarray, whiten: Whitening, *, percentile: float = 99.0,
                 chunk_rows: int = CHUNK_ROWS) -> dict:
    """The origin's Mahalanobis distance against the distribution of the z-points' distances.

    Args:
        z: ndarray of shape (n_points, z_dim).
        whiten: the cloud's regularised whitening (`principal.whitening`); its kept axes are a
            prefix of the principal axes, so kept axis k is principal axis k.
        percentile: the upper percentile of the z-points' distances to report (`data_upper`).

    Returns:
        {"origin": the origin's distance, "data_mean", "data_std", "data_upper" (the `percentile`
        of the z-points' distances), "data_max", "share_farther": share of z-points farther from
        the centre than the origin, "rank": dimensions of the distances, "axis": the principal axis
        (0 = first) along which the origin lies farthest out in standard deviations, "axis_sigmas":
        its signed coordinate there in standard deviations, "axis_share_farther": share of
        z-points farther out than the origin along that axis alone}.
    """
    distances = mahalanobis(z, whiten)
    sigmas = -(whiten.mean @ whiten.axes) / whiten.scales  # the origin's whitened coordinates
    origin = float(np.sqrt(sigmas @ sigmas))
    axis = int(np.argmax(np.abs(sigmas)))
    reach = abs(float(sigmas[axis]))
    beyond_on_axis = 0
    for start in range(0, len(z), chunk_rows):
        chunk = np.asarray(z[start : start + chunk_rows], dtype=np.float64) - whiten.mean
        beyond_on_axis += int((np.abs(chunk @ whiten.axes[:, axis]) / whiten.scales[axis] > reach).sum())
    return {
        "origin": origin,
        "data_mean": float(distances.mean()),
        "data_std": float(distances.std()),
        "data_upper": float(np.percentile(distances, percentile)),
        "data_max": float(distances.max()),
        "share_farther": float(np.mean(distances > origin)),
        "rank": whiten.dof,
        "axis": axis,
        "axis_sigmas": float(sigmas[axis]),
        "axis_share_farther": beyond_on_axis / len(z),
    }


def origin_verdict(share_farther: float, *, border_share: float, outer_share: float, core_share: float) -> str:
    """The origin's place from the share of z-points farther from the centre than it (Mahalanobis).

    "beyond": no z-point lies farther out; "border": fewer than `border_share` do; "outer": fewer
    than `outer_share` (inside the cloud, in its outer zone); "inside": fewer than `core_share`;
    "core": at least `core_share` (nearer the centre than most z-points).
    """
    if not 0 < border_share < outer_share < core_share < 1:
        raise ValueError("thresholds must satisfy 0 < border_share < outer_share < core_share < 1")
    if share_farther <= 0:
        return "beyond"
    if share_farther < border_share:
        return "border"
    if share_farther < outer_share:
        return "outer"
    return "inside" if share_farther < core_share else "core"

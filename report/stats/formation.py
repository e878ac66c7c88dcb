"""Post I, beyond the series: the latent statistics of one training snapshot, as numbers.

The same quantities the later posts study on the final model (pairs of correlated components, the
principal directions that carry most of the variance, the radius, where the origin lies), taken
from the latent vectors one encoder snapshot gives, so that their course over training can be read.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from report.stats._common import check_z
from report.stats.correlations import pairs_above, streaming_correlation
from report.stats.distributions import radii
from report.stats.principal import RELATIVE_FLOOR, components_for
from report.stats.slices import mahalanobis_position, origin_position


def latent_summary(z: np.ndarray, thresholds: Sequence[float], variance_share: float, *,
                   rule: str = "drop", relative_floor: float = RELATIVE_FLOOR) -> dict:
    """Correlated pairs, principal directions, radius and the origin's position of a set of latent vectors.

    Args:
        z: ndarray of shape (n_points, z_dim), n_points >= 2.
        thresholds: |r| thresholds for the pair counts.
        variance_share: The share of the total variance the counted leading directions carry.
        rule, relative_floor: the regularisation of the Mahalanobis distances (`principal.whitening`).

    Returns:
        {"pairs_above": {"0.1": int, ...}, "directions": smallest number of principal directions
        carrying variance_share of the variance, "radius_mean": mean length of the vectors,
        "origin_mahalanobis": Mahalanobis distance of the origin from the centre, "origin_share_farther":
        share of points farther from the centre than the origin in those units,
        "origin_euclidean_share_farther": the same share by Euclidean distance}.
    """
    check_z(z)
    z64 = np.asarray(z, dtype=np.float64)
    centre = z64.mean(axis=0)
    covariance = np.cov(z64, rowvar=False)
    eigenvalues = np.clip(np.linalg.eigvalsh((covariance + covariance.T) / 2)[::-1], 0.0, None)
    if eigenvalues.sum() > 0:
        directions = components_for(eigenvalues, (variance_share,))[f"{variance_share:g}"]
    else:
        directions = 0
    position = mahalanobis_position(z64, centre, covariance, rule=rule, relative_floor=relative_floor)
    return {
        "pairs_above": pairs_above(streaming_correlation(z), thresholds),
        "directions": int(directions),
        "radius_mean": float(radii(z).mean()),
        "origin_mahalanobis": position["origin"],
        "origin_share_farther": position["share_farther"],
        "origin_euclidean_share_farther": origin_position(z, centre)["share_farther"],
    }


def course(values: Sequence[float | None], *, change_share: float, settle_tolerance: float,
           settle_snapshots: int) -> dict:
    """How one quantity moved over the training snapshots, read from its values in epoch order.

    Args:
        values: The quantity per snapshot, in epoch order (None where it could not be measured).
        change_share: The last value differs from the first by more than this share of the largest
            magnitude: it grows or shrinks, else it stays. An inner maximum (minimum) that lies above (below)
            both ends by more than this share of the larger of the values' spread and the nearer end's size is
            a peak (trough) worth naming.
        settle_tolerance: Settled when the values of the last `settle_snapshots` snapshots lie within
            this share of the largest of them (all zero counts as settled).
        settle_snapshots: How many of the last snapshots the settling is judged on (at least 2).

    Returns:
        {"direction": "grows" | "shrinks" | "stays" | "unknown", "turn": None | "peak" | "trough",
        "turn_index": index of the peak or trough (None without one), "turn_value": its value,
        "recent_change": spread of the last `settle_snapshots` values over the largest of them (None with
        fewer values), "settled": recent_change <= settle_tolerance (None with fewer values)}.
        "unknown" (and nothing else) when fewer than two values or any missing or not finite.
    """
    unknown = {"direction": "unknown", "turn": None, "turn_index": None, "turn_value": None,
               "recent_change": None, "settled": None}
    if len(values) < 2 or any(v is None or not np.isfinite(v) for v in values):
        return unknown
    v = np.asarray(values, dtype=np.float64)
    first, last = v[0], v[-1]
    scale = float(np.abs(v).max())
    if abs(last - first) <= change_share * scale:
        direction = "stays"
    else:
        direction = "grows" if last > first else "shrinks"
    top, bottom = int(v.argmax()), int(v.argmin())
    spread = float(v.max() - v.min())
    # An inner extreme counts when it lies beyond the nearer end by more than change_share of the larger of the
    # whole spread and that end's size: 52 -> 17.6 -> 22.2 has a trough, 1 -> 1.25 -> 1.2 no peak.
    rise = v[top] - max(first, last) if 0 < top < len(v) - 1 else 0.0
    dip = min(first, last) - v[bottom] if 0 < bottom < len(v) - 1 else 0.0
    significant_rise = rise > change_share * max(spread, abs(max(first, last)))
    significant_dip = dip > change_share * max(spread, abs(min(first, last)))
    turn = turn_index = turn_value = None
    if significant_rise or significant_dip:
        turn, turn_index = ("peak", top) if significant_rise and (rise >= dip or not significant_dip) else ("trough", bottom)
        turn_value = float(v[turn_index])
    recent_change = settled = None
    if settle_snapshots >= 2 and len(v) >= max(3, settle_snapshots):
        recent = v[-settle_snapshots:]
        largest = float(np.abs(recent).max())
        recent_change = float(recent.max() - recent.min()) / largest if largest > 0 else 0.0
        settled = recent_change <= settle_tolerance
    return {"direction": direction, "turn": turn, "turn_index": turn_index, "turn_value": turn_value,
            "recent_change": recent_change, "settled": settled}

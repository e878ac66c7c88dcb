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

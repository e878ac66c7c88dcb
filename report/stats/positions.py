"""Where artificial latent vectors lie relative to the data, and how their decodes score (posts V-VII).

Arrays in, floats or arrays out; no I/O. `vectors` and `points` have shape (n, z_dim).
"""

from __future__ import annotations

import numpy as np

from report.stats.distributions import radii
from report.stats.images import nearest_image_distance, pixel_spread
from report.stats.principal import Whitening, mahalanobis
from report.stats.slices import share_inside_ranges


def share_in_interval(values: np.ndarray, low: float, high: float) -> float:
    """Share of values inside the closed interval [low, high]."""
    values = np.asarray(values)
    return float(np.mean((values >= low) & (values <= high)))


def component_ranges(z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per-component minimum and maximum of the data, float64 arrays of shape (z_dim,)."""
    return np.asarray(z.min(axis=0), dtype=np.float64), np.asarray(z.max(axis=0), dtype=np.float64)


def batch_position(vectors: np.ndarray, low: np.ndarray, high: np.ndarray, radius_range: tuple[float, float],
                   whiten: Whitening) -> dict[str, float]:
    """A batch of vectors against the data: mean length, share of components inside the data's ranges,
    share of lengths inside the data's radius range, and mean Mahalanobis distance from the centre
    (under the cloud's regularised whitening, `principal.whitening`)."""
    lengths = radii(vectors)
    return {
        "radius_mean": float(lengths.mean()),
        "share_inside_ranges": share_inside_ranges(vectors, low, high),
        "share_radius_in_data_range": share_in_interval(lengths, *radius_range),
        "mahalanobis_mean": float(mahalanobis(vectors, whiten).mean()),
    }


def centre_distances(points: np.ndarray, centre: np.ndarray, scale: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Euclidean distance of each point from the centre, plain and with each component divided by `scale`."""
    offsets = np.asarray(points) - centre
    return radii(offsets), radii(offsets / scale)


def std_scale(stds: np.ndarray) -> np.ndarray:
    """Component stds to divide by: a constant component (std 0) keeps unit scale."""
    return np.where(stds > 0, stds, 1)


def decode_scores(decodes: np.ndarray, reference: np.ndarray) -> tuple[float, float]:
    """Mean nearest-image distance to the reference images and mean pixel spread of a set of decodes."""
    return (float(np.mean(nearest_image_distance(decodes, reference))),
            float(np.mean(pixel_spread(decodes))))

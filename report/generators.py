"""Every latent-vector generator of the series, as one table of samplers for the scoreboard.

Each generator is the one a post used, drawn `n` times with the settings that post's record
holds: uniform vectors in [-b, b]^N with post II's matching b (V), per-component intervals
mu_j +/- f w_j for each f (VII), points on the straight paths through the centre (VI), N(mu, Sigma)
(VIII), Gaussian mixtures with the best-BIC K and K = 10 (VIII, as in RAE), Mahalanobis shells of
the principal frame (X), and N(0, I) as RAE draws from a plain autoencoder. Pure: arrays and
records in, vectors out; randomness from `rng`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from report.samplers import interval_vectors
from report.stats import normal_fit, principal


@dataclass(frozen=True)
class Generator:
    """One generator's vectors: `name` is stable (the scoreboard's key), `family` groups the posts."""

    name: str
    title: str
    family: str  # "ceiling", "independent", "path", "normal", "mixture", "shell"
    post: str  # the post it comes from, as a Roman numeral ("" for N(0, I))
    vectors: np.ndarray  # (n, z_dim)


def path_points(centre: np.ndarray, half_widths: np.ndarray, plane_paths: Sequence[tuple[int, int, float]],
                extent: float, n: int, rng: np.random.Generator) -> np.ndarray:
    """Points spread uniformly along post VI's straight paths through the centre.

    Each point picks one of the paths (i, j, angle in degrees) and a position s uniform in [-1, 1]
    on it: centre + s d, with d of half extent extent * half_width in the plane (i, j), rotated.
    """
    centre = np.asarray(centre, dtype=np.float64)
    choice = rng.integers(len(plane_paths), size=n)
    s = rng.uniform(-1.0, 1.0, size=n)
    out = np.tile(centre, (n, 1))
    for k, (i, j, angle) in enumerate(plane_paths):
        rows = choice == k
        a = np.deg2rad(angle)
        reach_i, reach_j = extent * half_widths[i], extent * half_widths[j]
        out[rows, i] += s[rows] * (np.cos(a) * reach_i - np.sin(a) * reach_j)
        out[rows, j] += s[rows] * (np.sin(a) * reach_i + np.cos(a) * reach_j)
    return out


def all_generators(n: int, rng: np.random.Generator, *, z_dim: int, matching_b: float, centre: np.ndarray,
                   half_widths: np.ndarray, width: str, factors: Sequence[float],
                   plane_paths: Sequence[tuple[int, int, float]], extent: float,
                   axes: principal.PrincipalAxes, whiten: principal.Whitening, mixtures: normal_fit.MixtureFit,
                   shells: Sequence[tuple[float, float]]) -> list[Generator]:
    """Every artificial generator, n vectors each (reconstructions, the ceiling, are the caller's).

    Args:
        matching_b: post II's b whose uniform vectors match the data's mean length.
        centre, half_widths: post II's component means and FWHM.
        width: post VII's rule, "fwhm" (w = half width) or "hwhm" (w = half of it).
        factors: post VII's f values.
        plane_paths: post VI's plane paths as (i, j, angle in degrees).
        extent: post VI's reach in half widths.
        axes, whiten, mixtures: post VIII's fit (see `report.normal_models`).
        shells: post X's shells [low, high) in units of sqrt(dof).
    """
    widths = half_widths if width == "fwhm" else half_widths / 2
    out = [Generator("uniform", f"uniform, b = {matching_b:.2f}", "independent", "V",
                     rng.uniform(-matching_b, matching_b, size=(n, z_dim)))]
    for f in factors:
        out.append(Generator(f"intervals-{f:g}", f"intervals, f = {f:g}", "independent", "VII",
                             interval_vectors(centre, widths, f, n, rng)))
    if plane_paths:
        out.append(Generator("paths", "points on paths through c", "path", "VI",
                             path_points(centre, half_widths, plane_paths, extent, n, rng)))
    out.append(Generator("normal", "N(μ, Σ)", "normal", "VIII", principal.sample_principal(axes, n, rng)))
    out.append(Generator("mixture-best", f"mixture, K = {mixtures.best_k} (lowest BIC)", "mixture", "VIII",
                         normal_fit.sample_mixture(mixtures, mixtures.best_k, n, rng)[0]))
    out.append(Generator("mixture-fixed", f"mixture, K = {mixtures.fixed_k} (RAE)", "mixture", "VIII",
                         normal_fit.sample_mixture(mixtures, mixtures.fixed_k, n, rng)[0]))
    root = np.sqrt(whiten.dof)
    for number, (low, high) in enumerate(shells, start=1):
        out.append(Generator(f"shell-{number}", f"shell [{low:g}, {high:g}) × √N", "shell", "X",
                             principal.sample_shell(whiten, n, rng, r_low=low * root, r_high=high * root)))
    out.append(Generator("standard-normal", "N(0, I)", "independent", "", rng.standard_normal((n, z_dim))))
    return out

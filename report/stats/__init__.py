"""Latent-space statistics of posts II-V, as pure functions.

Post II (`distributions`): component histograms, mean, std, half width (FWHM), dominant
components, radii and uniform vectors. Post III (`correlations`): streaming Pearson matrix,
pair counts and lists. Post IV and V (`slices`): slices around the origin and the share of
artificial vectors inside the data's ranges.

Arrays in, numbers, arrays or JSON-ready dicts out; no I/O, plotting or globals; anything random
takes `rng: numpy.random.Generator`. `z` has shape (n_points, z_dim) and is read in row chunks.
"""

from report.stats._common import sample_rows
from report.stats.correlations import (
                                       abs_r_summary,
                                       choose_pairs,
                                       correlated_pairs,
                                       covariance_from_correlation,
                                       heatmap_components,
                                       independent_sd,
                                       pairs_above,
                                       pairs_touching,
                                       streaming_correlation,
)
from report.stats.distributions import (
                                       best_uniform_b,
                                       closest_uniform_b,
                                       component_histograms,
                                       component_summary,
                                       dominant_components,
                                       half_widths,
                                       radii,
                                       radius_summary,
                                       uniform_radius_comparison,
                                       uniform_vectors,
)
from report.stats.images import nearest_image_distance, pixel_spread
from report.stats.slices import (
                                       expected_slice_fraction,
                                       mahalanobis_distances,
                                       mahalanobis_position,
                                       origin_position,
                                       share_inside_ranges,
                                       slice_counts,
                                       slice_mask,
)

__all__ = [
    "abs_r_summary",
    "best_uniform_b",
    "choose_pairs",
    "closest_uniform_b",
    "component_histograms",
    "component_summary",
    "correlated_pairs",
    "covariance_from_correlation",
    "dominant_components",
    "expected_slice_fraction",
    "half_widths",
    "heatmap_components",
    "independent_sd",
    "mahalanobis_distances",
    "mahalanobis_position",
    "nearest_image_distance",
    "origin_position",
    "pairs_above",
    "pairs_touching",
    "pixel_spread",
    "radii",
    "radius_summary",
    "sample_rows",
    "share_inside_ranges",
    "slice_counts",
    "slice_mask",
    "streaming_correlation",
    "uniform_radius_comparison",
    "uniform_vectors",
]

# Post I: reconstruction error and pixel spread of decoded images.
from report.stats.reconstruction import pixel_std, psnr, reconstruction_error, ssim

__all__ += ["pixel_std", "psnr", "reconstruction_error", "ssim"]

# Post II: all components together, and the widest of them.
from report.stats.distributions import component_overview, widest_components  # noqa: E402

__all__ += ["component_overview", "widest_components"]

"""One function per figure of posts I-VII: data in, `matplotlib.figure.Figure` out.

No function touches pyplot, shows or saves; `save_figure` is the one place that writes files
(PNG at 150 dpi, or byte-stable SVG for light line plots). Colours and fonts live in `style`.
"""

from report.figures.curves import component_histograms, dominant_histograms, loss_curve, radius_histograms
from report.figures.filaments import density_panels, dimension_scale, embeddings, ripley_envelopes, zoom_windows
from report.figures.formation import formation_curves
from report.figures.images import image_grid, image_pairs, image_strip, individuals, judged_rows
from report.figures.normal import (
                                        bic_curve,
                                        ellipse_planes,
                                        mahalanobis_qq,
                                        principal_histograms,
                                        principal_scatter,
                                        scoreboard,
                                        spectrum,
)
from report.figures.projections import (
                                        correlation_heatmap,
                                        origin_projection,
                                        pair_scatter_grid,
                                        path_projections,
                                        plane_path_row,
                                        slice_projection,
)
from report.figures.save import PNG_DPI, save_figure
from report.figures.style import PALETTE, TEXT_WIDTH, zlabel
from report.figures.verdicts import verdict_shares

__all__ = [  # noqa: RUF022 (grouped by post)
    "PALETTE", "PNG_DPI", "TEXT_WIDTH", "zlabel", "save_figure",
    # post I
    "image_grid", "image_pairs", "loss_curve", "formation_curves", "judged_rows", "verdict_shares",
    # post II
    "component_histograms", "dominant_histograms", "radius_histograms",
    # post III
    "correlation_heatmap", "pair_scatter_grid",
    # post IV
    "origin_projection", "slice_projection",
    # post VI
    "path_projections", "image_strip", "plane_path_row",
    # post VII
    "individuals",
    # posts VIII-X and the scoreboard
    "mahalanobis_qq", "ellipse_planes", "bic_curve", "spectrum", "principal_histograms", "principal_scatter",
    "scoreboard",
    # the filaments page
    "density_panels", "embeddings", "zoom_windows", "ripley_envelopes", "dimension_scale",
]

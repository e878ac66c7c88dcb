"""One function per figure of posts I-VII: data in, `matplotlib.figure.Figure` out.

No function touches pyplot, shows or saves; `save_figure` is the one place that writes files
(PNG at 150 dpi, or byte-stable SVG for light line plots). Colours and fonts live in `style`.
"""

from report.figures.curves import component_histograms, dominant_histograms, loss_curve, radius_histograms
from report.figures.filaments import density_panels, dimension_scale, embeddings, zoom_windows
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

__all__ = [
                                        "PALETTE",
                                        "PNG_DPI",
                                        "TEXT_WIDTH",
                                        "bic_curve",
                                        # post II
                                        "component_histograms",
                                        # post III
                                        "correlation_heatmap",
                                        # the filaments page
                                        "density_panels",
                                        "dimension_scale",
                                        "dominant_histograms",
                                        "ellipse_planes",
                                        "embeddings",
                                        "formation_curves",
                                        # post I
                                        "image_grid",
                                        "image_pairs",
                                        "image_strip",
                                        # post VII
                                        "individuals",
                                        "judged_rows",
                                        "loss_curve",
                                        # posts VIII-X and the scoreboard
                                        "mahalanobis_qq",
                                        # post IV
                                        "origin_projection",
                                        "pair_scatter_grid",
                                        # post VI
                                        "path_projections",
                                        "plane_path_row",
                                        "principal_histograms",
                                        "principal_scatter",
                                        "radius_histograms",
                                        "save_figure",
                                        "scoreboard",
                                        "slice_projection",
                                        "spectrum",
                                        "verdict_shares",
                                        "zlabel",
                                        "zoom_windows",
]

"""Post I, beyond the series: the latent statistics of the training snapshots against the epoch."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from report.figures.style import PALETTE, TEXT_WIDTH, grid_axes, new_figure, styled


@styled
def formation_curves(epochs: Sequence[int], panels: Mapping[str, Mapping[str, Sequence[float | None]]], *,
                     log_y: Sequence[str] = (), columns: int = 3) -> Figure:
    """One panel per title, each with one or more lines against the epoch (log x axis).

    Args:
        epochs: (k,) 1-based epochs of the snapshots.
        panels: {panel title: {line label: (k,) values}}; None values are left out. A panel with one
            line gets no legend.
        log_y: Titles of the panels drawn with a log y axis.
        columns: Panels per row.
    """
    x = np.asarray(epochs, dtype=float)
    rows = -(-len(panels) // columns)
    fig = new_figure(TEXT_WIDTH, 1.9 * rows + 0.2)
    axes = grid_axes(fig, len(panels), columns, sharex=True)
    colours = [PALETTE["data"], PALETTE["uniform"], PALETTE["chosen"], PALETTE["guide"]]
    for ax, (title, lines) in zip(axes, panels.items(), strict=True):
        for colour, (label, values) in zip(colours, lines.items()):
            y = np.array([np.nan if v is None else v for v in values], dtype=float)
            ax.plot(x, y, marker="o", ms=3, color=colour, label=label)
        ax.set_xscale("log", base=2)
        ax.xaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}"))
        if title in log_y:
            ax.set_yscale("log")
            ax.yaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}"))
            ax.yaxis.set_minor_formatter(FuncFormatter(lambda value, _: ""))
        ax.set_title(title)
        if len(lines) > 1:
            ax.legend(frameon=False)
    for ax in axes[-columns:]:
        ax.set_xlabel("epoch")
    return fig

"""Figures of a sweep's study page: key statistics against a varied parameter, one point per run."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import PercentFormatter

from report.figures.style import grid_axes, new_figure, styled

PANEL_COLUMNS = 3
PANEL_SIZE = (2.0, 1.7)  # inches per panel (width, height)
JITTER = 0.12  # horizontal spread of a group's points, in group widths


@styled
def statistics_against(panels: list[dict], parameter: str) -> Figure:
    """One panel per key statistic: every run as a point over the parameter's values, mean ± sd as a bar.

    `panels`: [{"label": str, "percent": bool, "groups": [{"value": shown value, "points": [float], "mean", "sd"}]}],
    the groups in the sweep's order of values; a percent panel's values are shares of 1.
    """
    columns = min(PANEL_COLUMNS, len(panels))
    rows = -(-len(panels) // columns)
    fig = new_figure(PANEL_SIZE[0] * columns + 0.4, PANEL_SIZE[1] * rows + 0.3)
    for ax, panel in zip(grid_axes(fig, len(panels), columns), panels, strict=True):
        _draw_panel(ax, panel)
        ax.set_xlabel(parameter, fontsize=7)
    return fig


def _draw_panel(ax, panel: dict) -> None:
    groups = panel["groups"]
    for position, group in enumerate(groups):
        points = np.asarray(group["points"], dtype=float)
        offsets = np.linspace(-JITTER, JITTER, len(points)) if len(points) > 1 else np.zeros(1)
        ax.scatter(position + offsets[: len(points)], points, s=12, color="tab:blue", alpha=0.8, zorder=2)
        if group.get("mean") is not None:
            spread = group["sd"] if group.get("sd") is not None else 0.0
            ax.errorbar(position + 2.5 * JITTER, group["mean"], yerr=spread, fmt="_", color="black", capsize=2,
                        markersize=8, zorder=3)
    ax.set_xticks(range(len(groups)), [str(group["value"]) for group in groups], fontsize=7)
    ax.set_xlim(-0.5, len(groups) - 0.5)
    ax.tick_params(axis="y", labelsize=7)
    if panel.get("percent"):
        ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=None))
    ax.set_title(_wrapped(panel["label"]), fontsize=7)


def _wrapped(text: str, width: int = 33) -> str:
    """A long label on at most two lines."""
    if len(text) <= width:
        return text
    cut = text.rfind(" ", 0, width)
    cut = cut if cut > 0 else width
    rest = text[cut:].strip()
    return text[:cut] + "\n" + (rest if len(rest) <= width else rest[: width - 1] + "…")

"""Figures of the filaments page: the z-points beside their null samples, always side by side.

Data blue as in every post; the normal sample (N(mu, Sigma)) grey, the permuted principal scores
orange. Each function takes arrays and returns a Figure.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from matplotlib.figure import Figure

from report.figures.style import PALETTE, TEXT_WIDTH, new_figure, styled

SAMPLE_COLOURS = {"data": PALETTE["data"], "normal": "#555555", "permuted": "#ff7f0e"}
SAMPLE_LABELS = {"data": "z-points", "normal": "N(μ, Σ)", "permuted": "permuted scores"}


@styled
def density_panels(samples: Mapping[str, np.ndarray], axes_shown: Sequence[int], radii: Mapping[str, np.ndarray],
                   bin_width: float, axis_p_values: Mapping[str, np.ndarray]) -> Figure:
    """Number densities (bins of `bin_width`) of the z-points on chosen axes and of the radius, with the
    null samples' curves overlaid; each axis panel names the KS p-value against the normal sample."""
    n = len(axes_shown) + 1
    columns = min(4, n)
    rows = -(-n // columns)
    fig = new_figure(TEXT_WIDTH, 1.55 * rows + 0.4)
    grid = fig.subplots(rows, columns, squeeze=False).ravel()
    for ax in grid[n:]:
        ax.remove()
    for ax, axis in zip(grid, axes_shown):
        values = np.concatenate([s[:, axis] for s in samples.values()])
        edges = np.arange(np.floor(values.min() / bin_width) * bin_width, values.max() + bin_width, bin_width)
        for name, sample in samples.items():
            counts, _ = np.histogram(sample[:, axis], bins=edges)
            ax.stairs(counts, edges, color=SAMPLE_COLOURS[name], lw=1.4 if name == "data" else 1.0,
                      fill=name == "data", alpha=0.35 if name == "data" else 1.0, label=SAMPLE_LABELS[name])
        p = axis_p_values["normal"][axis]
        ax.set_title(f"z[{axis}]  KS p = {p:.2g}", pad=2)
        ax.tick_params(labelleft=False)
    ax = grid[len(axes_shown)]
    values = np.concatenate(list(radii.values()))
    edges = np.linspace(values.min(), values.max(), 60)
    for name, r in radii.items():
        counts, _ = np.histogram(r, bins=edges)
        ax.stairs(counts, edges, color=SAMPLE_COLOURS[name], lw=1.4 if name == "data" else 1.0,
                  fill=name == "data", alpha=0.35 if name == "data" else 1.0)
    ax.set_title("radius |z|", pad=2)
    ax.tick_params(labelleft=False)
    handles, labels = grid[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncols=len(labels))
    return fig


@styled
def embeddings(panels: Sequence[Mapping]) -> Figure:
    """t-SNE embeddings, two inputs per row, each as a pair: z-points left, the normal sample right.

    panels: dicts with "input", "sample", "points" (n, 2), "preservation", "empty_share".
    """
    inputs = list(dict.fromkeys(p["input"] for p in panels))
    samples = list(dict.fromkeys(p["sample"] for p in panels))
    per_row = 2 if len(inputs) > 1 else 1
    columns = per_row * len(samples)
    rows = -(-len(inputs) // per_row)
    fig = new_figure(TEXT_WIDTH, TEXT_WIDTH / columns * rows + 0.3 * rows)
    grid = fig.subplots(rows, columns, squeeze=False)
    for ax in grid.ravel():
        ax.set_axis_off()
    for p in panels:
        index = inputs.index(p["input"])
        ax = grid[index // per_row, (index % per_row) * len(samples) + samples.index(p["sample"])]
        ax.set_axis_on()
        points = np.asarray(p["points"])
        ax.scatter(points[:, 0], points[:, 1], s=0.8, c=SAMPLE_COLOURS[p["sample"]], linewidths=0, rasterized=True)
        ax.set_title(f"{SAMPLE_LABELS[p['sample']]}, {p['input']}\nkept {p['preservation']:.2f}, "
                     f"empty {p['empty_share']:.0%}", pad=2, fontsize=8)
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_aspect("equal", adjustable="datalim")
    return fig


@styled
def zoom_windows(plane: tuple[int, int], windows: Sequence[float], samples: Mapping[str, np.ndarray],
                 clark_evans: Mapping[str, Sequence[float | None]]) -> Figure:
    """One principal plane in square windows from the cloud's width down (columns), the z-points in the
    top row and the normal sample below; each panel names its point count and Clark-Evans ratio."""
    names = list(samples)
    fig = new_figure(TEXT_WIDTH, TEXT_WIDTH / len(windows) * len(names) + 0.35)
    grid = fig.subplots(len(names), len(windows), squeeze=False)
    for row, name in enumerate(names):
        coords = np.asarray(samples[name])
        for column, half in enumerate(windows):
            ax = grid[row, column]
            inside = coords[np.all(np.abs(coords) <= half, axis=1)]
            size = float(np.clip(800.0 / max(len(inside), 1), 0.3, 8.0))
            ax.scatter(inside[:, 0], inside[:, 1], s=size, c=SAMPLE_COLOURS[name], linewidths=0, rasterized=True)
            ax.set_xlim(-half, half)
            ax.set_ylim(-half, half)
            ax.set_aspect("equal")
            ax.set_xticks([-half, 0, half])
            ax.set_yticks([])
            ax.tick_params(labelsize=7)
            ce = clark_evans[name][column]
            ax.set_title(f"{SAMPLE_LABELS[name]}: {len(inside)}" + (f", R {ce:.2f}" if ce is not None else ""),
                         pad=2, fontsize=8)
    fig.suptitle(f"principal axes {plane[0]} and {plane[1]} (0 = the largest), square windows around the centre")
    return fig


@styled
def dimension_scale(rows: Sequence[Mapping]) -> Figure:
    """Levina-Bickel (solid) and TwoNN (dashed) dimension against the number of points, per sample."""
    fig = new_figure(TEXT_WIDTH * 0.7, 3.0)
    ax = fig.subplots()
    for name in dict.fromkeys(r["sample"] for r in rows):
        mine = sorted((r for r in rows if r["sample"] == name), key=lambda r: r["n_points"])
        n = [r["n_points"] for r in mine]
        ax.plot(n, [r["levina_bickel"] for r in mine], "o-", color=SAMPLE_COLOURS[name],
                label=f"{SAMPLE_LABELS[name]}, Levina-Bickel")
        ax.plot(n, [r["two_nn"] for r in mine], "s--", color=SAMPLE_COLOURS[name], ms=3.5,
                label=f"{SAMPLE_LABELS[name]}, TwoNN")
    ax.set_xscale("log")
    ax.set_xlabel("points")
    ax.set_ylabel("intrinsic dimension")
    ax.set_ylim(bottom=0)
    ax.legend(fontsize=7, ncols=2)
    return fig


@styled
def ripley_envelopes(panels: Sequence[Mapping]) -> Figure:
    """Ripley's L(r) - r per window (columns, widest left) and plane (rows): the pointwise envelope of the
    fitted normal's samples as a grey band, the z-points blue, the normal sample grey dashed and the permuted
    scores orange.

    panels: dicts with "plane", "half_width", "radii", "low", "high" and "curves" (sample -> L(r) - r).
    """
    planes = list(dict.fromkeys(tuple(p["plane"]) for p in panels))
    columns = max(sum(tuple(p["plane"]) == plane for p in panels) for plane in planes)
    fig = new_figure(TEXT_WIDTH, 1.55 * len(planes) + 0.5)
    grid = fig.subplots(len(planes), columns, squeeze=False)
    for ax in grid.ravel():
        ax.set_axis_off()
    used = dict.fromkeys(planes, 0)
    for p in panels:
        plane = tuple(p["plane"])
        row, column = planes.index(plane), used[plane]
        used[plane] += 1
        ax = grid[row, column]
        ax.set_axis_on()
        radii = np.asarray(p["radii"])
        ax.fill_between(radii, p["low"], p["high"], color="#bbbbbb", alpha=0.6, lw=0, label="envelope, N(μ, Σ)")
        ax.axhline(0.0, color="#888888", lw=0.5)
        for name in ("permuted", "normal", "data"):
            if name in p["curves"]:
                ax.plot(radii, p["curves"][name], color=SAMPLE_COLOURS[name], lw=1.4 if name == "data" else 0.9,
                        ls="--" if name == "normal" else "-", label=SAMPLE_LABELS[name])
        ax.set_title(f"plane {plane[0]}–{plane[1]}, ±{p['half_width']:.2g}", pad=2, fontsize=7)
        ax.tick_params(labelsize=7)
        ax.ticklabel_format(axis="y", style="plain")
        if column == 0:
            ax.set_ylabel("L(r) − r", fontsize=8)
        if row == len(planes) - 1:
            ax.set_xlabel("r", fontsize=8)
    handles, labels = next(ax for ax in grid.ravel() if ax.axison).get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncols=len(labels), fontsize=8)
    return fig

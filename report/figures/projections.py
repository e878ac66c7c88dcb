"""Correlation heat map and projections of z-points onto coordinate planes (posts III, IV, VI).

Every projection panel draws the same layers with the same colours (see style.PALETTE):
data points blue and tiny (rasterized), artificial uniform points red, a chosen data point orange,
the centre an orange star, a path red with a line, the origin yellow with a dark edge. The
collections carry labels 'data', 'uniform', 'chosen', 'centre', 'origin' (and the path line
'path'), so tests and callers can find them.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator
from numpy.typing import ArrayLike

from report.figures.style import (
    MARKERS,
    PALETTE,
    TEXT_WIDTH,
    data_point_size,
    grid_axes,
    legend_handle,
    new_figure,
    styled,
    zlabel,
)

PATH_ZORDER = max(style["zorder"] for style in MARKERS.values()) + 1  # a path is drawn above every marker


def _latents(z: ArrayLike | None, name: str, n_dim: int | None = None) -> np.ndarray | None:
    if z is None:
        return None
    array = np.asarray(z, dtype=float)
    if array.ndim == 1:
        array = array[None, :]
    if array.ndim != 2:
        raise ValueError(f"{name}: expected shape (m, N), got {array.shape}")
    if n_dim is not None and array.shape[1] != n_dim:
        raise ValueError(f"{name}: {array.shape[1]} components, the data have {n_dim}")
    return array


def _pair(pair: Sequence[int]) -> tuple[int, int]:
    i, j = (int(v) for v in pair)
    return i, j


def _draw(ax: Axes, i: int, j: int, data: np.ndarray, *, uniform=None, chosen=None, centre=None,
          path=None, origin=True, size=None, equal=True, nbins=4, data_on_top=False) -> None:
    """One projection panel onto the plane (z[i], z[j]); data_on_top draws data above uniform points."""
    s = data_point_size(len(data)) if size is None else size
    ax.scatter(data[:, i], data[:, j], s=s, c=PALETTE["data"], linewidths=0, marker="o",
               rasterized=True, zorder=3.5 if data_on_top else 1, label="data")
    if uniform is not None:
        ax.scatter(uniform[:, i], uniform[:, j], c=PALETTE["uniform"], label="uniform", **MARKERS["uniform"])
    if path is not None:
        # above the centre and origin markers: a path that starts or ends there stays visible
        ax.plot(path[:, i], path[:, j], color=PALETTE["path"], lw=1.3, marker="o", ms=4,
                mec="#7a0c0c", mew=0.5, zorder=PATH_ZORDER, label="path")
    if chosen is not None:
        ax.scatter(chosen[:, i], chosen[:, j], c=PALETTE["chosen"], label="chosen", **MARKERS["chosen"])
    if centre is not None:
        ax.scatter(centre[:, i], centre[:, j], c=PALETTE["centre"], label="centre", **MARKERS["centre"])
    if origin:
        ax.scatter([0.0], [0.0], c=PALETTE["origin"], label="origin", **MARKERS["origin"])
    ax.set_xlabel(zlabel(i), labelpad=1)
    ax.set_ylabel(zlabel(j), labelpad=1)
    ax.xaxis.set_major_locator(MaxNLocator(nbins=nbins, steps=[1, 2, 5, 10]))
    ax.yaxis.set_major_locator(MaxNLocator(nbins=nbins + 1, steps=[1, 2, 5, 10]))
    if equal:
        ax.set_aspect("equal", adjustable="datalim")


def _panel_grid(n: int, columns: int, title_height: float = 0.0) -> tuple[Figure, list[Axes]]:
    """A text-wide figure of n near-square projection panels, room for a legend above them."""
    columns = max(1, min(columns, n))
    rows = -(-n // columns)
    fig = new_figure(TEXT_WIDTH, 0.3 + rows * (TEXT_WIDTH / columns) * 0.95 + title_height * rows)
    return fig, grid_axes(fig, n, columns)


def _legend(fig: Figure, entries: list[tuple[str, str]]) -> None:
    fig.legend(handles=[legend_handle(kind, label) for kind, label in entries], loc="outside upper center",
               ncols=len(entries), handletextpad=0.3, columnspacing=1.2)


@styled
def correlation_heatmap(r: ArrayLike, indices: Sequence[int], annotate: bool | None = None) -> Figure:
    """Heat map of a block of the Pearson correlation matrix.

    r: (k, k) correlations of the components `indices` (k of them, in that order); colours on a
    diverging map fixed to -1..1 with a colourbar; tick labels are the component indices.
    annotate: write r into the cells (default: when k <= 10). Returns a Figure with two axes
    (heat map, colourbar).
    """
    r = np.asarray(r, dtype=float)
    labels = [str(int(v)) for v in indices]
    if r.ndim != 2 or r.shape[0] != r.shape[1] or r.shape[0] != len(labels):
        raise ValueError(f"expected r (k, k) and k indices, got {r.shape} and {len(labels)}")
    k = len(labels)
    side = float(np.clip(0.3 * k + 1.4, 3.0, TEXT_WIDTH - 0.9))
    fig = new_figure(side + 0.9, side)
    ax = fig.subplots()
    image = ax.imshow(r, cmap=PALETTE["diverging_cmap"], vmin=-1.0, vmax=1.0, interpolation="nearest")
    cell = (side - 0.7) / k  # inches per cell, roughly (the rest is tick labels and axis label)
    step = max(1, int(np.ceil(0.14 / cell)))  # an 8 pt label needs ~0.14 in
    ticks = np.arange(0, k, step)
    ax.set_xticks(ticks, [labels[t] for t in ticks], rotation=90)
    ax.set_yticks(ticks, [labels[t] for t in ticks])
    ax.tick_params(length=2)
    ax.set_xlabel("component")
    ax.set_ylabel("component")
    if annotate if annotate is not None else k <= 10:
        for (a, b), value in np.ndenumerate(r):
            ax.text(b, a, f"{value:.2f}", ha="center", va="center", fontsize=8,
                    color="white" if abs(value) > 0.6 else "black")
    fig.colorbar(image, ax=ax, label="Pearson r", shrink=0.85, ticks=np.linspace(-1, 1, 5))
    return fig


@styled
def pair_scatter_grid(z_sample: ArrayLike, pairs: Sequence[Sequence[int]], uniform: ArrayLike | None = None,
                      chosen_point: ArrayLike | None = None, origin: bool = True, columns: int = 4,
                      titles: Sequence[str] | None = None, equal_aspect: bool = False) -> Figure:
    """One projection panel per pair of components (post III).

    z_sample: (m, N) data points, blue and tiny; pairs: [(i, j), ...], panel k shows z[j] over z[i];
    uniform: (k, N) artificial points (red) or None; chosen_point: (N,) one data point (orange) or
    None; origin: draw the origin (yellow); titles: one per pair (e.g. 'r = -0.81') or None.
    equal_aspect: same scale on both axes (distances true, narrow components squeezed).
    Returns a Figure with len(pairs) axes and one legend above them.
    """
    data = _latents(z_sample, "z_sample")
    n_dim = data.shape[1]
    uni = _latents(uniform, "uniform", n_dim)
    chosen = _latents(chosen_point, "chosen_point", n_dim)
    pairs = [_pair(p) for p in pairs]
    if titles is not None and len(titles) != len(pairs):
        raise ValueError(f"{len(titles)} titles for {len(pairs)} pairs")
    fig, axes = _panel_grid(len(pairs), columns, title_height=0.15 if titles else 0)
    for k, ax in enumerate(axes):
        _draw(ax, *pairs[k], data, uniform=uni, chosen=chosen, origin=origin, equal=equal_aspect)
        if titles is not None:
            ax.set_title(str(titles[k]), pad=2)
    entries = [("data", f"data ({len(data)})")]
    if uni is not None:
        entries.append(("uniform", f"uniform ({len(uni)})"))
    if chosen is not None:
        entries.append(("chosen", "chosen point"))
    if origin:
        entries.append(("origin", "origin"))
    _legend(fig, entries)
    return fig


def _window(ax: Axes, zoom: float | None) -> None:
    if zoom is not None:
        ax.set_aspect("equal", adjustable="box")
        ax.set_xlim(-zoom, zoom)
        ax.set_ylim(-zoom, zoom)


def _in_window(data: np.ndarray, i: int, j: int, zoom: float | None) -> int:
    if zoom is None:
        return len(data)
    return int(np.count_nonzero((np.abs(data[:, i]) <= zoom) & (np.abs(data[:, j]) <= zoom)))


@styled
def origin_projection(z: ArrayLike, pair: Sequence[int], uniform: ArrayLike | None = None,
                      zoom: float | None = None, title: str | None = None) -> Figure:
    """Projection of z-points onto the plane (i, j) with the origin and artificial points (post IV).

    z: (m, N) data points; pair: (i, j); uniform: (k, N) artificial points or None;
    zoom: half-extent of a square window around the origin, or None for the whole cloud.
    Returns a Figure with one axes and a legend above it.
    """
    data = _latents(z, "z")
    i, j = _pair(pair)
    return _plane_figure(data, _latents(uniform, "uniform", data.shape[1]), i, j, zoom, title,
                         data_label="data", size=data_point_size(_in_window(data, i, j, zoom)), data_on_top=False)


@styled
def slice_projection(z_slice: ArrayLike, pair: Sequence[int], uniform_slice: ArrayLike | None = None,
                     title: str | None = None, zoom: float | None = None) -> Figure:
    """The z-points that survive a slice, projected onto the plane (i, j) (post IV).

    z_slice: (k, N) surviving data points (k may be 0); pair: (i, j); uniform_slice: (u, N)
    artificial points or None; title: e.g. '|z_j| <= 1.5 except 177, 242: 2 of 5000';
    zoom: half-extent of a square window around the origin, or None. Markers grow as k shrinks.
    Returns a Figure with one axes and a legend above it.
    """
    data = _latents(z_slice, "z_slice")
    i, j = _pair(pair)
    return _plane_figure(data, _latents(uniform_slice, "uniform_slice", data.shape[1]), i, j, zoom, title,
                         data_label="data kept", size=data_point_size(len(data)), data_on_top=True)


def _plane_figure(data: np.ndarray, uni: np.ndarray | None, i: int, j: int, zoom: float | None,
                  title: str | None, *, data_label: str, size: float, data_on_top: bool) -> Figure:
    """One projection onto the plane (i, j) with the origin, optional uniform points and a legend."""
    fig = new_figure(4.2, 4.4)
    ax = fig.subplots()
    _draw(ax, i, j, data, uniform=uni, size=size, equal=zoom is None, nbins=7, data_on_top=data_on_top)
    _window(ax, zoom)
    if title:
        ax.set_title(title)
    entries = [("data", f"{data_label} ({len(data)})")]
    if uni is not None:
        entries.append(("uniform", f"uniform ({len(uni)})"))
    entries.append(("origin", "origin"))
    _legend(fig, entries)
    return fig


@styled
def path_projections(z_sample: ArrayLike, path: ArrayLike, centre: ArrayLike,
                     planes: Sequence[Sequence[int]], columns: int = 3, equal_aspect: bool = True) -> Figure:
    """A path through latent space seen in several coordinate planes (post VI).

    z_sample: (m, N) data points (blue); path: (p, N) path points in order (red, joined by a line);
    centre: (N,) the centre (orange star); planes: [(i, j), ...], one panel each; origin in yellow.
    Returns a Figure with len(planes) axes and one legend above them.
    """
    data = _latents(z_sample, "z_sample")
    n_dim = data.shape[1]
    route = _latents(path, "path", n_dim)
    mid = _latents(centre, "centre", n_dim)
    planes = [_pair(p) for p in planes]
    fig, axes = _panel_grid(len(planes), columns)
    for ax, (i, j) in zip(axes, planes):
        _draw(ax, i, j, data, centre=mid, path=route, equal=equal_aspect)
    _legend(fig, [("data", f"data ({len(data)})"), ("path", f"path ({len(route)} points)"),
                  ("centre", "centre"), ("origin", "origin")])
    return fig


@styled
def plane_path_row(z_sample: ArrayLike, path: ArrayLike, centre: ArrayLike, plane: Sequence[int],
                   decodes: ArrayLike | None = None, labels: Sequence[str] | None = None,
                   faces: Sequence[str] | Sequence[bool] | None = None, axis_labels: Sequence[str] | None = None,
                   origin: bool = True) -> Figure:
    """A path through the centre in one plane (post VI): its projection at the left, its decoded row beside it.

    z_sample: (m, N) data points (blue); path: (p, N) path points (red, drawn above the markers);
    centre: (N,) (orange star); plane: (i, j). decodes: (p, s, s, 3) uint8 or None (projection only);
    labels: p strings under the decodes; faces: p verdicts or None (frames by verdict, legend below, as in image_grid). axis_labels: the projection's two axis names (default z[i], z[j]; e.g. "PC1", "PC2" for
    coordinates along principal directions); origin: draw the origin (leave it out where the
    coordinates are not the latent space's own).
    Returns a Figure: one projection axes, then one axes per decode.
    """
    from report.figures.images import LABEL_SPACE, _as_images, _faces, _frame, _labels, _show, verdict_legend

    data = _latents(z_sample, "z_sample")
    route = _latents(path, "path", data.shape[1])
    mid = _latents(centre, "centre", data.shape[1])
    i, j = _pair(plane)
    panel = 1.75  # inches: the projection's side
    if axis_labels is not None and len(axis_labels) != 2:
        raise ValueError(f"two axis labels, got {len(axis_labels)}")

    def projection(ax: Axes) -> None:
        _draw(ax, i, j, data, centre=mid, path=route, nbins=3, origin=origin)
        if axis_labels is not None:
            ax.set_xlabel(axis_labels[0], labelpad=1)
            ax.set_ylabel(axis_labels[1], labelpad=1)

    if decodes is None:
        fig = new_figure(panel + 0.35, panel + 0.3)
        projection(fig.subplots())
        return fig
    images = _as_images(decodes, "decodes")
    if len(images) != len(route):
        raise ValueError(f"{len(images)} decodes for {len(route)} path points")
    marks = _faces(faces, len(images))
    below = _labels(labels, len(images), "labels")
    fig = new_figure(TEXT_WIDTH, panel + 0.3 + (LABEL_SPACE if marks is not None else 0.0))
    if marks is not None:
        verdict_legend(fig)
    left, right = fig.subfigures(1, 2, width_ratios=[panel + 0.45, TEXT_WIDTH - panel - 0.45])
    projection(left.subplots())
    axes = right.subplots(1, len(images), squeeze=False)[0]
    for k, ax in enumerate(axes):
        _show(ax, images[k])
        ax.set_box_aspect(1)
        if marks is not None:
            _frame(ax, marks[k])
        if below is not None:
            ax.set_xlabel(below[k], labelpad=2)
    return fig

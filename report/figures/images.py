"""Figures of images: grids, original/reconstruction pairs, labelled strips (posts I, V, VI, VII)."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from numpy.typing import ArrayLike

from report.face_verdicts import CLEAR, FAINT, NO_FACE, VERDICTS, as_verdict
from report.figures.style import PALETTE, TEXT_WIDTH, grid_axes, new_figure, styled

MAX_CELL = 1.25  # inches: the largest an image is drawn, so few images don't fill a page
LABEL_SPACE = 0.22  # inches per line of title or label text (9 pt plus padding)
FRAME_WIDTH = 2.5  # points: the frame around a judged image, coloured by its verdict
VERDICT_COLOURS = {CLEAR: "face", FAINT: "faint_face", NO_FACE: "not_face"}  # verdict -> PALETTE key


def _as_images(images: ArrayLike, name: str = "images") -> np.ndarray:
    array = np.asarray(images)
    if array.ndim not in (3, 4) or (array.ndim == 4 and array.shape[-1] not in (1, 3, 4)):
        raise ValueError(f"{name}: expected shape (n, s, s, 3) or (n, s, s), got {array.shape}")
    if array.ndim == 3 and array.shape[-1] in (3, 4):
        raise ValueError(f"{name}: shape {array.shape} looks like one colour image; pass a stack (n, s, s, 3)")
    if array.shape[0] == 0:
        raise ValueError(f"{name}: no images")
    if array.ndim == 4 and array.shape[-1] == 1:
        array = array[..., 0]
    return array


def _show(ax: Axes, image: np.ndarray) -> None:
    """An image without ticks or frame; xlabel/ylabel stay available for labels."""
    if image.ndim == 2:
        vmax = 255 if image.dtype == np.uint8 else 1.0
        ax.imshow(image, cmap="gray", vmin=0, vmax=vmax)
    else:
        ax.imshow(image)
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_visible(False)


def _frame(ax: Axes, verdict: str) -> None:
    """A frame around an image in its verdict's colour: clear face, faint face or no face."""
    colour = PALETTE[VERDICT_COLOURS[verdict]]
    for spine in ax.spines.values():
        spine.set_visible(True)
        spine.set_color(colour)
        spine.set_linewidth(FRAME_WIDTH)


def _faces(faces: Sequence[str] | Sequence[bool] | None, n: int) -> list[str] | None:
    """n verdicts (strings of VERDICTS; bools read as clear face / no face), or None."""
    if faces is None:
        return None
    verdicts = [as_verdict(item) for item in np.asarray(faces).ravel().tolist()]
    if len(verdicts) != n:
        raise ValueError(f"faces: {len(verdicts)} verdicts for {n} images")
    return verdicts


def verdict_legend(fig: Figure) -> None:
    """The three frame colours, named, in one row under the figure (every judged figure carries it)."""
    handles = [Patch(facecolor="none", edgecolor=PALETTE[VERDICT_COLOURS[word]], linewidth=FRAME_WIDTH, label=word)
               for word in VERDICTS]
    fig.legend(handles=handles, loc="outside lower center", ncols=len(handles), frameon=False,
               handlelength=1.2, columnspacing=1.2)


def _labels(labels: Sequence[str] | None, n: int, name: str) -> list[str] | None:
    if labels is None:
        return None
    labels = [str(label) for label in labels]
    if len(labels) != n:
        raise ValueError(f"{name}: {len(labels)} labels for {n} images")
    return labels


def _grid(images: np.ndarray, columns: int, above: list[str] | None, below: list[str] | None,
          faces: list[str] | None = None) -> Figure:
    n = len(images)
    columns = max(1, min(int(columns), n))
    rows = math.ceil(n / columns)
    cell = min(MAX_CELL, TEXT_WIDTH / columns)
    aspect = images.shape[1] / images.shape[2]
    extra = LABEL_SPACE * ((above is not None) + (below is not None))
    legend = LABEL_SPACE if faces is not None else 0.0
    fig = new_figure(cell * columns, rows * (cell * aspect + extra) + 0.05 + legend)
    if faces is not None:
        verdict_legend(fig)
    for k, ax in enumerate(grid_axes(fig, n, columns)):
        _show(ax, images[k])
        if faces is not None:
            _frame(ax, faces[k])
        if above is not None:  # left-aligned: a row's label over its first image may be wider than the image
            ax.set_title(above[k], pad=2, loc="left")
        if below is not None:
            ax.set_xlabel(below[k], labelpad=2)
    return fig


@styled
def image_grid(images_uint8: ArrayLike, columns: int, titles: Sequence[str] | None = None,
               faces: Sequence[str] | Sequence[bool] | None = None) -> Figure:
    """Images in a grid of `columns` columns, without ticks.

    images_uint8: (n, s, s, 3) uint8 (also (n, s, s) grey, or floats in [0, 1]).
    titles: n strings shown above the images, or None.
    faces: n verdicts ("clear face", "faint face", "no face"; bools: True clear, False none), or None:
        each image is framed in its verdict's colour and a legend names the colours.
    Returns a Figure with exactly n axes, one image each, row-major (plus the legend).
    """
    images = _as_images(images_uint8)
    return _grid(images, columns, _labels(titles, len(images), "titles"), None, _faces(faces, len(images)))


@styled
def image_pairs(originals: ArrayLike, reconstructions: ArrayLike,
                row_labels: tuple[str, str] = ("original", "reconstructed")) -> Figure:
    """Originals in the top row, their reconstructions below, labelled at the left.

    originals, reconstructions: (n, s, s, 3) uint8, same n. Returns a Figure with 2n axes
    (first the n originals, then the n reconstructions).
    """
    top = _as_images(originals, "originals")
    bottom = _as_images(reconstructions, "reconstructions")
    if len(top) != len(bottom):
        raise ValueError(f"{len(top)} originals but {len(bottom)} reconstructions")
    n = len(top)
    label_width = 0.95  # inches for the horizontal row labels
    cell = min(MAX_CELL, (TEXT_WIDTH - label_width) / n)
    fig = new_figure(cell * n + label_width, 2 * cell * top.shape[1] / top.shape[2] + 0.1)
    axes = fig.subplots(2, n, squeeze=False)
    for row, images, label in ((0, top, row_labels[0]), (1, bottom, row_labels[1])):
        for k in range(n):
            _show(axes[row, k], images[k])
        axes[row, 0].set_ylabel(label, rotation=0, ha="right", va="center", labelpad=4)
    return fig


@styled
def image_strip(images: ArrayLike, labels: Sequence[str] | None = None,
                faces: Sequence[str] | Sequence[bool] | None = None) -> Figure:
    """One row of images (e.g. decodes along a path) with a label under each (e.g. 't=0.2').

    images: (n, s, s, 3) uint8. labels: n strings or None. faces: n verdicts or None (frames by
    verdict, as in image_grid). Returns a Figure with n axes.
    """
    array = _as_images(images)
    return _grid(array, len(array), None, _labels(labels, len(array), "labels"), _faces(faces, len(array)))


@styled
def individuals(images: ArrayLike, distances: ArrayLike, columns: int | None = None,
                label: str = "d = {:.1f}", faces: Sequence[str] | Sequence[bool] | None = None) -> Figure:
    """Single decoded images, each labelled with its distance from the centre (post VII).

    images: (n, s, s, 3) uint8; distances: (n,) floats, in the order of the images (sort before
    calling to show growing distance). columns: default at most 7, rows as even as possible.
    faces: n verdicts or None (frames by verdict, as in image_grid). Returns a Figure with n axes.
    """
    array = _as_images(images)
    dist = np.asarray(distances, dtype=float).ravel()
    if len(dist) != len(array):
        raise ValueError(f"{len(dist)} distances for {len(array)} images")
    if columns is None:  # at most 7 a row, rows as even as possible
        columns = math.ceil(len(array) / math.ceil(len(array) / 7))
    return _grid(array, columns, None, [label.format(d) for d in dist], _faces(faces, len(array)))


@styled
def judged_rows(sets: Sequence[tuple[str, ArrayLike, Sequence[str] | Sequence[bool]]]) -> Figure:
    """One row of example images per set, labelled at the left, each framed by its verdict (legend below).

    sets: (row label, (n, s, s, 3) uint8 images, n verdicts) per row; every row the same n.
    Returns a Figure with one axis per image, row by row.
    """
    rows = [(str(label), _as_images(images, label), _faces(faces, len(_as_images(images, label))))
            for label, images, faces in sets]
    if not rows:
        raise ValueError("judged_rows: no sets")
    n = len(rows[0][1])
    if any(len(images) != n for _, images, _ in rows):
        raise ValueError("judged_rows: every set needs the same number of images")
    label_width = 1.1  # inches for the horizontal row labels
    cell = min(MAX_CELL * 0.6, (TEXT_WIDTH - label_width) / n)
    aspect = rows[0][1].shape[1] / rows[0][1].shape[2]
    fig = new_figure(cell * n + label_width, len(rows) * cell * aspect * 1.08 + 0.1 + LABEL_SPACE)
    verdict_legend(fig)
    axes = fig.subplots(len(rows), n, squeeze=False)
    for row, (label, images, faces) in enumerate(rows):
        for k in range(n):
            _show(axes[row, k], images[k])
            _frame(axes[row, k], faces[k])
        axes[row, 0].set_ylabel(label, rotation=0, ha="right", va="center", labelpad=6)
    return fig

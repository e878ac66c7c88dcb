"""The one place that writes figures: PNG at 150 dpi, or SVG (light line plots only), byte-stable."""

from __future__ import annotations

from pathlib import Path

from matplotlib.figure import Figure

from report.figures.style import style_context

PNG_DPI = 150


def save_figure(fig: Figure, path: str | Path) -> Path:
    """Write `fig` to `path` and return the path; the format follows the suffix.

    - ``.png``: 150 dpi, white background, no version metadata, so the same figure gives the same bytes.
    - ``.svg``: no date and a fixed ``svg.hashsalt``, so ids and bytes repeat run to run; use it
      only for light line plots (dense scatters are rasterized but still heavy in the PDF).

    The parent folder is created when missing. Nothing global is changed or closed: the rcParams
    used while saving are restored afterwards, and the figure stays usable.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".png", ".svg"):
        raise ValueError(f"{path}: figures are saved as .png or .svg, not {suffix or 'no suffix'!r}")
    path.parent.mkdir(parents=True, exist_ok=True)
    common = dict(facecolor="white", edgecolor="white", bbox_inches=None, pad_inches=0.1, transparent=False)
    with style_context():  # fixes svg.hashsalt and every savefig.* default, whatever the caller's rc
        if suffix == ".png":
            fig.savefig(path, format="png", dpi=PNG_DPI, metadata={"Software": None}, **common)
        else:
            fig.savefig(path, format="svg", dpi=PNG_DPI, metadata={"Date": None}, **common)
    return path

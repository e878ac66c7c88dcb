"""The face measure's verdicts against known degradations (post I): stacked shares against blur and contrast."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from matplotlib.figure import Figure

from report.face_verdicts import VERDICTS
from report.figures.images import VERDICT_COLOURS
from report.figures.style import PALETTE, TEXT_WIDTH, new_figure, styled


@styled
def verdict_shares(panels: Sequence[tuple[str, Sequence[float], Mapping[str, Sequence[float]]]]) -> Figure:
    """One panel per degradation: the shares of each verdict stacked (clear at the bottom) against its amount.

    panels: (x-axis label, amounts (m,), {verdict: shares (m,)} for every verdict in VERDICTS) per panel;
    the amounts are drawn as evenly spaced categories in the order given (e.g. growing blur, shrinking
    contrast), so a worse image always lies further right. Returns a Figure with one axes per panel.
    """
    if not panels:
        raise ValueError("verdict_shares: no panels")
    fig = new_figure(TEXT_WIDTH, 2.4)
    axes = fig.subplots(1, len(panels), squeeze=False, sharey=True)[0]
    for ax, (label, amounts, shares) in zip(axes, panels, strict=True):
        amounts = [float(a) for a in amounts]
        missing = [word for word in VERDICTS if word not in shares]
        if missing:
            raise ValueError(f"verdict_shares: panel {label!r} lacks the shares of {missing}")
        x = np.arange(len(amounts))
        bottom = np.zeros(len(amounts))
        for word in VERDICTS:
            values = np.asarray(shares[word], dtype=float)
            if len(values) != len(amounts):
                raise ValueError(f"verdict_shares: {len(values)} shares of {word!r} for {len(amounts)} amounts")
            ax.bar(x, values, bottom=bottom, width=0.8, color=PALETTE[VERDICT_COLOURS[word]], label=word,
                   edgecolor="white", linewidth=0.5)
            bottom += values
        ax.set_xticks(x, [f"{a:g}" for a in amounts])
        ax.set_xlabel(label)
        ax.set_ylim(0, 1)
    axes[0].set_ylabel("share of images")
    axes[0].yaxis.set_major_formatter(lambda value, _: f"{100 * value:.0f} %")
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncols=len(VERDICTS), frameon=False)
    return fig

"""The closing section of every page, "What this run shows": the post's question answered from its numbers.

One function per page takes the typed records of the run and their findings (`report.render.context`)
and returns a typed record: the numbers the answer sentences print, each with its interval at the
run's confidence level, the verdicts those intervals support, and how the answer stands to the
original's conclusion (`report.original.CLAIMS`): it agrees, it differs, or this run cannot tell.
Comparisons rest on intervals: two estimates whose intervals overlap cannot be told apart.
Templates (`templates/closing/<page>.html`) only print these records.

Where a page needs decodes and the run has no decoder (latent vectors given as a file), its closing
answers what the vectors alone can answer and says that decodes are unavailable.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from report.conclusions.common import (
    Closing,
    Count,
    Estimate,
    Share,
    combine,
    order,
    share,
)
from report.conclusions.posts_1_5 import post_1, post_2, post_3, post_4, post_5
from report.conclusions.posts_6_10 import (
    post_6,
    post_7,
    post_8,
    post_9,
    post_10,
    scoreboard,
)

__all__ = ["CLOSINGS", "Closing", "Count", "Estimate", "Share", "closings", "combine", "order", "post_1", "post_2",
           "post_3", "post_4", "post_5", "post_6", "post_7", "post_8", "post_9", "post_10", "scoreboard", "share"]

CLOSINGS: dict[str, tuple[Callable, tuple[str, ...]]] = {
    # page: (its closing, the steps whose records it cannot do without)
    "post-1": (post_1, ()),
    "post-2": (post_2, ("distributions",)),
    "post-3": (post_3, ("correlations",)),
    "post-4": (post_4, ("origin_slices",)),
    "post-5": (post_5, ("statistical_points",)),
    "post-6": (post_6, ("paths",)),
    "post-7": (post_7, ("intervals",)),
    "post-8": (post_8, ("normal_fit",)),
    "post-9": (post_9, ("pca",)),
    "post-10": (post_10, ("pca_sampling",)),
    "scoreboard": (scoreboard, ("scoreboard",)),
}


def closings(records: Mapping, findings: Mapping, uncertainty) -> dict[str, Closing]:
    """Every page's closing whose steps ran, keyed by page ("post-7", "scoreboard").

    Args:
        records: step name -> typed results record.
        findings: step name -> that step's findings (None where it states none).
        uncertainty: the run's `analysis.uncertainty` parameters.
    """
    return {page: close(records, findings, uncertainty) for page, (close, needs) in CLOSINGS.items()
            if all(name in records for name in needs)}

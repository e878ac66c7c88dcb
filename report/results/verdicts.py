"""Judgements more than one post states, in one place: where the origin sits by plain distance, and whether
a two-dimensional projection misleads about points that lie far from the cloud in the full space.

Posts I (the teaser's plane), III (the pair scatters) and IV (the slices and the non-dominant planes) read
these; their findings call the functions below rather than repeating the thresholds, and their templates
print the verdicts with one macro (`templates/steps/_projection_view.html`).
"""

from __future__ import annotations

from typing import Literal

BORDER_SHARE = 0.05  # fewer z-points than this share farther from the centre than the origin: it sits at the border
IN_VIEW_MOST = 0.5  # at least this share of projected points inside the cloud's central box: the plane "shows them among"
FAR_RATIO = 2.0  # their nearest z-point this many times farther than a z-point's nearest neighbour: far in the full space

ProjectionVerdict = Literal["misleads", "outside", "among"]


def origin_at_border(share_farther: float) -> bool:
    """The origin sits at the border of the cloud: fewer than BORDER_SHARE of the z-points lie farther out."""
    return share_farther < BORDER_SHARE


def projection_verdict(in_view: float, nearest_ratio: float) -> ProjectionVerdict:
    """Whether a projection tells the truth about points it shows beside the cloud.

    "outside": fewer than IN_VIEW_MOST of their projections fall inside the cloud's box, so the plane itself
    shows them apart; "misleads": the plane shows them among the z-points, yet in the full space they are
    farther than FAR_RATIO times a z-point's nearest-neighbour distance (NaN, too few points, counts as far);
    "among": they are near the z-points in the plane and in the full space.
    """
    if in_view < IN_VIEW_MOST:
        return "outside"
    return "among" if nearest_ratio <= FAR_RATIO else "misleads"

"""What every closing section shares: counts, shares and means with their intervals, and how they compare.

A share of decodes that count as faces carries its Wilson interval, a mean contrast its Student t
interval; `order` says which of two is higher only where their intervals do not overlap ("alike":
they cannot be told apart). `base` fills what every closing carries, the original's conclusion
(`report.original.CLAIMS`) included.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Literal

from report import original
from report.results import Record
from report.results.face_measure import FaceCount
from report.stats.uncertainty import intervals_overlap, wilson_interval

Relation = Literal["agrees", "differs", "cannot tell"]
Order = Literal["higher", "lower", "alike"]  # one estimate against another, by their intervals

SMALL_SHARE = 0.01  # a share below this reads as "k of n": "3 of 500", not "0.6 %"
MAJORITY = 0.5  # a share whose whole interval lies above this is "most" of a set, below it "a minority"


def percent_digits(share: float) -> int:
    """Decimals a share needs as a percentage: none from 1 % on, one significant digit below (0.4 %)."""
    percent = 100 * abs(share)
    if percent == 0 or percent >= 1:
        return 0
    return -math.floor(math.log10(percent))


class Count(Record):
    """k of n items (pairs, slices, paths) counted."""

    k: int
    n: int

    @property
    def form(self) -> Literal["none", "all", "some"]:
        """How the count reads: "none of the n", "all n", or "k of n"."""
        return "none" if self.k == 0 else "all" if self.k == self.n else "some"


class Share(Count):
    """k of n decodes (or points) counted, with the Wilson interval of the share."""

    low: float
    high: float
    min_count: int  # below this n the share reads "k of n", from it on as a percentage

    @property
    def value(self) -> float:
        return self.k / self.n if self.n else 0.0

    @property
    def value_digits(self) -> int:
        return percent_digits(self.value)

    @property
    def low_digits(self) -> int:
        return percent_digits(self.low)

    @property
    def high_digits(self) -> int:
        return percent_digits(self.high)

    @property
    def form(self) -> Literal["none", "all", "count", "percent"]:
        """How the share reads: none, all, "k of n" (a small n, or a share under 1 %, where a percentage
        would print digits the count does not have) or a percentage."""
        plain = super().form
        if plain != "some":
            return plain
        return "count" if self.n < self.min_count or self.k < SMALL_SHARE * self.n else "percent"


class Estimate(Record):
    """A mean (or other statistic) with its interval."""

    value: float
    low: float
    high: float


class OriginalClaim(Record):
    """The original's conclusion, quoted where its words survive (report.original.CLAIMS)."""

    words: str
    where: str
    quoted: bool


class Closing(Record):
    """What every closing carries; each page's closing adds its own numbers."""

    page: str  # "post-1" ... "post-10", "scoreboard"
    relation: Relation
    original: OriginalClaim
    decodes: bool  # decodes (and the face measure) are available to this closing
    confidence: float  # of every interval printed
    min_count_for_percent: int  # shares of fewer than this are printed as "k of n"
    yardstick: Share | None = None  # decoded real z-points (or reconstructions) that count as faces
    yardstick_name: str = "decoded real z-points"
    blind: bool = False  # not even most of the yardstick counts as faces: face shares cannot settle the question


def share(k: int, n: int, uncertainty) -> Share:
    """k of n with its Wilson interval at the run's confidence level (`analysis.uncertainty`)."""
    low, high = wilson_interval(int(k), int(n), uncertainty.confidence_level)
    return Share(k=int(k), n=int(n), low=low, high=high, min_count=uncertainty.min_count_for_percent)


def share_of(value: float, n: int, uncertainty) -> Share:
    """A recorded share of n items (k = share x n, rounded) with its Wilson interval."""
    return share(round(value * n), n, uncertainty)


def count_share(count: FaceCount, uncertainty) -> Share:
    return share(count.n_faces, count.n_decodes, uncertainty)


def real_decode_share(points, uncertainty) -> Share | None:
    """The decoded real z-points' face share as post V measured it once for every post (all its scored decodes,
    not only the grid it shows); None without a record or a decoder."""
    if points is None:
        return None
    if getattr(points, "real_face_share", None) is not None and getattr(points, "real_sample", None):
        return share_of(points.real_face_share, points.real_sample, uncertainty)
    shown = getattr(points, "real_faces", None)
    return count_share(shown, uncertainty) if shown is not None else None


def estimate(value: float, interval: Sequence[float] | None) -> Estimate | None:
    """A recorded value and interval as one record; None where the record has no interval."""
    if interval is None:
        return None
    return Estimate(value=value, low=interval[0], high=interval[1])


def order(a: Share | Estimate, b: Share | Estimate) -> Order:
    """a against b: higher or lower where their intervals do not overlap, otherwise alike."""
    if intervals_overlap((a.low, a.high), (b.low, b.high)):
        return "alike"
    return "higher" if a.low > b.high else "lower"


def majority(s: Share) -> Literal["most", "minority", "unclear"]:
    """Whether a share's whole interval lies above or below one half."""
    return "most" if s.low > MAJORITY else "minority" if s.high < MAJORITY else "unclear"


def combine(parts: Sequence[Relation]) -> Relation:
    """One relation from several tested parts: any clear contradiction differs; all confirmed agree."""
    if "differs" in parts:
        return "differs"
    return "agrees" if parts and all(part == "agrees" for part in parts) else "cannot tell"


def claim(page: str) -> OriginalClaim:
    claim = original.CLAIMS[page]
    return OriginalClaim(words=claim.words, where=claim.where, quoted=claim.quoted)


def base(page: str, relation: Relation, decodes: bool, uncertainty, yardstick: Share | None = None,
          face_based: bool = True, yardstick_name: str = "decoded real z-points") -> dict:
    """The common fields; a face-based relation falls back to "cannot tell" where the face measure does not
    count most decoded real z-points as faces (it cannot then tell a generator's faces from its misses)."""
    blind = yardstick is not None and majority(yardstick) != "most"
    if blind and face_based:
        relation = "cannot tell"
    return dict(page=page, relation=relation, original=claim(page), decodes=decodes,
                confidence=uncertainty.confidence_level, min_count_for_percent=uncertainty.min_count_for_percent,
                yardstick=yardstick, yardstick_name=yardstick_name, blind=blind)


def contrast_groups(rows: Sequence) -> dict[str, list[str]]:
    """The rows' titles grouped by their contrast against decoded real vectors (groups with members only)."""
    groups: dict[str, list[str]] = {}
    for row in rows:
        if row.contrast_versus is not None:
            groups.setdefault(row.contrast_versus, []).append(row.title)
    return groups


def cloud_distances(records, fallback_mean: float | None = None, fallback_upper: float | None = None):
    """The real z-points' mean Mahalanobis distance and its 99th percentile as post IV measured them once on all
    z-points (the values every post prints); the fallbacks where post IV has no Mahalanobis record."""
    origin = getattr(records.get("origin_slices"), "origin", None)
    position = getattr(origin, "mahalanobis", None)
    if position is None:
        return fallback_mean, fallback_upper
    return position.data_mean, position.data_upper

"""Post I, step `formation`: the latent statistics of each training snapshot, and how they move.

The record (`results/formation/stats.json`) holds, per kept snapshot of encoder and decoder, the
held-out reconstruction error and the statistics the later posts study on the final model. The
findings say, per quantity, whether it grows, shrinks or stays over training and whether it had
settled by the last snapshots: the original speculated that the latent structure depends on the
training run, and this measures how it depends on training length.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import ClassVar, Literal

from report.results import Record, StepResults

CHANGE_SHARE = 0.1  # first and last snapshot differ by more than this share of the larger: it grows or shrinks
SETTLE_SHARE = 0.1  # the last step between snapshots moved it by at most this share of its whole range: settled


class Snapshot(Record):
    """The statistics of one snapshot of encoder and decoder."""

    epoch: int  # 1-based epoch after which the weights were kept
    final: bool  # the weights the run ended with (the saved models)
    heldout_mse: float | None  # reconstruction MSE of the held-out images, pixels in [0, 1]; None without any
    heldout_psnr: float | None  # its PSNR in dB
    pairs_above: dict[str, int]  # threshold ("0.1") -> component pairs with |r| above it
    directions: int  # principal directions carrying variance_share of the latent variance
    radius_mean: float  # mean length of the latent vectors
    origin_mahalanobis: float  # Mahalanobis distance of the origin from the cloud's centre
    origin_share_farther: float  # share of points farther from the centre than the origin, Mahalanobis units
    origin_euclidean_share_farther: float  # the same share by Euclidean distance


class FormationResults(StepResults):
    """How the latent space forms during training, snapshot by snapshot."""

    step: ClassVar[str] = "formation"

    n_points: int  # images encoded with every snapshot (a random sample, or all)
    n_heldout: int  # held-out images the reconstruction error is measured on
    z_dim: int
    thresholds: list[float]  # |r| thresholds of pairs_above
    variance_share: float  # directions counts the leading directions carrying this share of the variance
    snapshots: list[Snapshot]  # by epoch


class Trend(Record):
    """How one quantity moves from the first snapshot to the last."""

    key: str  # e.g. "heldout_psnr", "pairs_above.0.5"
    label: str  # what the post calls it
    first: float | None
    last: float | None
    direction: Literal["grows", "shrinks", "stays", "unknown"]
    settled: bool | None  # None: fewer than three snapshots (or no values)


class FormationFindings(Record):
    """What post I says about the formation of the latent space."""

    first_epoch: int
    last_epoch: int
    n_snapshots: int
    trends: dict[str, Trend]  # by key
    pair_keys: list[str]  # the thresholds as keys of pairs_above, ascending
    all_settled: bool  # every quantity had settled by the last snapshots
    unsettled: list[str]  # keys of the quantities still moving at the end
    n_images: int | None = None  # all images (encode's); None where encode has no record
    sampled: bool = False  # the snapshots encoded a sample, so their statistics are not those of the later posts


def _value(snapshot: Snapshot, key: str) -> float | None:
    if key.startswith("pairs_above."):
        return snapshot.pairs_above.get(key.split(".", 1)[1])
    return getattr(snapshot, key)


def trend(values: list[float | None]) -> tuple[str, bool | None]:
    """(direction, settled) of a quantity's values in epoch order.

    direction: "grows" / "shrinks" when the last value differs from the first by more than
    CHANGE_SHARE of the larger magnitude, else "stays". settled: with at least three values, whether
    the last step moved it by at most SETTLE_SHARE of its range over all snapshots (a constant is settled).
    """
    finite = [v for v in values if v is not None and math.isfinite(v)]
    if len(finite) < 2 or len(finite) != len(values):
        return "unknown", None
    first, last = finite[0], finite[-1]
    scale = max(abs(first), abs(last))
    if abs(last - first) <= CHANGE_SHARE * scale:
        direction = "stays"
    else:
        direction = "grows" if last > first else "shrinks"
    if len(finite) < 3:
        return direction, None
    spread = max(finite) - min(finite)
    return direction, abs(finite[-1] - finite[-2]) <= SETTLE_SHARE * spread


TREND_KEYS = ("heldout_psnr", "directions", "radius_mean", "origin_mahalanobis", "origin_share_farther")
LABELS = {
    "heldout_psnr": "the held-out PSNR",
    "directions": "the number of principal directions",
    "radius_mean": "the radius mean",
    "origin_mahalanobis": "the Mahalanobis distance of the origin",
    "origin_share_farther": "the share of points farther out than the origin (Mahalanobis)",
}


def findings(results: FormationResults, upstream: Mapping[str, StepResults]) -> FormationFindings:
    """Direction and settling of every quantity over the snapshots."""
    snapshots = sorted(results.snapshots, key=lambda s: (s.epoch, s.final))
    pair_keys = [f"{t:g}" for t in sorted(results.thresholds)]
    keys = [*TREND_KEYS[:1], *(f"pairs_above.{k}" for k in pair_keys), *TREND_KEYS[1:]]
    trends = {}
    for key in keys:
        values = [_value(s, key) for s in snapshots]
        direction, settled = trend(values)
        label = LABELS.get(key) or f"the pairs with |r| above {key.split('.', 1)[1]}"
        trends[key] = Trend(key=key, label=label, first=values[0] if values else None, last=values[-1] if values else None,
                            direction=direction, settled=settled)
    unsettled = [k for k, t in trends.items() if t.settled is False]
    n_images = getattr(upstream.get("encode"), "n_points", None)
    return FormationFindings(
        n_images=n_images,
        sampled=n_images is not None and results.n_points < n_images,
        first_epoch=snapshots[0].epoch if snapshots else 0,
        last_epoch=snapshots[-1].epoch if snapshots else 0,
        n_snapshots=len(snapshots),
        trends=trends,
        pair_keys=pair_keys,
        all_settled=not unsettled and all(t.settled for t in trends.values()),
        unsettled=unsettled,
    )

"""Post I, step `formation`: the latent statistics of each training snapshot, and how they move.

The record (`results/formation/stats.json`) holds, per kept snapshot of encoder and decoder, the
held-out reconstruction error and the statistics the later posts study on the final model. The
findings say, per quantity, whether it grows, shrinks or stays over training, where it peaks or dips
on the way, and whether it had settled (moved by less than a stated tolerance over the last
snapshots): the original speculated that the latent structure depends on the
training run, and this measures how it depends on training length.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import ClassVar, Literal

from report import original as published
from report.results import Record, StepResults
from report.results.key_stat import KeyStat
from report.stats.formation import course


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
    change_share: float  # analysis.formation.change_share: grows/shrinks beyond it, peaks and troughs beyond it
    settle_tolerance: float  # analysis.formation.settle_tolerance: settled within it over the last snapshots
    settle_snapshots: int  # analysis.formation.settle_snapshots: how many last snapshots settling is judged on
    snapshots: list[Snapshot]  # by epoch


def _per_snapshot(value) -> Callable[[FormationResults], dict]:
    """Per training snapshot (keyed by its epoch) one number of its record."""
    return lambda record: {snapshot.epoch: value(snapshot) for snapshot in record.snapshots}


PAIRS_KEY = f"{published.PAIR_THRESHOLD:g}"  # pair counts above the |r| the original listed its pairs at
# Tolerances as encode's PSNR and the correlations' counts (report.keystats).
KEY_STATS = (
    KeyStat("formation.epoch_*.heldout_psnr", "PSNR of held-out reconstructions after epoch *", atol=0.3,
            read=_per_snapshot(lambda s: s.heldout_psnr), unit="dB"),
    KeyStat(f"formation.epoch_*.pairs_above_{PAIRS_KEY}", f"component pairs with |r| above {PAIRS_KEY} after epoch *",
            rtol=0.1, atol=2, read=_per_snapshot(lambda s: s.pairs_above.get(PAIRS_KEY))),
    KeyStat("formation.epoch_*.directions", "principal directions carrying most of the variance, after epoch *",
            rtol=0.1, atol=2, read=_per_snapshot(lambda s: s.directions)),
)


class Trend(Record):
    """How one quantity moves from the first snapshot to the last."""

    key: str  # e.g. "heldout_psnr", "pairs_above.0.5"
    label: str  # what the post calls it
    first: float | None
    last: float | None
    direction: Literal["grows", "shrinks", "stays", "unknown"]
    turn: Literal["peak", "trough"] | None = None  # an inner maximum or minimum well beyond both ends
    turn_epoch: int | None = None  # the epoch of that snapshot
    turn_value: float | None = None
    recent_change: float | None = None  # spread over the last settle_snapshots snapshots / the largest value there
    settled: bool | None  # None: fewer snapshots than the settling is judged on (or no values)


class FormationFindings(Record):
    """What post I says about the formation of the latent space."""

    first_epoch: int
    last_epoch: int
    n_snapshots: int
    trends: dict[str, Trend]  # by key
    pair_keys: list[str]  # the thresholds as keys of pairs_above, ascending
    settle_tolerance: float  # settled: the last snapshots' values lie within this share of their largest
    settle_from_epoch: int | None  # the first epoch of the snapshots settling is judged on (None: too few)
    all_settled: bool  # every quantity had settled by the last snapshots
    settled: list[str]  # keys of the quantities that had settled
    unsettled: list[str]  # keys of the quantities still moving at the end
    n_images: int | None = None  # all images (encode's); None where encode has no record
    sampled: bool = False  # the snapshots encoded a sample, so their statistics are not those of the later posts


def _value(snapshot: Snapshot, key: str) -> float | None:
    if key.startswith("pairs_above."):
        return snapshot.pairs_above.get(key.split(".", 1)[1])
    return getattr(snapshot, key)


TREND_KEYS = ("heldout_psnr", "directions", "radius_mean", "origin_mahalanobis", "origin_share_farther")
LABELS = {
    "heldout_psnr": "the held-out PSNR",
    "directions": "the number of principal directions",
    "radius_mean": "the radius mean",
    "origin_mahalanobis": "the Mahalanobis distance of the origin",
    "origin_share_farther": "the share of points beyond the origin in Mahalanobis units",
}


def findings(results: FormationResults, upstream: Mapping[str, StepResults]) -> FormationFindings:
    """Direction, peak or trough, and settling of every quantity over the snapshots."""
    snapshots = sorted(results.snapshots, key=lambda s: (s.epoch, s.final))
    pair_keys = [f"{t:g}" for t in sorted(results.thresholds)]
    keys = [*TREND_KEYS[:1], *(f"pairs_above.{k}" for k in pair_keys), *TREND_KEYS[1:]]
    trends = {}
    for key in keys:
        values = [_value(s, key) for s in snapshots]
        moved = course(values, change_share=results.change_share, settle_tolerance=results.settle_tolerance,
                       settle_snapshots=results.settle_snapshots)
        label = LABELS.get(key) or f"the pairs with |r| above {key.split('.', 1)[1]}"
        turn_index = moved["turn_index"]
        trends[key] = Trend(key=key, label=label, first=values[0] if values else None, last=values[-1] if values else None,
                            direction=moved["direction"], turn=moved["turn"],
                            turn_epoch=None if turn_index is None else snapshots[turn_index].epoch,
                            turn_value=moved["turn_value"], recent_change=moved["recent_change"],
                            settled=moved["settled"])
    judged = any(t.settled is not None for t in trends.values())
    n_images = getattr(upstream.get("encode"), "n_points", None)
    return FormationFindings(
        n_images=n_images,
        sampled=n_images is not None and results.n_points < n_images,
        first_epoch=snapshots[0].epoch if snapshots else 0,
        last_epoch=snapshots[-1].epoch if snapshots else 0,
        n_snapshots=len(snapshots),
        trends=trends,
        pair_keys=pair_keys,
        settle_tolerance=results.settle_tolerance,
        settle_from_epoch=snapshots[-results.settle_snapshots].epoch if judged else None,
        all_settled=judged and all(t.settled for t in trends.values()),
        settled=[k for k, t in trends.items() if t.settled],
        unsettled=[k for k, t in trends.items() if t.settled is False],
    )

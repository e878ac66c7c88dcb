"""Key statistics of a run: the few numbers that say whether two runs tell the same story.

One definition per statistic, with its tolerance, serves three readers: each build writes
`results/key_stats.json` (flat keys such as "distributions.radius.mean", values numbers),
`latent-report compare` marks differences beyond the tolerance as drift, and the regression tests
in `tests/regression/` compare a fresh build with `expected/<variant>.json`.

A statistic the run does not have (training loss of a `zpoints` run, a slice that was not cut) is
absent, never null. Tolerances are `|new - expected| <= atol + rtol * |expected|` (numpy's
`isclose` with the expected value as reference). Relative ones of a few % cover TensorFlow's
CPU numerics on another machine for losses and radii; absolute ones cover counts where a point or
a pair may cross a threshold; sizes such as `z_dim` must match exactly. On the same machine the
same parameter file and seed give identical values.
"""

from __future__ import annotations

import fnmatch
import json
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from report.errors import ReportError

KEY_STATS_FILE = "key_stats.json"


@dataclass(frozen=True)
class KeyStat:
    """One key statistic (or one family of them) and its tolerance.

    Attributes:
        key: Flat key "<step>.<path>"; a family such as "correlations.pairs_above.*" has one
            member per threshold or slice, its "*" filled in by `read`.
        label: Plain-English name for tables.
        rtol: Relative tolerance, a share of the expected value.
        atol: Absolute tolerance, in the statistic's unit.
        factor: If above 1, a multiplicative tolerance instead of rtol: the new value may lie
            between expected / factor and expected x factor (widened by atol), for counts that
            move by ratios rather than by differences.
        read: Takes the step's stats.json as a dict and returns a number (or, for a family, a
            dict from "*" to number); None when the run lacks it. Default: the dotted path of
            `key` after the step name (for a family, the object at the path before "*").
        unit: How tables print the value: "%" for a share of 1 (printed as a percentage, its
            absolute tolerance in percentage points), "dB", or "" for a count or a plain number.
    """

    key: str
    label: str
    rtol: float = 0.0
    atol: float = 0.0
    read: Callable[[dict], object] | None = None
    factor: float = 1.0
    unit: str = ""

    @property
    def step(self) -> str:
        return self.key.split(".", 1)[0]

    @property
    def path(self) -> str:
        return self.key.split(".", 1)[1]

    def values(self, stats: dict) -> dict[str, float]:
        """The flat key(s) and number(s) this definition takes from one step's stats."""
        found = self.read(stats) if self.read else _at(stats, self.path.split("*")[0].rstrip("."))
        if "*" in self.key:
            if not isinstance(found, dict):
                return {}
            return {self.key.replace("*", str(name)): _number(v) for name, v in found.items() if _number(v) is not None}
        number = _number(found)
        return {} if number is None else {self.key: number}

    @property
    def tolerance_text(self) -> str:
        """The tolerance as tables show it: "±3 %", "±(2 + 3 %)", "±0.02", "×/÷2.5 ±5" or "exact"."""
        if self.factor > 1:
            return f"×/÷{self.factor:g}" + (f" ±{self.atol:g}" if self.atol else "")
        if self.atol and self.rtol:
            return f"±({self.atol:g} + {100 * self.rtol:g} %)"
        if self.atol:
            return f"±{self.atol:g}"
        return f"±{100 * self.rtol:g} %" if self.rtol else "exact"

    @property
    def tolerance_shown(self) -> str:
        """The tolerance in the unit the value is printed in: a share's ±0.06 reads "±6 points"."""
        if self.unit != "%" or not self.atol or self.factor > 1:
            return self.tolerance_text + (" dB" if self.unit == "dB" and self.atol and not self.rtol else "")
        points = f"{100 * self.atol:g}"
        return f"±({points} points + {100 * self.rtol:g} %)" if self.rtol else f"±{points} points"

    def within(self, expected: float, actual: float) -> bool:
        """True when `actual` lies within this statistic's tolerance of `expected`."""
        if self.factor > 1:
            low, high = sorted((expected / self.factor, expected * self.factor))
            return low - self.atol <= actual <= high + self.atol
        return abs(actual - expected) <= self.atol + self.rtol * abs(expected)


def _at(stats: dict, dotted: str):
    value = stats
    for part in dotted.split("."):
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    return value


def _number(value) -> float | int | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return value if math.isfinite(value) else None


def _n_dominant(stats: dict):
    dominant = stats.get("dominant")
    return len(dominant) if isinstance(dominant, list) else None


def _max_abs_mean(stats: dict):
    # The sign of a latent axis is arbitrary; its distance from zero is what post II reports.
    value = _number(_at(stats, "max_abs_mean.value"))
    return None if value is None else abs(value)


def _slices(field: str) -> Callable[[dict], dict | None]:
    def read(stats: dict):
        slices = stats.get("slices")
        if not isinstance(slices, list):
            return None
        return {number: s.get(field) for number, s in enumerate(slices, start=1) if isinstance(s, dict)}

    return read


def _snapshots(field: str, member: str | None = None) -> Callable[[dict], dict | None]:
    """Per training snapshot (keyed by its epoch) a field of the formation record, or a member of a dict field."""
    def read(stats: dict):
        snapshots = stats.get("snapshots")
        if not isinstance(snapshots, list):
            return None
        values = {}
        for s in snapshots:
            if isinstance(s, dict) and _number(s.get("epoch")) is not None:
                value = s.get(field)
                values[s["epoch"]] = value.get(member) if member is not None and isinstance(value, dict) else value
        return values

    return read


def _matching_batch(field: str) -> Callable[[dict], object]:
    def read(stats: dict):
        for batch in stats.get("batches") or []:
            if isinstance(batch, dict) and batch.get("is_matching_b"):
                return batch.get(field)
        return None

    return read


def _widest_grid(field: str) -> Callable[[dict], object]:
    def read(stats: dict):
        grids = [g for g in stats.get("grids") or [] if isinstance(g, dict) and _number(g.get("factor")) is not None]
        return max(grids, key=lambda g: g["factor"]).get(field) if grids else None

    return read


def _calibration(name: str) -> Callable[[dict], object]:
    def read(stats: dict):
        for item in stats.get("calibration") or []:
            if isinstance(item, dict) and item.get("name") == name:
                return item.get("face_share")
        return None

    return read


def _first_ratio(stats: dict):
    ratios = stats.get("explained_variance_ratio")
    return ratios[0] if isinstance(ratios, list) and ratios else None


def _ellipse_shares(stats: dict):
    """Per k, the mean share of points inside the k-sigma ellipse over the chosen planes."""
    shares: dict[int, list[float]] = {}
    for ellipse in stats.get("ellipses") or []:
        if isinstance(ellipse, dict) and _number(ellipse.get("k")) is not None and _number(ellipse.get("share")) is not None:
            shares.setdefault(ellipse["k"], []).append(ellipse["share"])
    return {k: sum(v) / len(v) for k, v in shares.items()} or None


def _generators(field: str) -> Callable[[dict], dict | None]:
    """Per scoreboard generator (keyed by its name) one field of its record."""
    def read(stats: dict):
        generators = [g for g in stats.get("generators") or [] if isinstance(g, dict) and g.get("name")]
        return {g["name"]: g.get(field) for g in generators} or None

    return read


def _generator(name: str, field: str) -> Callable[[dict], object]:
    """One field of one scoreboard generator's record (None when it is missing)."""
    def read(stats: dict):
        return (_generators(field)(stats) or {}).get(name)

    return read


def _paths_face_share(stats: dict):
    counts = [p.get("faces") for p in stats.get("paths") or [] if isinstance(p, dict)]
    if not counts or any(not isinstance(c, dict) for c in counts):
        return None
    total = sum(c.get("n_decodes", 0) for c in counts)
    return sum(c.get("n_faces", 0) for c in counts) / total if total else None


VERDICT_CODES = {"like-normal": 0, "thin-manifold": 1, "filaments": 2}


def _verdict_code(stats: dict):
    return VERDICT_CODES.get(stats.get("verdict"))


# Face shares are shares of n judged images, so their sampling error alone is
# sqrt(p (1 - p) / n) <= 0.5 / sqrt(n): <= 0.023 for the 500 calibration images of the default,
# <= 0.022 for 500 judged decodes per b or f, <= 0.08 for the ~40 decodes of all paths. Measured
# with benchmarks/numerics_drift.py (a full `synthetic-faces` rebuild with oneDNN off against the
# usual one; the face rule then was manifold membership alone): calibration shares moved by up to
# 0.025, decode shares of 500 by up to 0.028, FDs by up to 18 % (N(0, I): x2.03), the face share of
# all path decodes by 0.17 and that of the scoreboard's 500 path points by 0.27 (a few paths, so
# few independent decodes), PSNR by 0.13 dB (epoch 8), snapshot pair counts by 4.8 %, the BIC-best
# mixture by one component. Each tolerance is at least 1.5x its measured move.
FACE_SHARE_ATOL = 0.06
DECODE_FACE_SHARE_ATOL = 0.08
PATH_FACE_SHARE_ATOL = 0.45

# Order is the order of tables. The tolerances were set from measurements, not guessed: on
# `synthetic-faces`, turning oneDNN off or training on one thread (another CPU's arithmetic, as
# far as one machine can show it) moved the radius mean by up to 2.7 %, the centre by 3.8 %, the
# largest |mean| (a maximum over 256 components) by 13 %, the radius peak (the fullest of 80
# histogram bins) by 15 %, the nearest point by 6.5 %, pair counts by up to 5.6 %, dominant
# components by 1 of 49 and the share farther than the origin by 0.025; each tolerance is about
# 1.5-2x that. Slice counts keep the points whose ~250 other components all lie within t of zero,
# so a 0.65 % change of t (a multiple of the median std) moved them by a factor of 2.7: they get
# a factor, not a difference. Another seed moves `tiny`'s statistics by 10-70 %.
KEY_STATS: tuple[KeyStat, ...] = (
    KeyStat("data.n_images", "images in the data set"),
    KeyStat("data.pca_components_90", "principal components carrying 90 % of the pixel variance", atol=1),
    KeyStat("train.final_loss", "final training loss", rtol=0.03),
    KeyStat("train.final_val_loss", "final validation loss", rtol=0.03),
    KeyStat("encode.reconstruction_mse", "reconstruction error (mean squared, pixels in 0-1)", rtol=0.05),
    # Held-out PSNR and SSIM, and the formation step's snapshots: tolerances derived from the measured
    # ones above, not measured themselves (see the note under KEY_STATS): a 5 % change of an MSE moves
    # its PSNR by 0.21 dB, so ±0.3 dB; SSIM, a mean of bounded local scores, ±0.01; counts of pairs
    # and directions as the correlations' counts.
    KeyStat("encode.heldout_psnr", "PSNR of held-out reconstructions", atol=0.3, unit="dB"),
    KeyStat("encode.heldout_ssim", "SSIM of held-out reconstructions (1 = identical)", atol=0.01),
    KeyStat("formation.epoch_*.heldout_psnr", "PSNR of held-out reconstructions after epoch *", atol=0.3,
            read=_snapshots("heldout_psnr"), unit="dB"),
    KeyStat("formation.epoch_*.pairs_above_0.5", "component pairs with |r| above 0.5 after epoch *", rtol=0.1, atol=2,
            read=_snapshots("pairs_above", "0.5")),
    KeyStat("formation.epoch_*.directions", "principal directions carrying most of the variance, after epoch *",
            rtol=0.1, atol=2, read=_snapshots("directions")),
    KeyStat("face_measure.real.face_share", "face share of held-out real images", atol=FACE_SHARE_ATOL,
            read=_calibration("real"), unit="%"),
    KeyStat("face_measure.reconstructions.face_share", "face share of their reconstructions", atol=FACE_SHARE_ATOL,
            read=_calibration("reconstructions"), unit="%"),
    KeyStat("face_measure.uniform.face_share", "face share of uniform decodes (post I's b)", atol=FACE_SHARE_ATOL,
            read=_calibration("uniform"), unit="%"),
    KeyStat("face_measure.noise.face_share", "face share of pixel noise", atol=FACE_SHARE_ATOL,
            read=_calibration("noise"), unit="%"),
    KeyStat("face_measure.blurred.face_share", "face share of blurred held-out images", atol=FACE_SHARE_ATOL,
            read=_calibration("blurred"), unit="%"),
    KeyStat("distributions.n_points", "latent vectors analysed"),
    KeyStat("distributions.z_dim", "latent dimension z_dim"),
    KeyStat("distributions.radius.mean", "radius mean (length of a latent vector)", rtol=0.05),
    KeyStat("distributions.radius.std", "radius standard deviation", rtol=0.05),
    KeyStat("distributions.radius.peak", "radius at the histogram's peak", rtol=0.25),
    KeyStat("distributions.centre_radius", "distance of the centre of the cloud from the origin", rtol=0.08),
    KeyStat("distributions.matching_b", "half width b of the uniform cube whose radii match the data's mean",
            rtol=0.05),
    KeyStat("distributions.n_dominant", "dominant components (wide distributions)", rtol=0.1, atol=2, read=_n_dominant),
    KeyStat("distributions.max_abs_mean", "largest |mean| of one component", rtol=0.3, read=_max_abs_mean),
    KeyStat("distributions.max_half_width.value", "largest half width of a component's distribution", rtol=0.08),
    KeyStat("distributions.dominant_rule.median_half_width", "median half width of the components' distributions",
            rtol=0.05),
    KeyStat("distributions.median_std", "median standard deviation of a component", rtol=0.05),
    KeyStat("correlations.pairs_above.*", "pairs with |r| above *", rtol=0.1, atol=2),
    KeyStat("correlations.max_abs_r", "largest |r| of a component pair", atol=0.02),
    KeyStat("correlations.mean_abs_r", "mean |r| over all component pairs", atol=0.02),
    KeyStat("origin_slices.origin.share_farther", "share of points farther from the centre than the origin",
            atol=0.05, unit="%"),
    KeyStat("origin_slices.origin.nearest_point_radius", "radius of the point nearest the origin", rtol=0.15),
    KeyStat("origin_slices.origin.mahalanobis.share_farther",
            "share of points farther from the centre than the origin, in Mahalanobis units", atol=0.05,
            unit="%"),
    KeyStat("origin_slices.origin.mahalanobis.origin", "Mahalanobis distance of the origin from the centre",
            factor=2),  # set by the cloud's thinnest directions, which a few ulps can move
    KeyStat("origin_slices.slice_*.all_kept", "data points kept by slice *", factor=4, atol=5,
            read=_slices("all_kept")),
    KeyStat("origin_slices.slice_*.sample_kept", "sampled data points kept by slice *", factor=4, atol=5,
            read=_slices("sample_kept")),
    KeyStat("origin_slices.slice_*.uniform_kept", "uniform vectors kept by slice *", factor=4, atol=5,
            read=_slices("uniform_kept")),
    KeyStat("statistical_points.matching.share_inside_ranges",
            "share of uniform components (matching b) inside the data's ranges", atol=0.02,
            read=_matching_batch("share_inside_ranges"), unit="%"),
    KeyStat("statistical_points.matching.share_radius_in_data_range",
            "share of uniform vectors (matching b) with a radius inside the data's range", atol=0.03,
            read=_matching_batch("share_radius_in_data_range"), unit="%"),
    KeyStat("statistical_points.matching.face_share", "face share of uniform decodes (matching b)",
            atol=DECODE_FACE_SHARE_ATOL, read=_matching_batch("face_share"), unit="%"),
    KeyStat("paths.face_share", "face share of the decodes along all paths", atol=PATH_FACE_SHARE_ATOL,
            read=_paths_face_share, unit="%"),
    KeyStat("intervals.widest.share_inside_ranges",
            "share of interval vectors' components inside the data's ranges (widest factor)", atol=0.02, read=_widest_grid("share_inside_ranges"), unit="%"),
    KeyStat("intervals.widest.face_share", "face share of interval decodes (widest factor)",
            atol=DECODE_FACE_SHARE_ATOL, read=_widest_grid("face_share"), unit="%"),
    KeyStat("intervals.data_distance_mean", "mean distance of the data from the centre", rtol=0.05),
    # Posts VIII-X and the scoreboard. Mahalanobis distances and eigenvalue shares move
    # with the cloud as the radius does; counts of directions as the pair counts; the BIC-best
    # mixture size may step by one or two where neighbouring BICs lie close.
    KeyStat("normal_fit.mahalanobis.mean", "mean Mahalanobis distance from the centre", rtol=0.05),
    KeyStat("normal_fit.mahalanobis.std", "std of the Mahalanobis distances", rtol=0.1),
    KeyStat("normal_fit.ellipse_*.share", "mean share of points inside the *-sigma ellipses of the chosen planes",
            atol=0.04, read=_ellipse_shares, unit="%"),
    KeyStat("normal_fit.mixture.best_k", "Gaussian mixture components with the lowest BIC", atol=2),
    KeyStat("pca.components_for.*", "principal directions for a * share of the variance", rtol=0.1, atol=2),
    KeyStat("pca.first_share", "variance share of the first principal direction", atol=0.03, read=_first_ratio,
            unit="%"),
    # Members listed before their family take precedence (`definition` returns the first match):
    # points on a few paths are few independent decodes, and N(0, I) decodes lie so far from the
    # data that their Fréchet distance doubled under the perturbation below.
    KeyStat("scoreboard.paths.face_share", "face share of the scoreboard's path-point decodes", atol=PATH_FACE_SHARE_ATOL,
            read=_generator("paths", "face_share"), unit="%"),
    KeyStat("scoreboard.standard-normal.fd", "Fréchet distance of the scoreboard's N(0, I) decodes", factor=3, atol=2,
            read=_generator("standard-normal", "fd")),
    KeyStat("scoreboard.*.face_share", "face share of the scoreboard's * decodes", atol=DECODE_FACE_SHARE_ATOL,
            read=_generators("face_share"), unit="%"),
    KeyStat("scoreboard.*.face_coverage", "face coverage (the ranking key) of the scoreboard's * decodes", atol=0.05,
            read=_generators("face_coverage"), unit="%"),
    KeyStat("scoreboard.*.fd", "Fréchet distance of the scoreboard's * decodes", factor=1.3, atol=2,
            read=_generators("fd")),
    # The filaments page. Measured on the default's 12,000 z-points by five reruns of the step's functions with
    # other seeds (another normal sample, other subsamples, test points and label permutations) and five 90 %
    # subsamples: the normal sample's dimension moved by up to 1.4 %, the z-points' by up to 0.6 %, the
    # same-sample share by up to 0.0063, the verdict not at all; each tolerance is about 2x the larger move.
    KeyStat("filaments.intrinsic_dimension.data", "local dimension of the z-points (Levina-Bickel, the verdict's scale)",
            rtol=0.025),
    KeyStat("filaments.intrinsic_dimension.null", "local dimension of a sample of the fitted normal, same scale",
            rtol=0.025),
    KeyStat("filaments.two_sample.statistic", "same-sample neighbour share, z-points against the fitted normal",
            atol=0.012, unit="%"),
    KeyStat("filaments.verdict", "filaments verdict (0 like-normal, 1 thin-manifold, 2 filaments)", read=_verdict_code),
)

EXACT = KeyStat("*", "")  # keys no definition knows (a file from an older or newer version) must match exactly


def definition(key: str) -> KeyStat:
    """The definition that covers a flat key; EXACT for an unknown key."""
    for stat in KEY_STATS:
        if key == stat.key or ("*" in stat.key and fnmatch.fnmatchcase(key, stat.key)):
            return stat
    return EXACT


def _member(stat: KeyStat, key: str) -> str:
    prefix, suffix = stat.key.split("*")
    return key[len(prefix) : len(key) - len(suffix)]


def label(key: str) -> str:
    """Plain-English name of a flat key, e.g. "pairs with |r| above 0.3"."""
    stat = definition(key)
    if stat is EXACT:
        return key
    return stat.label.replace("*", _member(stat, key)) if "*" in stat.key else stat.label


def order(keys) -> list[str]:
    """Keys in table order: definition order, members of a family by number, unknown keys last."""
    position = {stat.key: i for i, stat in enumerate(KEY_STATS)}

    def rank(key: str):
        stat = definition(key)
        member = _member(stat, key) if "*" in stat.key and stat is not EXACT else ""
        try:
            number = float(member)
        except ValueError:
            number = math.inf
        return position.get(stat.key, len(KEY_STATS)), number, key

    return sorted(keys, key=rank)


def from_records(records: Mapping[str, dict]) -> dict[str, float]:
    """Key statistics from the steps' records (JSON-native, by step name); absent steps add nothing."""
    values: dict[str, float] = {}
    for stat in KEY_STATS:
        if records.get(stat.step) is not None:
            values.update(stat.values(records[stat.step]))
    return values


def compute(run_dir: Path) -> dict[str, float]:
    """Key statistics of a run, each step's `stats.json` read through its schema."""
    steps = {stat.step for stat in KEY_STATS}
    return from_records({step: _read_stats(Path(run_dir) / "results" / step, step) for step in steps})


def _read_stats(folder: Path, step: str) -> dict | None:
    """A step's record read through its schema, as JSON-native values; None when the step has none."""
    from report.pipeline.steps import STEPS_BY_NAME
    from report.results import STATS_FILE, read_results

    if not (folder / STATS_FILE).is_file():
        return None
    return read_results(folder, STEPS_BY_NAME[step].schema).model_dump(mode="json")


def dumps(values: dict[str, float]) -> str:
    """The text of a key-statistics file: one key per line, sorted, full precision."""
    return json.dumps(values, indent=1, sort_keys=True, allow_nan=False) + "\n"


def write(run_dir: Path) -> Path:
    """Write `results/key_stats.json` of a run and return its path (untouched when unchanged)."""
    path = Path(run_dir) / "results" / KEY_STATS_FILE
    text = dumps(compute(run_dir))
    if not path.is_file() or path.read_text(encoding="utf-8") != text:
        from report.pipeline.atomic import write_text  # through a temporary file: never half written

        write_text(path, text)
    return path


def load(path: Path) -> dict[str, float]:
    """Key statistics from a run folder (its results/key_stats.json) or from a key-stats JSON file.

    Raises:
        ReportError: One line naming the path when it is missing, holds no key statistics, or
            holds something other than a flat object of numbers.
    """
    path = Path(path)
    if path.is_dir():
        file = path / "results" / KEY_STATS_FILE
        if not file.is_file():
            raise ReportError(f"{path}: no results/{KEY_STATS_FILE} (not a run folder, or built before key statistics)")
    elif path.is_file():
        file = path
    else:
        raise ReportError(f"{path}: no such run folder")
    try:
        values = json.loads(file.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise ReportError(f"{file}: not valid JSON ({err})") from None
    if not isinstance(values, dict):
        raise ReportError(f"{file}: expected an object of key statistics")
    bad = [key for key, value in values.items() if _number(value) is None]
    if bad:
        raise ReportError(f"{file}: {bad[0]}: expected a finite number, got {values[bad[0]]!r}")
    return values

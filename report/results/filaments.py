"""The filaments page (`filaments`): do z-points lie on thin filaments around voids, or like a normal cloud?

`FilamentsResults` is the step's stats.json (the names outside checks read: `n_points`, `z_dim`, `intrinsic_dimension`
{"data", "null", "k"}, `two_sample` {"test", "statistic", "p_value"}, `verdict`); `findings` turns
it into the judgements the page states. Every analysis runs with the same settings on the z-points
and on two null samples of the same size: N(mu, Sigma) as fitted in post VIII ("normal") and the
principal scores with each column permuted on its own ("permuted").
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar, Literal

from scipy import stats

from report.results import Record, StepResults
from report.results.key_stat import KeyStat
from report.stats.uncertainty import intervals_overlap, wilson_interval

Sample = Literal["data", "normal", "permuted"]
SAMPLE_TITLES = {"data": "z-points", "normal": "N(μ, Σ)", "permuted": "permuted principal scores"}


class IntrinsicDimension(Record):
    """Levina-Bickel with MacKay-Ghahramani averaging over k neighbours: z-points and the normal sample."""

    data: float
    null: float
    k: int


class TwoSample(Record):
    test: str
    statistic: float
    p_value: float


class TwoSampleDetail(Record):
    """The k-NN two-sample test of the z-points against one null sample."""

    null: Sample
    n_points: int  # per sample
    k: int
    permutations: int
    statistic: float  # share of neighbour pairs from the same sample
    expected: float  # its mean over the label permutations (about 1/2 for equal sizes)
    z_score: float
    p_value: float


class DimensionEstimate(Record):
    """One sample's intrinsic dimension at one sample size."""

    sample: Sample
    n_points: int
    levina_bickel: float
    two_nn: float
    interval: tuple[float, float] | None = None  # bootstrap interval of levina_bickel over points


class AxisDensities(Record):
    """Per-axis number densities and the radius density of the z-points against one null sample (KS tests)."""

    null: Sample
    n_axes: int
    n_rejected: int  # axes whose KS test rejects at alpha
    expected_rejected: float  # alpha x n_axes: what chance alone rejects
    median_ks: float
    radius_ks: float
    radius_p_value: float
    radius_mean: float  # of the null sample (the data's is FilamentsResults.radius_mean)


class Embedding(Record):
    """One t-SNE embedding and how it keeps neighbours and fills its plane."""

    input: str  # "latent" or "pc-<m>"
    dims: int
    sample: Sample
    preservation: float  # share of the k nearest input neighbours among the k nearest in the plane
    preservation_interval: tuple[float, float]  # Student t interval of that mean over the points
    empty_share: float  # of a grid over the embedding's bounding square
    expected_empty_share: float  # exp(-points per cell): random points in the square


class Window(Record):
    """The points of one sample in one square window of a principal plane."""

    plane: tuple[int, int]
    sample: Sample
    half_width: float
    n_points: int
    clark_evans: float | None
    chi2: float | None
    dof: int
    p_value: float | None
    empty_share: float | None  # None: too few points to test (FilamentsParams.min_window_points)
    expected_empty_share: float | None
    # Ripley's L(r) - r against the pointwise envelope of samples of the fitted normal in the same window:
    # the largest distance outside it (+ above: more neighbours than the normal, gathered; - below: fewer,
    # regular; 0 inside everywhere; None untested) and the radius where it lies (None: inside).
    ripley_excursion: float | None = None
    ripley_radius: float | None = None
    ripley_max_radius: float | None = None  # the largest radius measured


class FaceSet(Record):
    """Decodes of one sample judged by the face measure."""

    sample: Sample
    n_decodes: int
    n_faces: int
    share: float
    interval: tuple[float, float]  # Wilson interval at the run's confidence level


class FilamentsResults(StepResults):
    """The record of the filaments page."""

    step: ClassVar[str] = "filaments"

    n_points: int
    z_dim: int
    intrinsic_dimension: IntrinsicDimension  # at `dimension_points`, the verdict's scale
    dimension_points: int | None = None  # the subsample size with the lowest data-to-normal ratio (None: n_points)
    two_sample: TwoSample
    verdict: Literal["filaments", "thin-manifold", "like-normal"]
    has_decoder: bool
    has_face_measure: bool
    alpha: float
    confidence_level: float
    rules: dict[str, float]  # the verdict's thresholds, clark_evans_margin and scale_flat (FilamentsParams)
    two_nn: dict[str, float]  # full-size TwoNN dimension per sample
    dimensions: list[DimensionEstimate]  # every sample at every size, largest first
    tests: list[TwoSampleDetail]  # against the normal sample (the `two_sample` above), and the permuted one
    densities: list[AxisDensities]
    radius_mean: float
    bin_width: float
    embeddings: list[Embedding]
    tsne_points: int
    preservation_k: int
    windows: list[Window]
    window_scale: float  # this run's median component sd over the original's
    ripley_envelope_samples: int = 0  # samples of the fitted normal behind each window's envelope
    ripley_max_points: int = 0  # Ripley's L of a fuller window is measured on this many of its points
    ripley_max_radius_share: float = 0.0  # the largest radius of Ripley's L, as a share of the window's side
    faces: list[FaceSet] = []
    min_count_for_percent: int = 50  # shares of fewer decodes are printed as "n of N" (analysis.uncertainty)
    figures: dict[str, str]  # role -> file name


VERDICT_CODES = {"like-normal": 0, "thin-manifold": 1, "filaments": 2}

# Measured on the default's 12,000 z-points by five reruns of the step's functions with other seeds
# (another normal sample, other subsamples, test points and label permutations) and five 90 %
# subsamples: the normal sample's dimension moved by up to 1.4 %, the z-points' by up to 0.6 %, the
# same-sample share by up to 0.0063, the verdict not at all; each tolerance is about 2x the larger move.
KEY_STATS = (
    KeyStat("filaments.intrinsic_dimension.data", "local dimension of the z-points (Levina-Bickel, the verdict's scale)",
            rtol=0.025),
    KeyStat("filaments.intrinsic_dimension.null", "local dimension of a sample of the fitted normal, same scale",
            rtol=0.025),
    KeyStat("filaments.two_sample.statistic", "same-sample neighbour share, z-points against the fitted normal",
            atol=0.012, unit="%"),
    KeyStat("filaments.verdict", "filaments verdict (0 like-normal, 1 thin-manifold, 2 filaments)",
            read=lambda record: VERDICT_CODES[record.verdict]),
)


class PlaneZoom(Record):
    """The smallest tested window of one plane: the z-points beside the normal sample."""

    plane: tuple[int, int]
    data: Window
    normal: Window
    clustered_more: bool  # the data's Clark-Evans ratio lies below the normal sample's by more than the margin


class WindowRow(Record):
    """One window of one plane: each sample's numbers side by side."""

    plane: tuple[int, int]
    half_width: float
    samples: dict[str, Window]


class FilamentsFindings(Record):
    """What the filaments page states."""

    verdict: str
    reason: Literal["not-rejected", "dimension-near-one", "few-dimensions", "differs-not-by-dimension"]
    dimension_ratio: float  # data / normal
    data_interval: tuple[float, float] | None
    null_interval: tuple[float, float] | None
    dimensions_apart: bool  # the bootstrap intervals of the two dimensions (at the verdict's scale) do not overlap
    dimension_points: int  # the sample size of the verdict's dimensions
    told_apart: bool  # the two-sample test rejects at alpha
    permuted_told_apart: bool | None
    normal_axes: AxisDensities | None
    radius_told_apart: bool  # the radius KS test against the normal sample rejects at alpha
    full_dimensions: list[DimensionEstimate]  # every sample at the full size
    axes_beyond_chance: bool  # more axes rejected against the normal than alpha alone would (binomial test at alpha)
    embeddings: dict[str, dict[str, Embedding]]  # input -> sample -> embedding
    preservation_more: list[str]  # inputs whose data map keeps more neighbours than the normal's (intervals apart)
    preservation_fewer: list[str]  # ... fewer
    preservation_untold: list[str]  # inputs whose two maps keep shares that cannot be told apart (intervals overlap)
    emptier_embeddings: int  # inputs whose data embedding leaves more cells empty than the normal's
    zooms: list[PlaneZoom]
    window_rows: list[WindowRow]  # plane by plane, the widest window first
    n_clustered_more: int
    ripley_tested: int = 0  # windows where the z-points' Ripley L was measured against the envelope
    ripley_above: int = 0  # ... and leaves it upwards (more neighbours within some r than the normal's samples)
    ripley_below: int = 0  # ... and leaves it downwards (fewer: more regular)
    ripley_null_tested: int = 0  # the normal sample's own curves measured against the envelope
    ripley_null_leaves: int = 0  # ... and leaving it: what a pointwise envelope over many radii gives by chance
    ripley_leaves: int = 0  # windows whose z-point curve leaves the envelope (above or below)
    ripley_more_than_null: bool = False  # the z-points leave it in a share of windows whose interval lies above the normal's
    ripley_largest: Window | None = None  # the z-points' window farthest outside its envelope (None: inside in all)
    faces: dict[str, FaceSet]
    faces_in_counts: bool  # too few decodes for percentages: "n of N"
    no_real_faces: bool  # not even decodes of real z-points count as faces: the question cannot be answered
    faces_apart: bool | None  # real decodes' face share and the normal sample's cannot be told apart: False
    normal_faces_more: bool = False  # apart, and the normal sample's decodes are the ones more often faces
    scale_trend: Literal["falls", "rises", "flat"] | None  # data's dimension from the smallest size to the full one
    figure_numbers: dict[str, int]  # figure file stem -> its number on the page


def _reason(results: FilamentsResults, test: TwoSampleDetail | None) -> str:
    if results.two_sample.p_value >= results.alpha:
        return "not-rejected"
    if results.verdict == "filaments":
        return "dimension-near-one"
    if results.verdict == "thin-manifold":
        return "few-dimensions"
    return "differs-not-by-dimension"


def _preservation_versus_normal(data: Embedding, normal: Embedding) -> Literal["more", "fewer", "untold"]:
    """Whether the data's map keeps more or fewer neighbours than the normal sample's, or their intervals overlap."""
    if intervals_overlap(data.preservation_interval, normal.preservation_interval):
        return "untold"
    return "more" if data.preservation > normal.preservation else "fewer"


def findings(results: FilamentsResults, upstream: Mapping[str, StepResults]) -> FilamentsFindings:
    """The judgements of the filaments page from its record."""
    full = {d.sample: d for d in results.dimensions if d.n_points == results.n_points}
    scale = results.dimension_points or results.n_points
    at_scale = {d.sample: d for d in results.dimensions if d.n_points == scale}
    data_interval = at_scale["data"].interval if "data" in at_scale else None
    null_interval = at_scale["normal"].interval if "normal" in at_scale else None
    apart = bool(data_interval and null_interval and not intervals_overlap(data_interval, null_interval))
    tests = {t.null: t for t in results.tests}
    permuted = tests.get("permuted")
    normal_axes = next((d for d in results.densities if d.null == "normal"), None)
    embeddings: dict[str, dict[str, Embedding]] = {}
    for e in results.embeddings:
        embeddings.setdefault(e.input, {})[e.sample] = e
    pairs = [(v["data"], v["normal"]) for v in embeddings.values() if "data" in v and "normal" in v]
    preservation = {name: _preservation_versus_normal(v["data"], v["normal"])
                    for name, v in embeddings.items() if "data" in v and "normal" in v}
    zooms = []
    for plane in dict.fromkeys(w.plane for w in results.windows):
        tested = [w for w in results.windows if w.plane == plane and w.clark_evans is not None]
        for half_width in sorted({w.half_width for w in tested}):
            at = {w.sample: w for w in tested if w.half_width == half_width}
            if "data" in at and "normal" in at:
                zooms.append(PlaneZoom(plane=plane, data=at["data"], normal=at["normal"],
                                       clustered_more=at["data"].clark_evans
                                       < at["normal"].clark_evans - results.rules["clark_evans_margin"]))
                break
    rows = []
    for plane in dict.fromkeys(w.plane for w in results.windows):
        for half_width in sorted({w.half_width for w in results.windows if w.plane == plane}, reverse=True):
            rows.append(WindowRow(plane=plane, half_width=half_width, samples={
                w.sample: w for w in results.windows if w.plane == plane and w.half_width == half_width}))
    measured = {name: [w for w in results.windows if w.sample == name and w.ripley_excursion is not None]
                for name in ("data", "normal")}
    outside = [w for w in measured["data"] if w.ripley_excursion != 0]
    stems = [name.rsplit(".", 1)[0] for name in results.figures.values()]
    order = ["densities", "tsne", *[s for s in stems if s.startswith("zoom-")], "ripley", "dimension-scale", "decodes"]
    numbers = {stem: number for number, stem in enumerate([s for s in order if s in stems], start=1)}
    faces = {f.sample: f for f in results.faces}
    faces_apart = None
    normal_faces_more = False
    if "data" in faces and "normal" in faces:
        faces_apart = not intervals_overlap(faces["data"].interval, faces["normal"].interval)
        normal_faces_more = faces_apart and faces["normal"].share > faces["data"].share
    data_sizes = sorted((d for d in results.dimensions if d.sample == "data"), key=lambda d: d.n_points)
    trend = None
    if len(data_sizes) > 1:
        change = (data_sizes[-1].levina_bickel - data_sizes[0].levina_bickel) / max(data_sizes[0].levina_bickel, 1e-12)
        trend = "flat" if abs(change) < results.rules["scale_flat"] else "rises" if change > 0 else "falls"
    dim = results.intrinsic_dimension
    return FilamentsFindings(
        verdict=results.verdict,
        reason=_reason(results, tests.get("normal")),
        dimension_ratio=dim.data / dim.null if dim.null else float("inf"),
        data_interval=data_interval,
        null_interval=null_interval,
        dimensions_apart=apart,
        dimension_points=scale,
        told_apart=results.two_sample.p_value < results.alpha,
        permuted_told_apart=permuted.p_value < results.alpha if permuted else None,
        normal_axes=normal_axes,
        radius_told_apart=bool(normal_axes and normal_axes.radius_p_value < results.alpha),
        full_dimensions=list(full.values()),
        axes_beyond_chance=bool(normal_axes and normal_axes.n_rejected > 0 and stats.binomtest(
            normal_axes.n_rejected, normal_axes.n_axes, results.alpha, alternative="greater").pvalue < results.alpha),
        embeddings=embeddings,
        preservation_more=[name for name, versus in preservation.items() if versus == "more"],
        preservation_fewer=[name for name, versus in preservation.items() if versus == "fewer"],
        preservation_untold=[name for name, versus in preservation.items() if versus == "untold"],
        emptier_embeddings=sum(d.empty_share > n.empty_share for d, n in pairs),
        zooms=zooms,
        window_rows=rows,
        n_clustered_more=sum(z.clustered_more for z in zooms),
        ripley_tested=len(measured["data"]),
        ripley_above=sum(w.ripley_excursion > 0 for w in outside),
        ripley_below=sum(w.ripley_excursion < 0 for w in outside),
        ripley_null_tested=len(measured["normal"]),
        ripley_null_leaves=sum(w.ripley_excursion != 0 for w in measured["normal"]),
        ripley_leaves=len(outside),
        ripley_more_than_null=_leaves_more_often(len(outside), len(measured["data"]),
                                                 sum(w.ripley_excursion != 0 for w in measured["normal"]),
                                                 len(measured["normal"]), results.confidence_level),
        ripley_largest=max(outside, key=lambda w: abs(w.ripley_excursion), default=None),
        faces=faces,
        faces_apart=faces_apart,
        normal_faces_more=normal_faces_more,
        faces_in_counts=any(f.n_decodes < results.min_count_for_percent for f in results.faces),
        no_real_faces="data" in faces and faces["data"].n_faces == 0,
        scale_trend=trend,
        figure_numbers=numbers,
    )


def _leaves_more_often(k_data: int, n_data: int, k_null: int, n_null: int, confidence: float) -> bool:
    """Whether the z-points' curves leave the envelope in clearly more windows than the normal sample's own
    curves do: their Wilson intervals do not overlap, the z-points' lying above."""
    if not n_data or not n_null:
        return False
    data, null = wilson_interval(k_data, n_data, confidence), wilson_interval(k_null, n_null, confidence)
    return not intervals_overlap(data, null) and k_data / n_data > k_null / n_null

"""Post I, section "Is this a face?" (`face_measure`): feature spaces outside the autoencoder and their calibration.

`FaceMeasureResults` is the step's stats.json. Beside it the step leaves what
`report.facelike.scorer.FaceScorer` needs to judge any image later (the trained network, the
standardisation statistics, the reference features and their k-NN radii); the random network is
rebuilt from the seed recorded here. `findings` turns the calibration into the judgements the post
states: whether held-out real images clearly count as faces, noise clearly not, and whether
reconstructions score above decodes of uniform vectors.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from itertools import pairwise
from typing import ClassVar, Literal

from pydantic import Field

from report.face_verdicts import CLEAR, FAINT, FaceVerdict, as_verdict
from report.results import Record, StepResults
from report.results.key_stat import FACE_SHARE_ATOL, KeyStat
from report.stats.uncertainty import intervals_overlap, wilson_interval

CLEARLY_FACES = 0.8  # a set "clearly" counts as faces when at least this share of it does
CLEARLY_NOT = 0.05  # ... and clearly not when at most this share does
TASK_LEARNT = {"factors": 0.5, "rotation": 0.5}  # held-out R² (factors) or accuracy (rotation, chance 0.25) of a learnt task
CALIBRATION_SETS = ("real", "reconstructions", "blurred", "uniform", "noise")  # in the order the post shows them

# What the step leaves beside stats.json for `report.facelike.scorer.FaceScorer` (kept here, free of
# keras, so the step graph can name the files).
SPACE_NAMES = ("random", "trained")  # the random network's space and the trained network's
TRAINED_NETWORK_FILE = "trained-network.keras"  # the trained feature extractor (uint8-valued images in)
JUDGE_NETWORK_FILE = "judge-network.keras"  # the structure judge (uint8-valued images in, P(real structure) out)
SPACE_FILES = ("mean", "std", "reference", "radii")  # per space NAME: NAME-<part>.npy
# The colour layouts' Gaussian mixtures, one per fold (report.facelike.colour.ColourReference):
COLOUR_WEIGHTS_FILE = "colour-weights.npy"  # (folds, k) component weights
COLOUR_MEANS_FILE = "colour-means.npy"  # (folds, k, p) component means
COLOUR_CHOLESKY_FILE = "colour-precision-cholesky.npy"  # (folds, k, p, p) Cholesky factors of their precisions
EXAMPLES_FIGURE = "examples.png"
DEGRADATION_FIGURE = "verdict-shares.png"  # shares of each verdict against blur and contrast reduction

DEGRADATIONS = ("blur", "contrast")  # how held-out real images are degraded for the verdict curves


def space_file(space: str, part: str) -> str:
    """File name of one saved array of a space, e.g. space_file("random", "radii") -> "random-radii.npy"."""
    if part not in SPACE_FILES:
        raise ValueError(f"part: expected one of {SPACE_FILES}, got {part!r}")
    return f"{space}-{part}.npy"


def output_files() -> tuple[str, ...]:
    """Every file the face_measure step leaves besides stats.json and its figure."""
    return (TRAINED_NETWORK_FILE, JUDGE_NETWORK_FILE, COLOUR_WEIGHTS_FILE, COLOUR_MEANS_FILE,
            COLOUR_CHOLESKY_FILE, *(space_file(name, part) for name in SPACE_NAMES for part in SPACE_FILES))


class FeatureSpaceRecord(Record):
    """One feature space in which images are judged."""

    name: Literal["random", "trained"]
    kind: Literal["random", "trained"]
    task: str | None  # what the trained network learnt: "factors" (the synthetic source's) or "rotation"
    layer: str  # where its features are read
    seed: int  # fixes the random network's weights, or the trained network's initial weights and batches
    filters: list[int]  # widths of the convolutions
    n_features: int
    epochs: int | None = None  # training epochs (trained spaces)
    final_loss: float | None = None  # the task's training loss after the last epoch
    task_score: float | None = None  # rotation accuracy or factor R² on held-out real images
    n_dead: int = 0  # features constant on the reference images (left unscaled)


class JudgeRecord(Record):
    """The structure judge: a small CNN telling real training images from structure-destroyed copies."""

    seed: int  # fixes the destroyed images, the blur and jitter, the initial weights and the batches
    n_images: int  # real training images (as many destroyed copies)
    epochs: int
    filters: list[int]
    max_sigma: float  # largest Gaussian blur applied to real and destroyed training images alike
    kinds: list[str]  # how structure was destroyed (report.facelike.judge.KINDS)
    threshold: float  # P(real structure) an image needs for "a face is there" (clear or faint)
    train_accuracy: float  # after the last epoch
    held_out_accuracy: float  # on held-out real images and destroyed copies of them, softened alike


class SpaceScores(Record):
    """A set's scores in one feature space, against the reference features."""

    face_share: float  # share inside the real k-NN manifold of this space
    realism_median: float  # median realism score (>= 1: inside a kept real ball)
    precision: float
    recall: float
    density: float
    coverage: float
    fd: float  # Fréchet distance (squared, as FID), biased upwards for small sets
    kid: float  # unbiased KID (mean over subsets)


class ClarityMeasure(Record):
    """Where the real reference images lie on one clarity measure (report.facelike.clarity), in logs."""

    low: float  # log of the measure's `quantile` over the reference images: scores 0.5
    spread: float  # standard deviation of the measure's log over them: the logistic's width


class ColourRule(Record):
    """Colour plausibility (report.facelike.colour): the colour layout's surprisal under the reference images'
    Gaussian mixture."""

    grid: int  # the layout: mean CIELAB colour of each cell of a grid x grid partition
    quantile: float  # the reference images' quantile of their own (out-of-sample) surprisals that scores 0.5
    floor: float  # CIELAB difference added to every component's spread
    components: int  # Gaussian components per fold model
    folds: int  # cross-fitting folds: each reference image is scored by a model fitted without it
    low: float  # the surprisal at the quantile: scores 0.5
    spread: float  # standard deviation of the reference images' surprisals: the logistic's width
    n_fitted: int  # reference (training) images the layout was fitted on
    typical: float  # median of the reference images' own scores: a score this high or higher counts as 1


class VerdictRule(Record):
    """How an image gets its verdict: structure x colour plausibility says whether a face is there, clarity whether
    it is clear."""

    structure_threshold: float  # structure x colour plausibility from which a face is there (faint or clear)
    clarity_threshold: float  # clarity score from which a face that is there is clear
    quantile: float  # the real images' quantile of each clarity measure that scores 0.5
    detail_inner_sigma: float  # the detail band-pass: difference of Gaussians of these sigmas (pixels)
    detail_outer_sigma: float
    adaptation: float  # the clarity measures divide the luminance by the image's mean luminance plus this
    contrast: ClarityMeasure
    detail: ClarityMeasure
    n_fitted: int  # reference (training) images the clarity measures were fitted on
    colour: ColourRule

    def clarity_reference(self) -> dict[str, object]:
        """The dict `report.facelike.clarity.ClarityReference.from_dict` reads."""
        return {"contrast": self.contrast.model_dump(), "detail": self.detail.model_dump(), "quantile": self.quantile,
                "inner_sigma": self.detail_inner_sigma, "outer_sigma": self.detail_outer_sigma,
                "adaptation": self.adaptation}


class ShareInterval(Record):
    """A share k of n with its Wilson interval at `confidence`."""

    k: int
    n: int
    share: float
    low: float
    high: float
    confidence: float


class DegradationPoint(Record):
    """The verdicts of held-out real images degraded by one amount: blurred (sigma) or contrast-reduced (factor)."""

    kind: Literal["blur", "contrast"]
    amount: float  # Gaussian sigma in pixels (blur) or contrast factor about the mean colour (contrast; 1 = unchanged)
    n_images: int
    clear_share: float
    faint_share: float
    no_face_share: float
    face_score_median: float
    clarity_median: float
    structure_median: float
    colour_median: float


class CalibrationSet(Record):
    """One calibration set: images whose answer the reader knows, scored like any decode."""

    name: Literal["real", "reconstructions", "blurred", "uniform", "noise"]
    n_images: int
    face_share: float  # share of clear faces (the verdict `clear face`)
    faint_share: float  # share of faint faces (a face is there, but blurred, washed out or low in contrast)
    no_face_share: float  # share with no face
    face_score_median: float  # median face score (structure x colour plausibility x clarity)
    clarity_median: float  # median clarity score
    colour_median: float  # median colour plausibility
    inside_share: float  # share inside the real k-NN manifold in every space (shown beside, not part of the verdict)
    judge_share: float  # share the structure judge alone passes (probability >= its threshold, colour aside)
    judge_median: float  # median judge probability
    spaces: dict[str, SpaceScores]  # per feature space name


class FaceMeasureResults(StepResults):
    """The record of the face measure."""

    step: ClassVar[str] = "face_measure"

    image_size: int
    k: int  # neighbourhood size of the k-NN balls
    realism_percentile: float  # real balls above this radius percentile are dropped for the realism score
    rule: Literal["structure_and_clarity"]  # what counts as a clear face (VerdictRule)
    verdict: VerdictRule
    primary_space: str  # the space of score_set's precision, recall, density, coverage, fd and kid
    kid_subsets: int
    kid_subset_size: int
    n_reference: int  # training images whose features form the real manifold
    n_held_out: int  # validation images (never trained on) scored as "real"
    blur_sigma: float  # Gaussian blur of the "blurred" set, in pixels
    uniform_b: float  # half range of the uniform vectors decoded (post I's b)
    spaces: list[FeatureSpaceRecord]
    judge: JudgeRecord
    calibration: list[CalibrationSet]
    real_clear: ShareInterval  # held-out real images that are clear faces, with its interval: what decodes compare with
    degradations: list[DegradationPoint]  # held-out real images blurred and contrast-reduced, by kind then amount
    degradation_figure: str  # stacked verdict shares against blur and contrast
    examples_figure: str  # example images per set, framed by verdict
    n_examples: int  # examples per set in the figure
    # places (from 1) in the figure's held-out real row of images the judge passes and the colour score turns away
    real_examples_lost_to_colour: list[int] = []
    seconds: dict[str, float]  # wall time of the parts: networks, reference, calibration

    def set(self, name: str) -> CalibrationSet | None:
        """The calibration set `name`, or None if this run has none of that name."""
        return next((item for item in self.calibration if item.name == name), None)


def _calibration_share(name: str) -> Callable[[FaceMeasureResults], float | None]:
    """The face share of one calibration set."""
    return lambda record: next((c.face_share for c in record.calibration if c.name == name), None)


KEY_STATS = (
    KeyStat("face_measure.real.face_share", "face share of held-out real images", atol=FACE_SHARE_ATOL,
            read=_calibration_share("real"), unit="%"),
    KeyStat("face_measure.reconstructions.face_share", "face share of their reconstructions", atol=FACE_SHARE_ATOL,
            read=_calibration_share("reconstructions"), unit="%"),
    KeyStat("face_measure.uniform.face_share", "face share of uniform decodes (post I's b)", atol=FACE_SHARE_ATOL,
            read=_calibration_share("uniform"), unit="%"),
    KeyStat("face_measure.noise.face_share", "face share of pixel noise", atol=FACE_SHARE_ATOL,
            read=_calibration_share("noise"), unit="%"),
    KeyStat("face_measure.blurred.face_share", "face share of blurred held-out images", atol=FACE_SHARE_ATOL,
            read=_calibration_share("blurred"), unit="%"),
)


Clarity = Literal["clearly_faces", "clearly_not", "mixed"]
Verdict = Literal["none", "few", "some", "most", "all"]
FEW = 0.25  # below this share of faces a grid has "few", from here to MOST "some"
MOST = 0.75  # from this share on, "most" (short of all)


class FaceCount(Record):
    """How many of a set of decodes (a grid, a strip) are clear faces, and each one's verdict, in figure order."""

    n_decodes: int
    n_faces: int  # clear faces
    faces: list[bool]  # per decode, in the order the figure shows them: a clear face
    n_faint: int = 0  # faint faces (a face is there, but not clearly)
    verdicts: list[FaceVerdict] = Field(default_factory=list)  # per decode, in figure order (empty in records made from bools)

    @classmethod
    def of(cls, verdicts) -> FaceCount:
        """From verdicts (n,) of FaceScorer.verdicts (or bools of FaceScorer.is_face: True a clear face, False none)."""
        words = [as_verdict(item) for item in verdicts]
        return cls(n_decodes=len(words), n_faces=words.count(CLEAR), faces=[word == CLEAR for word in words],
                   n_faint=words.count(FAINT), verdicts=words)

    @property
    def share(self) -> float:
        return self.n_faces / self.n_decodes if self.n_decodes else 0.0


def verdict(n_faces: int, n_decodes: int) -> Verdict:
    """None, few, some, most or all of a grid's decodes count as faces."""
    if n_faces == 0:
        return "none"
    if n_faces == n_decodes:
        return "all"
    share = n_faces / n_decodes
    return "few" if share < FEW else "some" if share < MOST else "most"


def clarity(share: float) -> Clarity:
    """Whether a face share says clearly "faces", clearly "no faces", or neither."""
    if share >= CLEARLY_FACES:
        return "clearly_faces"
    if share <= CLEARLY_NOT:
        return "clearly_not"
    return "mixed"


class DegradationCurve(Record):
    """What blurring or washing out held-out real images does to their verdicts (post I's figure)."""

    kind: Literal["blur", "contrast"]
    points: list[DegradationPoint]  # in the order of the parameters (growing blur, shrinking contrast)
    clear_falls: bool  # the clear share never grows from one amount to the next (beyond one image)
    score_falls: bool  # nor does the median face score (beyond MONOTONE_SLACK)
    half_clear: float | None  # the first amount at which fewer than half are clear; None if none
    mostly_no_face: float | None  # the first amount at which most have no face; None if none


MONOTONE_SLACK = 0.01  # a median face score may rise this much from one degradation to the next and still "fall"


def degradation_curve(points: list[DegradationPoint], kind: str) -> DegradationCurve:
    """The curve of one kind of degradation: whether the verdicts only worsen, and where they cross half."""
    chosen = [p for p in points if p.kind == kind]
    clear = [p.clear_share for p in chosen]
    scores = [p.face_score_median for p in chosen]
    slack = 1 / max(p.n_images for p in chosen) if chosen else 0.0
    return DegradationCurve(
        kind=kind, points=chosen,
        clear_falls=all(b <= a + slack for a, b in pairwise(clear)),
        score_falls=all(b <= a + MONOTONE_SLACK for a, b in pairwise(scores)),
        half_clear=next((p.amount for p in chosen if p.clear_share < 0.5), None),
        mostly_no_face=next((p.amount for p in chosen if p.no_face_share > 0.5), None))


class FaceMeasureFindings(Record):
    """What the post states about the calibration."""

    clearly_faces: float = CLEARLY_FACES  # the thresholds, for the prose
    clearly_not: float = CLEARLY_NOT
    real: CalibrationSet
    noise: CalibrationSet
    blurred: CalibrationSet
    reconstructions: CalibrationSet | None
    uniform: CalibrationSet | None
    real_clarity: Clarity  # of the clear share
    noise_clarity: Clarity  # of the share with a face (clear or faint)
    noise_face_share: float  # share of the noise images with a face, clear or faint
    uniform_mostly_no_face: bool | None  # most uniform decodes have no face; None without uniform decodes
    holds: bool  # real clearly clear faces, noise clearly no face, reconstructions above uniform decodes
    reconstructions_above_uniform: bool | None  # None without a decoder
    blurred_mostly_faint: bool  # the blurred set is mostly faint faces: clarity, not structure, sets it apart
    real_clear: ShareInterval  # what other posts compare a generator's clear share with
    verdict: VerdictRule
    blur: DegradationCurve
    contrast: DegradationCurve
    spaces: list[FeatureSpaceRecord]
    trained: FeatureSpaceRecord
    primary: FeatureSpaceRecord
    task_learnt: bool  # the trained network solves its task on held-out images (TASK_LEARNT)
    judge: JudgeRecord
    judge_keeps_faces: bool  # the judge passes held-out real, blurred and reconstructed images clearly (CLEARLY_FACES)
    real_lost_to_colour: int  # held-out real images the judge passes that lose their face to the colour score


def findings(results: FaceMeasureResults, upstream: Mapping[str, StepResults]) -> FaceMeasureFindings:
    """The judgements of the face-measure section from its record."""
    real, noise, blurred = results.set("real"), results.set("noise"), results.set("blurred")
    reconstructions, uniform = results.set("reconstructions"), results.set("uniform")
    above = None
    if reconstructions is not None and uniform is not None:
        above = reconstructions.face_share > uniform.face_share
    trained = next(space for space in results.spaces if space.kind == "trained")
    real_clarity, noise_clarity = clarity(real.face_share), clarity(1 - noise.no_face_share)
    return FaceMeasureFindings(
        real=real,
        noise=noise,
        blurred=blurred,
        reconstructions=reconstructions,
        uniform=uniform,
        real_clarity=real_clarity,
        noise_clarity=noise_clarity,
        noise_face_share=1 - noise.no_face_share,
        uniform_mostly_no_face=None if uniform is None else uniform.no_face_share > 0.5,
        holds=real_clarity == "clearly_faces" and noise_clarity == "clearly_not" and above is not False,
        reconstructions_above_uniform=above,
        blurred_mostly_faint=blurred.faint_share > 0.5,
        real_clear=results.real_clear,
        verdict=results.verdict,
        blur=degradation_curve(results.degradations, "blur"),
        contrast=degradation_curve(results.degradations, "contrast"),
        spaces=results.spaces,
        trained=trained,
        primary=next(space for space in results.spaces if space.name == results.primary_space),
        task_learnt=trained.task_score is not None and trained.task_score >= TASK_LEARNT.get(trained.task or "", 1.0),
        judge=results.judge,
        judge_keeps_faces=all(item.judge_share >= CLEARLY_FACES for item in (real, blurred, reconstructions)
                              if item is not None),
        real_lost_to_colour=lost_to_colour(real),
    )


def lost_to_colour(images: CalibrationSet) -> int:
    """How many images of a set the structure judge passes but the colour score turns into "no face".

    Presence is structure x colour, never above the structure alone, so every image with a face passes
    the judge; those that pass it and still have no face lost it to their colours.
    """
    passed = round(images.judge_share * images.n_images)
    present = round((1 - images.no_face_share) * images.n_images)
    return max(passed - present, 0)


Comparison = Literal["above", "below", "alike"]


def compare_with_real(k: int, n: int, real_clear: ShareInterval) -> Comparison:
    """Whether k clear faces of n decodes lie above, below or cannot be told apart from held-out real images.

    Wilson intervals at the confidence of `real_clear`; overlapping intervals are "alike".
    """
    interval = wilson_interval(k, n, real_clear.confidence)
    if intervals_overlap(interval, (real_clear.low, real_clear.high)):
        return "alike"
    return "above" if interval[0] > real_clear.high else "below"

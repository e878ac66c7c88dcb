"""Post I, section "Is this a face?" (`face_measure`): feature spaces outside the autoencoder and their calibration.

`FaceMeasureResults` is the step's stats.json. Beside it the step leaves what
`report.facelike.scorer.FaceScorer` needs to judge any image later (the trained network, the
standardisation statistics, the reference features and their k-NN radii); the random network is
rebuilt from the seed recorded here. `findings` turns the calibration into the judgements the post
states: whether held-out real images clearly count as faces, noise clearly not, and whether
reconstructions score above decodes of uniform vectors.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar, Literal

from report.results import Record, StepResults

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
EXAMPLES_FIGURE = "examples.png"


def space_file(space: str, part: str) -> str:
    """File name of one saved array of a space, e.g. space_file("random", "radii") -> "random-radii.npy"."""
    if part not in SPACE_FILES:
        raise ValueError(f"part: expected one of {SPACE_FILES}, got {part!r}")
    return f"{space}-{part}.npy"


def output_files() -> tuple[str, ...]:
    """Every file the face_measure step leaves besides stats.json and its figure."""
    return (TRAINED_NETWORK_FILE, JUDGE_NETWORK_FILE, *(space_file(name, part) for name in SPACE_NAMES for part in SPACE_FILES))


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
    threshold: float  # P(real structure) an image needs to count as a face
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


class CalibrationSet(Record):
    """One calibration set: images whose answer the reader knows, scored like any decode."""

    name: Literal["real", "reconstructions", "blurred", "uniform", "noise"]
    n_images: int
    face_share: float  # share counting as faces under the stated rule (inside in every space, judge passed)
    inside_share: float  # share inside the real k-NN manifold in every space (the rule without the judge)
    judge_share: float  # share the structure judge alone passes (probability >= its threshold)
    judge_median: float  # median judge probability
    spaces: dict[str, SpaceScores]  # per feature space name


class FaceMeasureResults(StepResults):
    """The record of the face measure."""

    step: ClassVar[str] = "face_measure"

    image_size: int
    k: int  # neighbourhood size of the k-NN balls
    realism_percentile: float  # real balls above this radius percentile are dropped for the realism score
    rule: Literal["inside_every_space_and_judge"]  # what counts as a face
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
    examples_figure: str  # example images per set, framed green (face) or red (not)
    n_examples: int  # examples per set in the figure
    seconds: dict[str, float]  # wall time of the parts: networks, reference, calibration

    def set(self, name: str) -> CalibrationSet | None:
        """The calibration set `name`, or None if this run has none of that name."""
        return next((item for item in self.calibration if item.name == name), None)


Clarity = Literal["clearly_faces", "clearly_not", "mixed"]
Verdict = Literal["none", "few", "some", "most", "all"]
FEW = 0.25  # below this share of faces a grid has "few", from here to MOST "some"
MOST = 0.75  # from this share on, "most" (short of all)


class FaceCount(Record):
    """How many of a set of decodes (a grid, a strip) count as faces, and which, in figure order."""

    n_decodes: int
    n_faces: int
    faces: list[bool]  # per decode, in the order the figure shows them

    @classmethod
    def of(cls, faces) -> FaceCount:
        """From a bool array (n,) of FaceScorer.is_face."""
        marks = [bool(face) for face in faces]
        return cls(n_decodes=len(marks), n_faces=sum(marks), faces=marks)

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


class FaceMeasureFindings(Record):
    """What the post states about the calibration."""

    clearly_faces: float = CLEARLY_FACES  # the thresholds, for the prose
    clearly_not: float = CLEARLY_NOT
    real: CalibrationSet
    noise: CalibrationSet
    blurred: CalibrationSet
    reconstructions: CalibrationSet | None
    uniform: CalibrationSet | None
    real_clarity: Clarity
    noise_clarity: Clarity
    blurred_clarity: Clarity
    holds: bool  # real clearly faces, noise clearly not, reconstructions above uniform decodes
    reconstructions_above_uniform: bool | None  # None without a decoder
    spaces: list[FeatureSpaceRecord]
    trained: FeatureSpaceRecord
    primary: FeatureSpaceRecord
    blur_separates: Literal["both", "random_only", "trained_only", "neither"]  # which spaces score blur below real
    task_learnt: bool  # the trained network solves its task on held-out images (TASK_LEARNT)
    judge: JudgeRecord
    judge_rejects_uniform: bool | None  # the judge removes a clear share (2 x CLEARLY_NOT) of the uniform decodes the
    # manifold passes; None without uniform decodes
    judge_keeps_faces: bool  # the judge passes held-out real, blurred and reconstructed images clearly (CLEARLY_FACES)


def findings(results: FaceMeasureResults, upstream: Mapping[str, StepResults]) -> FaceMeasureFindings:
    """The judgements of the face-measure section from its record."""
    real, noise, blurred = results.set("real"), results.set("noise"), results.set("blurred")
    reconstructions, uniform = results.set("reconstructions"), results.set("uniform")
    above = None
    if reconstructions is not None and uniform is not None:
        above = reconstructions.face_share > uniform.face_share
    trained = next(space for space in results.spaces if space.kind == "trained")
    random = next(space for space in results.spaces if space.kind == "random")

    def separates(space: FeatureSpaceRecord) -> bool:
        # Blur counts as "separated" when its share falls clearly (by CLEARLY_NOT x 2) below real's.
        return blurred.spaces[space.name].face_share < real.spaces[space.name].face_share - 2 * CLEARLY_NOT

    by_random, by_trained = separates(random), separates(trained)
    blur = {(True, True): "both", (True, False): "random_only", (False, True): "trained_only"}.get(
        (by_random, by_trained), "neither")
    real_clarity, noise_clarity = clarity(real.face_share), clarity(noise.face_share)
    return FaceMeasureFindings(
        real=real,
        noise=noise,
        blurred=blurred,
        reconstructions=reconstructions,
        uniform=uniform,
        real_clarity=real_clarity,
        noise_clarity=noise_clarity,
        blurred_clarity=clarity(blurred.face_share),
        holds=real_clarity == "clearly_faces" and noise_clarity == "clearly_not" and above is not False,
        reconstructions_above_uniform=above,
        spaces=results.spaces,
        trained=trained,
        primary=next(space for space in results.spaces if space.name == results.primary_space),
        blur_separates=blur,
        task_learnt=trained.task_score is not None and trained.task_score >= TASK_LEARNT.get(trained.task or "", 1.0),
        judge=results.judge,
        judge_rejects_uniform=None if uniform is None else uniform.inside_share - uniform.face_share > 2 * CLEARLY_NOT,
        judge_keeps_faces=all(item.judge_share >= CLEARLY_FACES for item in (real, blurred, reconstructions)
                              if item is not None),
    )

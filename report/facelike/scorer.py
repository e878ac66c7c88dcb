"""Is this a face? One scorer any step can open, built from what the `face_measure` step saved.

Usage in a notebook whose step needs `face_measure`:

    scorer = FaceScorer.open(step)          # None without a decoder (zpoints runs)
    verdicts = scorer.verdicts(decodes)     # str (n,): "clear face", "faint face" or "no face"
    scorer.face_score(decodes)              # float (n,) in [0, 1]: structure x colour x clarity
    faces = scorer.is_face(decodes)         # bool (n,): the clear faces (what face shares count)
    scorer.score_set(decodes, "uniform")    # one scoreboard record (see SCOREBOARD_KEYS)

The verdict. Three scores, all smooth in the pixels, so that near-identical images get
near-identical scores:

- structure: the structure judge's probability (report.facelike.judge: a small CNN trained on the
  real training images against structure-destroyed copies of them, blurred and colour-jittered
  alike, so it asks only whether the parts of a face sit where a face keeps them);
- colour plausibility: how far the image's colour layout (CIELAB colour per cell) lies from the
  training images' (report.facelike.colour; 1 for colours as usual as a typical real image's,
  falling towards 0 beyond a high quantile of the real images' own distances), which the judge
  cannot see: face-like arrangements in psychedelic colours;
- clarity: the smaller of the image's contrast and detail scores against the training images
  (report.facelike.clarity; 0.5 at a low quantile of the real images, monotone in blur and
  contrast by construction).

A face is there when its presence, structure x colour plausibility, reaches `judge_threshold`;
it is a clear face when the clarity also reaches `clarity_threshold`, a faint face (blurred,
washed out or low in contrast) when it does not; below the threshold the image has no face. The
face score is structure x colour plausibility x clarity. The k-NN manifolds of the feature spaces no longer decide single images (membership of
a ball is a yes or no that one grey level can flip); they describe sets (`score_set`) and give
`face_coverage`. The spaces: the random network (fixed by its seed, never trained; max pooling)
and the network trained on the real images for another task (the synthetic source's generating
factors, or the rotation task for image folders; read at its pooled last convolution).

The record. `score_set(images, name)` returns exactly the scoreboard keys
{"name", "n_decodes", "face_share", "precision", "recall", "density", "coverage", "fd", "kid"}:
face_share is the share of clear faces; precision, recall, density, coverage (Naeem et
al. 2020, strict inequalities), fd (squared Fréchet distance, biased upwards for small sets) and
kid (unbiased KID, mean over subsets) are taken in the primary space, the random network's
(`FaceScorer.primary`, recorded as `primary_space`): it depends on nothing learnt and is the one
that tells murk from faces. `score_set_by_space` gives the same record in every space.

What face_measure leaves in its results folder (written by `save_spaces`, read by `load`; names
in `report.results.face_measure`): `stats.json` (the `FaceMeasureResults` record: k, spaces with
their seeds and filters, KID settings, the verdict rule with the clarity and colour references), `trained-network.keras` (the trained feature extractor,
uint8-valued images in, features out), `judge-network.keras` (the structure judge, uint8-valued
images in, probability out), `colour-weights.npy`, `colour-means.npy` and
`colour-precision-cholesky.npy` (the colour reference's mixtures) and per space NAME ("random", "trained"): `NAME-mean.npy`, `NAME-std.npy` (standardisation fitted on the
reference images), `NAME-reference.npy` (standardised reference features) and `NAME-radii.npy`
(their k-NN radii). The random network is rebuilt from its recorded seed and filters.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from report.face_verdicts import CLEAR, FAINT, NO_FACE
from report.facelike.calibration import SCOREBOARD_KEYS
from report.facelike.clarity import ClarityReference, clarity_scores
from report.facelike.colour import ColourReference, colour_scores
from report.facelike.features import FeatureSpace, extract_features, random_network
from report.facelike.judge import judge_probability
from report.facelike.metrics import (
    balls_reached,
    coverage,
    frechet_distance,
    kernel_inception_distance,
    manifold_membership,
    prdc,
    realism_score,
)
from report.results import STATS_FILE, read_results
from report.results.face_measure import (
    COLOUR_CHOLESKY_FILE,
    COLOUR_MEANS_FILE,
    COLOUR_WEIGHTS_FILE,
    JUDGE_NETWORK_FILE,
    SPACE_FILES,
    TRAINED_NETWORK_FILE,
    FaceMeasureResults,
    FeatureSpaceRecord,
    output_files,
    space_file,
)

__all__ = ["STEP", "FaceScorer", "ImageScores", "ScoredSpace", "output_files", "save_spaces", "space_file"]

STEP = "face_measure"


def save_spaces(folder: str | Path, spaces: dict[str, tuple[FeatureSpace, np.ndarray, np.ndarray]],
                trained_extractor, judge, colour: ColourReference) -> None:
    """Write the arrays of each space and the trained extractor into `folder` (the step's output).

    Args:
        spaces: {name: (FeatureSpace, standardised reference features, their k-NN radii)}.
        trained_extractor: keras.Model from uint8-valued images to the trained space's raw features.
        judge: keras.Model from uint8-valued images to P(real structure) (n, 1) (`judge.StructureJudge.model`).
        colour: the reference images' colour layouts (its arrays go here, its scalars into the verdict rule).
    """
    folder = Path(folder)
    for name, (space, reference, radii) in spaces.items():
        for part, values in (("mean", space.mean_), ("std", space.std_), ("reference", reference), ("radii", radii)):
            np.save(folder / space_file(name, part), np.asarray(values))
    trained_extractor.save(folder / TRAINED_NETWORK_FILE)
    judge.save(folder / JUDGE_NETWORK_FILE)
    np.save(folder / COLOUR_WEIGHTS_FILE, colour.weights)
    np.save(folder / COLOUR_MEANS_FILE, colour.means)
    np.save(folder / COLOUR_CHOLESKY_FILE, colour.precision_cholesky)


@dataclass(frozen=True)
class ScoredSpace:
    """One feature space with its reference features and k-NN radii."""

    record: FeatureSpaceRecord
    space: FeatureSpace
    reference: np.ndarray  # (n_reference, n_features), standardised
    radii: np.ndarray  # (n_reference,)

    @property
    def name(self) -> str:
        return self.record.name


@dataclass(frozen=True)
class ImageScores:
    """Per-image judgements of one set of images: feature-space scores, structure, colour, clarity and the verdict."""

    features: dict[str, np.ndarray]  # per space, standardised (n, n_features)
    inside: dict[str, np.ndarray]  # per space, bool (n,): inside the real k-NN manifold
    realism: dict[str, np.ndarray]  # per space, float (n,)
    judge: np.ndarray | None = None  # float (n,): the structure judge's probability; None without a judge
    judge_threshold: float = 0.5
    clarity: np.ndarray | None = None  # float (n,) in (0, 1): report.facelike.clarity; None: not measured
    clarity_threshold: float = 0.5
    colour: np.ndarray | None = None  # float (n,) in (0, 1): report.facelike.colour; None: not measured

    @property
    def inside_every_space(self) -> np.ndarray:
        """bool (n,): inside the real manifold in every space."""
        return np.logical_and.reduce(list(self.inside.values()))

    @property
    def structure(self) -> np.ndarray:
        """float (n,) in [0, 1]: is a face there? The judge's probability (without a judge: inside every space, 0 or 1)."""
        if self.judge is None:
            return self.inside_every_space.astype(np.float64)
        return np.asarray(self.judge, dtype=np.float64)

    @property
    def clarity_score(self) -> np.ndarray:
        """float (n,) in [0, 1]: how clearly (contrast and detail against real images); 1 where not measured."""
        if self.clarity is None:
            return np.ones(len(self.structure))
        return np.asarray(self.clarity, dtype=np.float64)

    @property
    def colour_score(self) -> np.ndarray:
        """float (n,) in [0, 1]: how plausible the colours are against the real images'; 1 where not measured."""
        if self.colour is None:
            return np.ones(len(self.structure))
        return np.asarray(self.colour, dtype=np.float64)

    @property
    def presence(self) -> np.ndarray:
        """float (n,) in [0, 1]: is a face there? Structure x colour plausibility."""
        return self.structure * self.colour_score

    @property
    def judged_real(self) -> np.ndarray:
        """bool (n,): a face is there (its presence reaches the judge's threshold), clear or faint."""
        return self.presence >= self.judge_threshold

    @property
    def face_score(self) -> np.ndarray:
        """float (n,) in [0, 1]: structure x colour plausibility x clarity, high only for a face shown clearly.

        Smooth in the pixels (every factor is), so near-identical images get near-identical scores.
        """
        return self.presence * self.clarity_score

    @property
    def verdicts(self) -> np.ndarray:
        """str (n,): "clear face" (a face is there and clear), "faint face" (there, not clear) or "no face"."""
        there, clear = self.judged_real, self.clarity_score >= self.clarity_threshold
        return np.where(there & clear, CLEAR, np.where(there, FAINT, NO_FACE))

    @property
    def is_face(self) -> np.ndarray:
        """bool (n,): a clear face (the verdict "clear face"); the face shares the posts report count these."""
        return self.verdicts == CLEAR

    @property
    def realism_min(self) -> np.ndarray:
        """float (n,): the smaller realism score over the spaces."""
        return np.minimum.reduce(list(self.realism.values()))


class FaceScorer:
    """Judges images against the real images in the feature spaces that face_measure built (see the module)."""

    def __init__(self, spaces: list[ScoredSpace], *, k: int, realism_percentile: float, primary: str,
                 kid_subsets: int, kid_subset_size: int, seed: int = 0, judge=None, judge_threshold: float = 0.5,
                 clarity: ClarityReference | None = None, clarity_threshold: float = 0.5,
                 colour: ColourReference | None = None):
        """`judge`: keras.Model of the structure judge (None: the manifold alone says whether a face is there).
        `clarity`: the real images' clarity reference (None: every face that is there counts as clear).
        `colour`: the real images' colour reference (None: every colour counts as plausible)."""
        if not spaces:
            raise ValueError("FaceScorer needs at least one feature space")
        self.spaces = {space.name: space for space in spaces}
        if primary not in self.spaces:
            raise ValueError(f"primary space {primary!r} is not one of {sorted(self.spaces)}")
        self.k, self.realism_percentile, self.primary = k, realism_percentile, primary
        self.kid_subsets, self.kid_subset_size, self.seed = kid_subsets, kid_subset_size, seed
        self.judge, self.judge_threshold = judge, judge_threshold
        self.clarity, self.clarity_threshold = clarity, clarity_threshold
        self.colour = colour

    @classmethod
    def open(cls, step) -> FaceScorer | None:
        """The scorer of a step that needs face_measure (a `report.notebook.StepContext`).

        None when the run has no decoder (latent vectors from a file) or face_measure left no record.
        """
        if "decoder" not in step.inputs:
            return None
        return cls.load(step.upstream_folder(STEP))

    @classmethod
    def load(cls, folder: str | Path) -> FaceScorer | None:
        """The scorer saved in a face_measure results folder; None if the folder holds no record."""
        folder = Path(folder)
        if not (folder / STATS_FILE).is_file():
            return None
        record = read_results(folder, FaceMeasureResults)
        spaces = []
        for space_record in record.spaces:
            arrays = {part: np.load(folder / space_file(space_record.name, part)) for part in SPACE_FILES}
            network = _network(space_record, folder)
            def extractor(images, network=network):
                return extract_features(network, images)
            space = FeatureSpace(space_record.name, extractor, arrays["mean"].astype(np.float32),
                                 arrays["std"].astype(np.float32))
            spaces.append(ScoredSpace(space_record, space, arrays["reference"], arrays["radii"]))
        import keras

        judge = keras.models.load_model(folder / JUDGE_NETWORK_FILE, compile=False)
        rule = record.verdict.colour
        colour = ColourReference(np.load(folder / COLOUR_WEIGHTS_FILE), np.load(folder / COLOUR_MEANS_FILE),
                                 np.load(folder / COLOUR_CHOLESKY_FILE), low=rule.low, spread=rule.spread,
                                 quantile=rule.quantile, grid=rule.grid, floor=rule.floor, n_fitted=rule.n_fitted,
                                 typical=rule.typical)
        return cls(spaces, k=record.k, realism_percentile=record.realism_percentile, primary=record.primary_space,
                   kid_subsets=record.kid_subsets, kid_subset_size=record.kid_subset_size,
                   judge=judge, judge_threshold=record.verdict.structure_threshold,
                   clarity=ClarityReference.from_dict(record.verdict.clarity_reference()),
                   clarity_threshold=record.verdict.clarity_threshold, colour=colour)

    def scores(self, images: np.ndarray) -> ImageScores:
        """Features, manifold membership, realism, structure, colour and clarity of uint8 images (n, s, s, 3)."""
        images = np.asarray(images)
        features, inside, realism = {}, {}, {}
        for name, scored in self.spaces.items():
            features[name] = scored.space.features(images)
            inside[name] = manifold_membership(scored.reference, features[name], self.k, real_radii=scored.radii)
            realism[name] = realism_score(scored.reference, features[name], self.k,
                                          percentile=self.realism_percentile, real_radii=scored.radii)
        judge = None if self.judge is None else judge_probability(self.judge, images)
        clarity = None if self.clarity is None else clarity_scores(images, self.clarity)
        colour = None if self.colour is None else colour_scores(images, self.colour)
        return ImageScores(features, inside, realism, judge, self.judge_threshold, clarity, self.clarity_threshold,
                           colour)

    def is_face(self, images: np.ndarray) -> np.ndarray:
        """bool (n,): which images are clear faces (the verdict "clear face")."""
        return self.scores(images).is_face

    def verdicts(self, images: np.ndarray) -> np.ndarray:
        """str (n,): each image's verdict, "clear face", "faint face" or "no face" (ImageScores.verdicts)."""
        return self.scores(images).verdicts

    def face_score(self, images: np.ndarray) -> np.ndarray:
        """float (n,) in [0, 1]: each image's face score, structure x colour x clarity (ImageScores.face_score)."""
        return self.scores(images).face_score

    def realism(self, images: np.ndarray) -> np.ndarray:
        """float (n,): each image's realism score (Kynkäänniemi et al.), the smaller over the spaces.

        >= 1 means inside a kept (not outlying) real ball in every space; it grows towards the
        centres of tight balls.
        """
        return self.scores(images).realism_min

    def score_set(self, images: np.ndarray, name: str, scores: ImageScores | None = None) -> dict[str, object]:
        """One scoreboard record: face_share the share of clear faces, the rest in the primary (random) space.

        Pass `scores` (from `self.scores(images)`) to avoid extracting the features again.
        """
        scores = self.scores(images) if scores is None else scores
        record = self._space_record(self.primary, scores.features[self.primary], name)
        record["face_share"] = float(scores.is_face.mean())
        return record

    def face_coverage(self, scores: ImageScores) -> float:
        """Share of the reference images whose k-NN ball (primary space) holds a decode that counts as a face.

        Coverage (Naeem et al. 2020) of the decodes that pass the face rule: it grows with how many
        decodes are faces AND with how much of the real variety they reach, so neither a set of
        murk (few faces) nor a collapsed set of one bland face (one corner of the real manifold)
        scores high. The scoreboard ranks by it.
        """
        scored = self.spaces[self.primary]
        return coverage(scored.reference, scores.features[self.primary][scores.is_face], scored.radii)

    def face_reach(self, scores: ImageScores) -> np.ndarray:
        """bool (n_reference, n_images): [r, d] when image d counts as a face and lies in reference r's ball.

        The primary space's balls, as `face_coverage` (its rows' `any`); the scoreboard resamples
        its columns for the coverage's interval.
        """
        scored = self.spaces[self.primary]
        reached = np.zeros((len(scored.reference), len(scores.is_face)), dtype=bool)
        faces = scores.is_face
        reached[:, faces] = balls_reached(scored.reference, scores.features[self.primary][faces], scored.radii)
        return reached

    def score_set_by_space(self, images: np.ndarray, name: str,
                           scores: ImageScores | None = None) -> dict[str, dict[str, object]]:
        """The scoreboard record in each space alone: {space: record}, face_share that space's membership."""
        scores = self.scores(images) if scores is None else scores
        return {space: self._space_record(space, scores.features[space], name) for space in self.spaces}

    def _space_record(self, space: str, features: np.ndarray, name: str) -> dict[str, object]:
        scored = self.spaces[space]
        n = len(features)
        if n <= self.k:
            raise ValueError(f"score_set {name!r}: needs more than k = {self.k} images, got {n}")
        values = prdc(scored.reference, features, self.k, real_radii=scored.radii)
        kid = kernel_inception_distance(scored.reference, features, self.kid_subsets, self.kid_subset_size, self.seed)
        inside = manifold_membership(scored.reference, features, self.k, real_radii=scored.radii)
        record = {"name": name, "n_decodes": int(n), "face_share": float(inside.mean()), **values,
                  "fd": frechet_distance(scored.reference, features), "kid": kid["mean"]}
        return {key: record[key] for key in SCOREBOARD_KEYS}


def _network(record: FeatureSpaceRecord, folder: Path):
    if record.kind == "random":
        return random_network(record.seed, filters=record.filters)
    import keras

    return keras.models.load_model(folder / TRAINED_NETWORK_FILE, compile=False)

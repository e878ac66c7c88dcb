"""The face scorer: saved by face_measure, reopened by any step, same judgements as in memory; stable, graded verdicts."""

from __future__ import annotations

from itertools import pairwise
from types import SimpleNamespace

import numpy as np
import pytest

from report.data.synthetic import generate_faces
from report.face_verdicts import CLEAR, FAINT, NO_FACE
from report.facelike import (
    SCOREBOARD_KEYS,
    factor_targets,
    knn_radii,
    manifold_membership,
    noise_images,
    random_space,
    train_factor_network,
    trained_space,
)
from report.facelike.calibration import blurred_images, contrast_reduced
from report.facelike.clarity import fit_clarity
from report.facelike.colour import fit_colour
from report.facelike.features import RANDOM_FILTERS, TRAINED_FILTERS
from report.facelike.judge import KINDS, shifted_blends, train_judge
from report.facelike.scorer import (
    STEP,
    FaceScorer,
    ImageScores,
    output_files,
    save_spaces,
)
from report.results import save_results
from report.results.face_measure import (
    ClarityMeasure,
    ColourRule,
    FaceMeasureResults,
    FeatureSpaceRecord,
    JudgeRecord,
    ShareInterval,
    VerdictRule,
)

K = 5


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    """A face_measure folder built from 360 synthetic faces at 16x16 (300 reference, 60 held out)."""
    folder = tmp_path_factory.mktemp("face_measure")
    faces, factors = generate_faces(360, 16, np.random.default_rng(3))
    clarity = fit_clarity(faces[:300], 0.05, 0.5, 2.0, 0.25).to_dict()
    colour = fit_colour(faces[:300], 4, 0.98, 1.0, components=8, folds=5, points_per_dimension=3.0, seed=0)
    reference, held_out = faces[:300], faces[300:]
    network = train_factor_network(reference, factor_targets(factors)[:300], seed=1, epochs=2)
    spaces = {"random": random_space(reference, seed=5), "trained": trained_space("trained", network, reference)}
    arrays = {}
    for name, space in spaces.items():
        features = space.features(reference)
        arrays[name] = (space, features, knn_radii(features, K))
    judge = train_judge(reference, seed=2, epochs=20, max_sigma=1.0, filters=(8, 16))
    save_spaces(folder, arrays, network.pooled, judge.model, colour)
    records = [
        FeatureSpaceRecord(name="random", kind="random", task=None, layer="features", seed=5,
                           filters=list(RANDOM_FILTERS), n_features=RANDOM_FILTERS[-1]),
        FeatureSpaceRecord(name="trained", kind="trained", task="factors", layer="pooled", seed=1,
                           filters=list(TRAINED_FILTERS), n_features=TRAINED_FILTERS[-1], epochs=2),
    ]
    save_results(folder, FaceMeasureResults(
        image_size=16, k=K, realism_percentile=50.0, rule="structure_and_clarity", primary_space="random",
        verdict=VerdictRule(structure_threshold=0.5, clarity_threshold=0.5, quantile=0.05, detail_inner_sigma=0.5,
                            detail_outer_sigma=2.0, adaptation=0.25, contrast=ClarityMeasure(**clarity["contrast"]),
                            detail=ClarityMeasure(**clarity["detail"]), n_fitted=300,
                            colour=ColourRule(**colour.summary())),
        real_clear=ShareInterval(k=50, n=60, share=50 / 60, low=0.7, high=0.9, confidence=0.95), degradations=[],
        degradation_figure="verdict-shares.png",
        kid_subsets=5, kid_subset_size=100, n_reference=300, n_held_out=60, blur_sigma=1.5, uniform_b=2.0,
        spaces=records, calibration=[],
        judge=JudgeRecord(seed=2, n_images=300, epochs=20, filters=[8, 16], max_sigma=1.0, kinds=list(KINDS),
                          threshold=0.5, train_accuracy=judge.history["accuracy"][-1], held_out_accuracy=0.0), examples_figure="examples.png", n_examples=4, seconds={}))
    return SimpleNamespace(folder=folder, spaces=arrays, held_out=held_out, judge=judge,
                           noise=noise_images(60, 16, np.random.default_rng(0)),
                           mush=shifted_blends(held_out, 60, np.random.default_rng(4)))


def test_every_output_file_is_written(saved):
    assert all((saved.folder / name).is_file() for name in output_files())


def test_reopened_scorer_judges_as_the_spaces_in_memory(saved):
    scorer = FaceScorer.load(saved.folder)
    scores = scorer.scores(saved.held_out)
    for name, (space, reference, radii) in saved.spaces.items():
        np.testing.assert_allclose(scores.features[name], space.features(saved.held_out), rtol=1e-5, atol=1e-5)
        expected = manifold_membership(reference, space.features(saved.held_out), K, real_radii=radii)
        np.testing.assert_array_equal(scores.inside[name], expected)
    np.testing.assert_allclose(scores.judge, saved.judge.probability(saved.held_out), rtol=1e-5, atol=1e-6)
    expected = np.where(scores.judge * scores.colour >= 0.5, np.where(scores.clarity >= 0.5, CLEAR, FAINT), NO_FACE)
    np.testing.assert_array_equal(scorer.verdicts(saved.held_out), expected)
    np.testing.assert_array_equal(scorer.is_face(saved.held_out), expected == CLEAR)
    np.testing.assert_allclose(scorer.face_score(saved.held_out), scores.judge * scores.colour * scores.clarity)


def test_faces_are_faces_and_noise_is_not(saved):
    scorer = FaceScorer.load(saved.folder)
    assert scorer.is_face(saved.held_out).mean() > 0.5  # 300 tiny reference images: a weak judge
    assert (scorer.verdicts(saved.noise) == NO_FACE).all()
    assert np.median(scorer.realism(saved.held_out)) > np.median(scorer.realism(saved.noise))
    assert (scorer.realism(saved.noise) < 1).all()


def test_score_set_has_exactly_the_scoreboard_keys(saved):
    scorer = FaceScorer.load(saved.folder)
    record = scorer.score_set(saved.held_out, "real")
    assert tuple(record) == SCOREBOARD_KEYS
    assert record["name"] == "real" and record["n_decodes"] == 60
    assert record["face_share"] == pytest.approx(scorer.is_face(saved.held_out).mean())
    by_space = scorer.score_set_by_space(saved.noise, "noise")
    assert set(by_space) == {"random", "trained"} and all(tuple(r) == SCOREBOARD_KEYS for r in by_space.values())
    assert record["fd"] < by_space["random"]["fd"]  # real is closer than noise in the primary space
    with pytest.raises(ValueError, match="more than k"):
        scorer.score_set(saved.held_out[:K], "few")


def test_face_reach_keeps_only_faces_and_gives_the_face_coverage(saved):
    scorer = FaceScorer.load(saved.folder)
    images = np.concatenate([saved.held_out, saved.noise])
    scores = scorer.scores(images)
    reached = scorer.face_reach(scores)
    assert reached.shape == (300, len(images))
    assert not reached[:, ~scores.is_face].any() and reached[:, scores.is_face].any()
    assert reached.any(axis=1).mean() == pytest.approx(scorer.face_coverage(scores))


def test_open_returns_none_without_decoder_or_record(saved, tmp_path):
    assert FaceScorer.load(tmp_path) is None

    class Step:
        def __init__(self, inputs=None):
            self.inputs = inputs or {}

        def upstream_folder(self, name):
            assert name == STEP
            return saved.folder

    assert FaceScorer.open(Step()) is None
    assert isinstance(FaceScorer.open(Step({"decoder": "x"})), FaceScorer)




def test_held_out_real_images_are_mostly_clear_and_mush_and_noise_have_no_face(saved):
    scorer = FaceScorer.load(saved.folder)
    assert (scorer.verdicts(saved.held_out) == CLEAR).mean() >= 0.7
    # A judge trained on 300 faces of 16 x 16 still passes some mush; the default build's passes about one in six.
    assert (scorer.verdicts(saved.mush) == NO_FACE).mean() >= 0.6
    assert (scorer.verdicts(saved.noise) == NO_FACE).all()
    assert np.median(scorer.face_score(saved.noise)) < 0.05


def test_near_identical_images_get_near_identical_scores_and_the_same_verdict(saved):
    scorer = FaceScorer.load(saved.folder)
    rng = np.random.default_rng(7)
    for images in (saved.held_out, blurred_images(saved.held_out, 1.0)):
        scores = scorer.scores(images)
        for _ in range(3):
            copy = np.clip(images.astype(int) + rng.integers(-1, 2, size=images.shape), 0, 255).astype(np.uint8)
            again = scorer.scores(copy)
            assert np.abs(again.face_score - scores.face_score).max() < 0.05
            # The verdict may differ only for an image that sat on a threshold.
            edge = (np.abs(scores.presence - 0.5) < 0.05) | (np.abs(scores.clarity_score - 0.5) < 0.02)
            assert (again.verdicts == scores.verdicts)[~edge].all()


def test_blur_moves_real_images_from_clear_through_faint(saved):
    scorer = FaceScorer.load(saved.folder)
    sigmas = (0.0, 0.5, 1.0, 1.5, 2.0, 3.0)
    judged = [scorer.scores(blurred_images(saved.held_out, sigma)) for sigma in sigmas]
    clear = [(s.verdicts == CLEAR).mean() for s in judged]
    faint = [(s.verdicts == FAINT).mean() for s in judged]
    medians = [np.median(s.face_score) for s in judged]
    assert all(b <= a + 1 / 60 for a, b in pairwise(clear))
    assert all(b <= a + 0.01 for a, b in pairwise(medians))
    for before, after in pairwise(judged):  # the clarity part is monotone image by image
        assert (after.clarity_score <= before.clarity_score + 0.01).all()
    assert clear[0] >= 0.7 and clear[-1] <= 0.1 and max(faint[1:]) >= 0.5


def test_washed_out_faces_are_faint_not_clear(saved):
    scorer = FaceScorer.load(saved.folder)
    verdicts = scorer.verdicts(contrast_reduced(saved.held_out, 0.3))
    assert (verdicts == CLEAR).mean() <= 0.1


def test_the_verdict_follows_the_two_thresholds():
    scores = ImageScores(features={}, inside={"random": np.ones(4, dtype=bool)}, realism={},
                         judge=np.array([0.9, 0.9, 0.2, 0.5]), judge_threshold=0.5,
                         clarity=np.array([0.7, 0.3, 0.9, 0.5]), clarity_threshold=0.5)
    assert scores.verdicts.tolist() == [CLEAR, FAINT, NO_FACE, CLEAR]
    assert scores.is_face.tolist() == [True, False, False, True]
    np.testing.assert_allclose(scores.face_score, [0.63, 0.27, 0.18, 0.25])


def test_implausible_colour_takes_the_face_away():
    """Presence is structure x colour plausibility: a face-like arrangement in implausible colours has no face."""
    scores = ImageScores(features={}, inside={"random": np.ones(4, dtype=bool)}, realism={},
                         judge=np.array([0.9, 0.9, 0.9, 0.6]), judge_threshold=0.5,
                         clarity=np.array([0.7, 0.7, 0.3, 0.7]), clarity_threshold=0.5,
                         colour=np.array([0.9, 0.4, 0.9, 0.9]))
    assert scores.verdicts.tolist() == [CLEAR, NO_FACE, FAINT, CLEAR]
    np.testing.assert_allclose(scores.presence, [0.81, 0.36, 0.81, 0.54])
    np.testing.assert_allclose(scores.face_score, [0.567, 0.252, 0.243, 0.378])


def test_faces_in_wrong_colours_have_no_face(saved):
    """Faces with their colour channels rotated (green or blue skin) have no face; the colour plausibility says so."""
    scorer = FaceScorer.load(saved.folder)
    wrong = scorer.scores(saved.held_out[..., [1, 2, 0]])
    right = scorer.scores(saved.held_out)
    assert (wrong.verdicts == NO_FACE).mean() >= 0.8 > (right.verdicts == NO_FACE).mean()
    assert np.median(wrong.colour_score) < 0.5 < np.median(right.colour_score)

"""The face scorer (issue 10): saved by face_measure, reopened by any step, same judgements as in memory."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from report.data.synthetic import generate_faces
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
from report.facelike.features import RANDOM_FILTERS, TRAINED_FILTERS
from report.facelike.judge import KINDS, train_judge
from report.facelike.scorer import STEP, FaceScorer, output_files, save_spaces
from report.results import save_results
from report.results.face_measure import FaceMeasureResults, FeatureSpaceRecord, JudgeRecord

K = 5


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    """A face_measure folder built from 360 synthetic faces at 16x16 (300 reference, 60 held out)."""
    folder = tmp_path_factory.mktemp("face_measure")
    faces, factors = generate_faces(360, 16, np.random.default_rng(3))
    reference, held_out = faces[:300], faces[300:]
    network = train_factor_network(reference, factor_targets(factors)[:300], seed=1, epochs=2)
    spaces = {"random": random_space(reference, seed=5), "trained": trained_space("trained", network, reference)}
    arrays = {}
    for name, space in spaces.items():
        features = space.features(reference)
        arrays[name] = (space, features, knn_radii(features, K))
    judge = train_judge(reference, seed=2, epochs=8, max_sigma=1.0, filters=(8, 16))
    save_spaces(folder, arrays, network.pooled, judge.model)
    records = [
        FeatureSpaceRecord(name="random", kind="random", task=None, layer="features", seed=5,
                           filters=list(RANDOM_FILTERS), n_features=RANDOM_FILTERS[-1]),
        FeatureSpaceRecord(name="trained", kind="trained", task="factors", layer="pooled", seed=1,
                           filters=list(TRAINED_FILTERS), n_features=TRAINED_FILTERS[-1], epochs=2),
    ]
    save_results(folder, FaceMeasureResults(
        image_size=16, k=K, realism_percentile=50.0, rule="inside_every_space_and_judge", primary_space="random",
        kid_subsets=5, kid_subset_size=100, n_reference=300, n_held_out=60, blur_sigma=1.5, uniform_b=2.0,
        spaces=records, calibration=[],
        judge=JudgeRecord(seed=2, n_images=300, epochs=8, filters=[8, 16], max_sigma=1.0, kinds=list(KINDS),
                          threshold=0.5, train_accuracy=judge.history["accuracy"][-1], held_out_accuracy=0.0), examples_figure="examples.png", n_examples=4, seconds={}))
    return SimpleNamespace(folder=folder, spaces=arrays, held_out=held_out, judge=judge,
                           noise=noise_images(60, 16, np.random.default_rng(0)))


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
    np.testing.assert_array_equal(scorer.is_face(saved.held_out),
                                  scores.inside["random"] & scores.inside["trained"] & (scores.judge >= 0.5))


def test_faces_are_faces_and_noise_is_not(saved):
    scorer = FaceScorer.load(saved.folder)
    assert scorer.is_face(saved.held_out).mean() > 0.5  # 300 tiny reference images: a weak judge
    assert not scorer.is_face(saved.noise).any()
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



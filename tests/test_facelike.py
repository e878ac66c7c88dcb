"""Face-likeness: metrics against analytic truth and slow loops, tiny feature networks."""

from __future__ import annotations

import numpy as np
import pytest

from report.data.synthetic import generate_faces
from report.facelike import (
    SCOREBOARD_KEYS,
    FeatureSpace,
    blurred_images,
    calibration_sets,
    factor_targets,
    frechet_distance,
    kernel_inception_distance,
    knn_radii,
    manifold_membership,
    noise_images,
    prdc,
    random_features,
    random_space,
    realism_score,
    rotation_targets,
    score_set,
    train_factor_network,
    train_rotation_network,
)
from report.facelike.metrics import balls_reached, coverage, unbiased_mmd2


def slow_prdc(real: np.ndarray, fake: np.ndarray, k: int) -> dict[str, float]:
    """The `prdc` package's formulas, one point at a time."""

    def radius(points, i):
        return sorted(np.linalg.norm(points - points[i], axis=1))[k]  # [0] is the point itself

    real_radii = [radius(real, i) for i in range(len(real))]
    fake_radii = [radius(fake, j) for j in range(len(fake))]
    dist = [[np.linalg.norm(f - r) for r in real] for f in fake]  # dist[j][i]: fake j to real i
    holding = [sum(dist[j][i] < real_radii[i] for i in range(len(real))) for j in range(len(fake))]
    return {
        "precision": np.mean([h > 0 for h in holding]),
        "recall": np.mean([any(dist[j][i] < fake_radii[j] for j in range(len(fake))) for i in range(len(real))]),
        "density": np.mean(holding) / k,
        "coverage": np.mean([min(dist[j][i] for j in range(len(fake))) < real_radii[i] for i in range(len(real))]),
    }


# --- k-NN manifold and realism ------------------------------------------------------------------


def test_knn_radii_of_evenly_spaced_points():
    line = np.arange(11.0)[:, None]  # 0, 1, ..., 10
    assert knn_radii(line, 1).tolist() == [1.0] * 11
    assert knn_radii(line, 2).tolist() == [2.0, 1.0] + [1.0] * 7 + [1.0, 2.0]


def test_membership_is_true_at_real_points_and_false_far_away():
    real = np.random.default_rng(0).normal(size=(200, 6))
    far = real[:50] + 100.0
    assert manifold_membership(real, real, k=5).all()
    assert not manifold_membership(real, far, k=5).any()


def test_membership_counts_the_ball_surface_as_inside():
    line = np.arange(11.0)[:, None]  # every ball of k = 1 has radius 1
    fake = np.array([[0.5], [11.0], [11.5], [-1.0], [-1.01]])
    assert manifold_membership(line, fake, k=1).tolist() == [True, True, False, True, False]


def test_realism_is_above_one_inside_and_below_one_outside():
    line = np.arange(11.0)[:, None]  # radius 1 everywhere, nothing pruned at the median
    fake = np.array([[5.0], [5.25], [11.0], [12.0], [20.0]])
    scores = realism_score(line, fake, k=1)
    assert scores[0] == np.inf  # on a real point
    assert scores[1] == pytest.approx(4.0)  # radius 1 / distance 0.25
    assert scores[2] == pytest.approx(1.0)  # on a surface
    assert scores[3] == pytest.approx(0.5) and scores[4] == pytest.approx(0.1)


def test_realism_drops_the_large_balls_that_membership_keeps():
    rng = np.random.default_rng(1)
    cluster = rng.normal(scale=0.1, size=(60, 2))
    outliers = np.array([[10.0, 0.0], [10.0, 8.0], [0.0, 12.0]])  # huge k-NN balls
    real = np.concatenate([cluster, outliers])
    near_outlier = np.array([[9.0, 1.0]])
    assert manifold_membership(real, near_outlier, k=3)[0]
    assert realism_score(real, near_outlier, k=3)[0] < 1.0
    radii = knn_radii(real, 3)
    beside_kept = real[radii <= np.median(radii)] + 1e-4  # just off the centres of the kept balls
    assert (realism_score(real, beside_kept, k=3) > 1.0).all()


def test_realism_matches_a_slow_loop():
    rng = np.random.default_rng(2)
    real, fake = rng.normal(size=(40, 3)), rng.normal(size=(15, 3))
    radii = np.array([np.sort(np.linalg.norm(real - r, axis=1))[3] for r in real])
    kept = radii <= np.median(radii)
    expected = [max(radii[i] / np.linalg.norm(f - real[i]) for i in np.flatnonzero(kept)) for f in fake]
    np.testing.assert_allclose(realism_score(real, fake, k=3, chunk_rows=4), expected, rtol=1e-10)


# --- precision, recall, density, coverage -------------------------------------------------------


def test_prdc_of_a_set_against_itself():
    real = np.random.default_rng(3).normal(size=(300, 8))
    scores = prdc(real, real, k=5)
    assert scores["precision"] == scores["recall"] == scores["coverage"] == 1.0
    assert scores["density"] == pytest.approx(1.0, abs=0.02)


def test_prdc_of_far_away_points_is_zero():
    real = np.random.default_rng(4).normal(size=(100, 8))
    assert prdc(real, real[:60] + 50.0, k=5) == {"precision": 0.0, "recall": 0.0, "density": 0.0, "coverage": 0.0}


def test_prdc_matches_the_package_formulas_in_a_slow_loop():
    rng = np.random.default_rng(5)
    real, fake = rng.normal(size=(60, 4)), rng.normal(0.4, 1.3, size=(45, 4))
    expected = slow_prdc(real, fake, k=4)
    for chunk_rows in (7, 1024):  # blocks of distances change nothing
        got = prdc(real, fake, k=4, chunk_rows=chunk_rows)
        assert got == pytest.approx(expected, abs=1e-12)


def test_prdc_sees_a_collapsed_generator():
    # All fakes near the real mean: precision and density stay high, recall and coverage collapse.
    rng = np.random.default_rng(6)
    real = rng.normal(size=(400, 4))
    fake = rng.normal(scale=0.1, size=(400, 4))
    scores = prdc(real, fake, k=5)
    assert scores["precision"] > 0.95 and scores["density"] > 1.0
    assert scores["recall"] < 0.1 and scores["coverage"] < 0.2


def test_coverage_alone_matches_prdc_and_is_zero_without_fakes():
    rng = np.random.default_rng(7)
    real, fake = rng.normal(size=(60, 4)), rng.normal(0.4, 1.3, size=(45, 4))
    radii = knn_radii(real, 4)
    assert coverage(real, fake, radii, chunk_rows=7) == pytest.approx(prdc(real, fake, k=4)["coverage"], abs=1e-12)
    assert coverage(real, fake[:0], radii) == 0.0
    assert coverage(real, fake[:1], radii) <= coverage(real, fake, radii)  # fewer fakes cover no more


def test_balls_reached_is_the_matrix_behind_coverage():
    rng = np.random.default_rng(8)
    real, fake = rng.normal(size=(50, 3)), rng.normal(0.3, 1.2, size=(30, 3))
    radii = knn_radii(real, 4)
    reached = balls_reached(real, fake, radii, chunk_rows=7)
    slow = np.array([[np.linalg.norm(f - r) < radius for f in fake] for r, radius in zip(real, radii)])
    np.testing.assert_array_equal(reached, slow)
    assert reached.any(axis=1).mean() == pytest.approx(coverage(real, fake, radii))
    assert balls_reached(real, fake[:0], radii).shape == (50, 0)


# --- Fréchet distance and KID -------------------------------------------------------------------


def test_frechet_distance_of_isotropic_gaussians_matches_closed_form():
    rng = np.random.default_rng(7)
    d, n = 4, 40_000
    mu = np.array([1.0, 0.0, 0.5, 0.0])
    real = rng.normal(0.0, 1.0, size=(n, d))
    fake = rng.normal(mu, 2.0, size=(n, d))
    expected = mu @ mu + d * (1.0 - 2.0) ** 2  # ||mu1 - mu2||^2 + d (s1 - s2)^2 = 5.25
    assert frechet_distance(real, fake) == pytest.approx(expected, rel=0.03)
    assert frechet_distance(fake, real) == pytest.approx(frechet_distance(real, fake), rel=1e-6)


def test_frechet_distance_matches_the_closed_form_for_full_covariances():
    rng = np.random.default_rng(8)
    a, b = rng.normal(size=(3, 3)), rng.normal(size=(3, 3))
    cov1, cov2 = a @ a.T + np.eye(3), b @ b.T + np.eye(3)
    mu1, mu2 = np.zeros(3), np.array([0.5, -0.5, 1.0])
    root1 = np.linalg.cholesky(cov1)
    evals = np.linalg.eigvalsh(root1.T @ cov2 @ root1)  # tr (S1 S2)^(1/2) = sum sqrt eig(L' S2 L)
    expected = (mu1 - mu2) @ (mu1 - mu2) + np.trace(cov1 + cov2) - 2 * np.sqrt(evals).sum()
    real = rng.multivariate_normal(mu1, cov1, size=60_000)
    fake = rng.multivariate_normal(mu2, cov2, size=60_000)
    assert frechet_distance(real, fake) == pytest.approx(expected, rel=0.03)


def test_frechet_distance_survives_singular_covariances():
    # Fewer fake points than features, and a dead feature: both covariances are singular.
    rng = np.random.default_rng(9)
    real, fake = rng.normal(size=(200, 20)), 1.5 * rng.normal(size=(12, 20))
    real[:, 0] = fake[:, 0] = 0.0
    cov_real, cov_fake = np.cov(real, rowvar=False), np.cov(fake, rowvar=False)
    # tr (S1 S2)^(1/2) from the eigenvalues of S1 S2, which are real and >= 0 for PSD S1, S2.
    trace_root = np.sqrt(np.clip(np.linalg.eigvals(cov_real @ cov_fake).real, 0, None)).sum()
    diff = real.mean(axis=0) - fake.mean(axis=0)
    expected = diff @ diff + np.trace(cov_real) + np.trace(cov_fake) - 2 * trace_root
    assert frechet_distance(real, fake) == pytest.approx(expected, rel=1e-6)


def test_unbiased_mmd2_matches_a_slow_loop():
    rng = np.random.default_rng(10)
    x, y = rng.normal(size=(6, 3)), rng.normal(1.0, 1.0, size=(5, 3))

    def kernel(u, v):
        return (u @ v / 3 + 1) ** 3

    xx = sum(kernel(x[i], x[j]) for i in range(6) for j in range(6) if i != j) / (6 * 5)
    yy = sum(kernel(y[i], y[j]) for i in range(5) for j in range(5) if i != j) / (5 * 4)
    xy = sum(kernel(a, b) for a in x for b in y) / (6 * 5)
    assert unbiased_mmd2(x, y) == pytest.approx(xx + yy - 2 * xy, rel=1e-12)


def test_unbiased_mmd2_averages_to_zero_for_one_distribution():
    rng = np.random.default_rng(11)
    values = np.array([unbiased_mmd2(rng.normal(size=(10, 4)), rng.normal(size=(10, 4))) for _ in range(400)])
    assert (values < 0).any()  # unbiased: negative values are expected
    assert abs(values.mean()) < 3 * values.std() / np.sqrt(len(values))


def test_kid_is_near_zero_for_one_distribution_and_positive_for_a_shift():
    rng = np.random.default_rng(12)
    real, same, shifted = rng.normal(size=(1500, 8)), rng.normal(size=(1500, 8)), rng.normal(0.5, 1.0, size=(1500, 8))
    kid_same = kernel_inception_distance(real, same, n_subsets=20, subset_size=500, seed=0)
    kid_shifted = kernel_inception_distance(real, shifted, n_subsets=20, subset_size=500, seed=0)
    assert kid_shifted["mean"] > 10 * kid_shifted["std"] > 0
    assert abs(kid_same["mean"]) < 0.02 * kid_shifted["mean"]
    assert kernel_inception_distance(real, same, 20, 500, seed=0) == kid_same  # seeded subsets


# --- feature networks ---------------------------------------------------------------------------


def blob_images(n: int, size: int = 16, seed: int = 0) -> np.ndarray:
    """uint8 images: a bright upper part over a dark lower part, random colours and noise."""
    rng = np.random.default_rng(seed)
    rows = np.arange(size)[None, :, None, None]
    split = rng.integers(size // 4, size // 2, size=(n, 1, 1, 1))
    top = rng.integers(170, 256, size=(n, 1, 1, 3))
    bottom = rng.integers(0, 90, size=(n, 1, 1, 3))
    images = np.where(rows < split, top, bottom) + rng.normal(0, 12, size=(n, size, size, 3))
    return np.clip(images, 0, 255).astype(np.uint8)


def test_random_features_repeat_for_a_seed_and_change_with_it():
    images = blob_images(6, size=16)
    first = random_features(images, seed=3)
    assert first.shape == (6, 128) and first.dtype == np.float32
    np.testing.assert_array_equal(random_features(images, seed=3), first)
    assert not np.allclose(random_features(images, seed=4), first)


def test_random_features_take_any_size_and_batch_alike():
    images = blob_images(5, size=24)
    whole = random_features(images, seed=0, filters=(8, 16))
    assert whole.shape == (5, 16)
    in_pairs = random_features(images, seed=0, filters=(8, 16), batch_size=2)
    np.testing.assert_allclose(in_pairs, whole, rtol=1e-5, atol=1e-6)


def test_feature_space_standardises_on_the_reference_images():
    images = blob_images(40, size=16)
    space = random_space(images, seed=0)
    features = space.features(images)
    live = space.std_ != 1.0  # dead units keep std 1
    np.testing.assert_allclose(features.mean(axis=0), 0.0, atol=1e-4)
    np.testing.assert_allclose(features[:, live].std(axis=0), 1.0, rtol=1e-3)


def test_rotation_targets_turn_each_image_by_its_label():
    images = blob_images(12, size=16)
    rotated, labels = rotation_targets(images, seed=0)
    assert set(labels) <= {0, 1, 2, 3} and len(set(labels)) > 1
    for image, turned, quarter in zip(images, rotated, labels, strict=True):
        np.testing.assert_array_equal(np.rot90(turned, k=-quarter), image)


def test_rotation_network_learns_up_from_down():
    network = train_rotation_network(blob_images(240, seed=1), seed=0, epochs=1, batch_size=16, learning_rate=3e-3)
    held_out, labels = rotation_targets(blob_images(200, seed=2), seed=1)
    accuracy = (network.model.predict(held_out.astype(np.float32), verbose=0).argmax(axis=1) == labels).mean()
    assert accuracy > 0.5  # chance is 0.25
    assert network.features(held_out).shape == (200, 64)
    assert network.features(held_out, layer="pooled").shape == (200, 128)


def test_factor_network_regresses_and_gives_penultimate_features():
    images, factors = generate_faces(200, 16, np.random.default_rng(0))
    targets = factor_targets(factors)
    assert targets.shape[0] == 200 and np.allclose(targets.mean(axis=0), 0, atol=1e-5)
    network = train_factor_network(images, targets, seed=0, epochs=1, feature_dim=32)
    features = network.features(images[:10])
    assert features.shape == (10, 32) and np.isfinite(features).all()
    assert len(network.history["loss"]) == 1 and np.isfinite(network.history["loss"][0])


# --- calibration --------------------------------------------------------------------------------


def test_noise_and_blur_sets():
    real = blob_images(8, size=16)
    sets = calibration_sets(real, real[::-1], seed=0, blur_sigma=1.0)
    assert list(sets) == ["real", "reconstructions", "noise", "blurred"]
    assert all(s.shape == real.shape and s.dtype == np.uint8 for s in sets.values())
    np.testing.assert_array_equal(sets["noise"], noise_images(8, 16, np.random.default_rng(0)))
    assert list(calibration_sets(real, seed=0)) == ["real", "noise", "blurred"]
    flat = np.full((2, 16, 16, 3), 77, np.uint8)
    np.testing.assert_array_equal(blurred_images(flat, 2.0), flat)  # a constant image stays
    noise = sets["noise"]
    assert blurred_images(noise, 1.5).astype(float).std() < 0.5 * noise.astype(float).std()


def test_held_out_faces_score_as_faces_and_noise_does_not():
    rng = np.random.default_rng(0)
    faces, _ = generate_faces(500, 16, rng)
    reference, held_out = faces[:400], faces[400:]
    space = random_space(reference, seed=0)
    real_features = space.features(reference)
    sets = calibration_sets(held_out, seed=1)
    radii = knn_radii(real_features, 5)
    board = {
        name: score_set(space, real_features, images, name=name, real_radii=radii, kid_subsets=10)
        for name, images in sets.items()
    }
    assert all(tuple(record) == SCOREBOARD_KEYS for record in board.values())
    assert board["real"]["n_decodes"] == 100 and board["real"]["name"] == "real"
    assert board["real"]["face_share"] > 0.8 and board["noise"]["face_share"] == 0.0
    assert board["noise"]["fd"] > 5 * board["real"]["fd"] and board["noise"]["kid"] > 5 * board["real"]["kid"]
    assert board["real"]["face_share"] >= board["blurred"]["face_share"] >= board["noise"]["face_share"]


def test_score_set_face_share_is_membership():
    rng = np.random.default_rng(13)
    space = FeatureSpace("pixels", lambda im: im.reshape(len(im), -1)[:, :12], np.zeros(12), np.ones(12))
    real = rng.integers(0, 256, size=(60, 16, 16, 3), dtype=np.uint8)
    fake = np.concatenate([real[:10], 255 - real[:10] // 4])
    record = score_set(space, space.features(real), fake, k=3, kid_subsets=5)
    others = manifold_membership(space.features(real), space.features(fake[10:]), 3)
    assert record["face_share"] == pytest.approx(0.5 + 0.5 * others.mean())  # the first 10 are real points

"""Colour plausibility: real faces' colours are plausible, the same faces in wrong colours are not; smooth in the pixels."""

from __future__ import annotations

import numpy as np
import pytest

from report.data.synthetic import generate_faces
from report.facelike.calibration import blurred_images
from report.facelike.colour import (
    colour_layout,
    colour_scores,
    colour_surprisal,
    fit_colour,
    fit_mixture,
    linear_rgb,
    linear_to_lab,
    mixture_log_density,
    srgb_to_lab,
    usable_components,
)

GRID, QUANTILE, FLOOR = 4, 0.98, 1.0
MIXTURE = dict(components=8, folds=5, points_per_dimension=3.0, seed=0)


@pytest.fixture(scope="module")
def faces():
    """400 synthetic faces at 16 x 16: 320 to fit on, 80 held out."""
    images, _ = generate_faces(400, 16, np.random.default_rng(11))
    return images[:320], images[320:]


@pytest.fixture(scope="module")
def reference(faces):
    return fit_colour(faces[0], GRID, QUANTILE, FLOOR, **MIXTURE)


def saturated(images: np.ndarray, factor: float) -> np.ndarray:
    """Each pixel's distance from its own grey scaled by `factor` (more saturated for factor > 1)."""
    x = images.astype(np.float64)
    grey = x.mean(axis=-1, keepdims=True)
    return np.clip(np.rint(grey + factor * (x - grey)), 0, 255).astype(np.uint8)


def test_lab_of_known_colours():
    lab = srgb_to_lab(np.array([[0, 0, 0], [255, 255, 255], [255, 0, 0], [128, 128, 128]], dtype=np.uint8))
    np.testing.assert_allclose(lab[0], [0, 0, 0], atol=1e-6)
    np.testing.assert_allclose(lab[1], [100, 0, 0], atol=1e-2)  # D65 white
    np.testing.assert_allclose(lab[2], [53.24, 80.09, 67.20], atol=0.05)  # sRGB red
    np.testing.assert_allclose(lab[3, 1:], [0, 0], atol=1e-2)  # greys have no chroma
    np.testing.assert_allclose(srgb_to_lab(np.array([1.0, 1.0, 1.0])), [100, 0, 0], atol=1e-2)  # floats in [0, 1]


def test_layout_is_the_lab_colour_of_each_cells_mean_light():
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, size=(3, 8, 8, 3), dtype=np.uint8)
    layout = colour_layout(images, 2).reshape(3, 2, 2, 3)
    light = linear_rgb(images)
    np.testing.assert_allclose(layout[:, 1, 0], linear_to_lab(light[:, 4:, :4].mean(axis=(1, 2))), atol=1e-4)
    np.testing.assert_allclose(colour_layout(images, 1), linear_to_lab(light.mean(axis=(1, 2))), atol=1e-4)
    flat = np.broadcast_to(images[:, :1, :1], images.shape)  # one colour per image: every cell shows it
    np.testing.assert_allclose(colour_layout(flat, 2).reshape(3, 4, 3), np.repeat(srgb_to_lab(images[:, :1, 0]), 4, axis=1),
                               atol=1e-4)
    np.testing.assert_allclose(linear_rgb(images / 255.0), light, rtol=1e-6)  # floats in [0, 1] as their uint8 values
    with pytest.raises(ValueError):
        colour_layout(images, 9)


def test_mixture_log_density_matches_scipy():
    from scipy.stats import multivariate_normal

    rng = np.random.default_rng(1)
    x = np.concatenate([rng.normal(size=(60, 3)) * np.array([1.0, 2.0, 0.5]),
                        rng.normal(size=(40, 3)) + np.array([6.0, -4.0, 2.0])])
    weights, means, cholesky = fit_mixture(x, 2, 0.1, seed=0)
    covariances = [np.linalg.inv(c @ c.T) for c in cholesky]
    slow = np.log(sum(w * multivariate_normal(m, c).pdf(x) for w, m, c in zip(weights, means, covariances, strict=True)))
    np.testing.assert_allclose(mixture_log_density(x, weights, means, cholesky), slow, rtol=1e-9)


def test_a_ring_of_colours_is_plausible_all_round_under_the_mixture():
    """Backgrounds of every hue: one Gaussian puts the saturated ones far out, the mixture follows the ring."""
    rng = np.random.default_rng(3)
    angles = rng.uniform(0, 2 * np.pi, 2000)
    x = np.stack([60 * np.cos(angles), 60 * np.sin(angles), rng.normal(0, 1, 2000)], axis=1) + rng.normal(0, 2, (2000, 3))
    ring, centre = np.array([[60.0, 0, 0], [0, -60.0, 0]]), np.zeros((1, 3))
    one = fit_mixture(x, 1, 1.0, seed=0)
    several = fit_mixture(x, 8, 1.0, seed=0)
    assert mixture_log_density(centre, *one)[0] > mixture_log_density(ring, *one).max()  # one ellipsoid: the hole is its core
    assert mixture_log_density(centre, *several)[0] < mixture_log_density(ring, *several).min() - 5  # the ring, not the hole


def test_components_shrink_with_the_reference_set():
    assert usable_components(5000, 48, 8, 5, 3.0) == 8
    assert usable_components(1000, 48, 8, 5, 3.0) == 5  # 800 images per fold model, 144 per component
    assert usable_components(320, 48, 8, 5, 3.0) == 1
    assert usable_components(10, 48, 8, 5, 3.0) == 1


def test_the_calibration_is_out_of_sample(faces, reference):
    """0.5 at the quantile of the fitted images' own surprisals, each from a model that did not see it: fresh real
    images land there too, roughly (an in-sample fit would flatter the fitted images and turn fresh ones away)."""
    assert reference.folds == 5 and reference.components == 1 and reference.weights.shape == (5, 1)
    fresh, _ = generate_faces(1000, 16, np.random.default_rng(12))
    assert 0.9 <= (colour_surprisal(fresh, reference) <= reference.low).mean() <= 0.995


def test_real_faces_are_plausible_and_out_of_sample_near_the_quantile(faces, reference):
    fitted, held_out = faces
    assert reference.n_fitted == len(fitted) and reference.grid == GRID
    assert (colour_surprisal(held_out, reference) <= reference.low).mean() >= 0.9  # 0.5 at the 98th percentile
    scores = colour_scores(held_out, reference)
    assert np.median(scores) == pytest.approx(1.0, abs=0.01)  # as plausible as a typical real image: no penalty
    assert (scores >= 0.5).mean() >= 0.9
    assert 0.5 < reference.typical < 1


@pytest.mark.parametrize("change", [
    lambda x: x[..., [1, 2, 0]],  # channels rotated: skin turns green or blue
    lambda x: saturated(x, 2.5),  # over-saturated
])
def test_the_same_faces_in_wrong_colours_are_implausible(faces, reference, change):
    held_out = faces[1]
    # Most lie beyond the real images' 98th percentile of surprisals, and the score falls for most images.
    assert np.median(colour_surprisal(change(held_out), reference)) > reference.low
    wrong, right = colour_scores(change(held_out), reference), colour_scores(held_out, reference)
    assert np.median(wrong) < 0.6 < 0.9 < np.median(right)
    assert (wrong < right).mean() >= 0.8


def test_red_and_blue_swapped_lowers_the_score(faces, reference):
    """A milder change at 16 x 16 pixels, where each cell mixes skin, hair and background: the score falls for
    nearly every face, but only partly below 0.5 (one Gaussian fitted on 256 images per fold)."""
    held_out = faces[1]
    wrong, right = colour_scores(held_out[..., [2, 1, 0]], reference), colour_scores(held_out, reference)
    assert (wrong < right).mean() >= 0.9
    assert np.median(wrong) < np.median(right) - 0.2


def test_random_colour_fields_are_implausible(faces, reference):
    """Smooth fields of random colours (what decodes of uniform vectors look like, minus the face) score low."""
    rng = np.random.default_rng(5)
    coarse = rng.integers(0, 256, size=(80, 4, 4, 3)).astype(np.float64)
    fields = np.clip(np.repeat(np.repeat(coarse, 4, axis=1), 4, axis=2), 0, 255).astype(np.uint8)
    assert (colour_scores(blurred_images(fields, 1.5), reference) < 0.5).mean() >= 0.9


def test_near_identical_images_get_near_identical_scores_and_blur_leaves_colour_alone(faces, reference):
    held_out = faces[1]
    scores = colour_scores(held_out, reference)
    np.testing.assert_array_equal(colour_scores(held_out.copy(), reference), scores)
    rng = np.random.default_rng(2)
    noisy = np.clip(held_out.astype(int) + rng.integers(-1, 2, size=held_out.shape), 0, 255).astype(np.uint8)
    assert np.abs(colour_scores(noisy, reference) - scores).max() < 0.02
    assert (colour_scores(blurred_images(held_out, 1.0), reference) >= 0.5).mean() >= (scores >= 0.5).mean() - 0.05


def test_greyscale_reference_makes_colour_implausible_and_keeps_distances_finite(faces):
    """The reference adapts to its data set: fitted on greyscale images, colourful ones are implausible."""
    fitted, held_out = faces
    grey = np.repeat(fitted.mean(axis=-1, keepdims=True).round().astype(np.uint8), 3, axis=-1)
    grey_reference = fit_colour(grey, GRID, QUANTILE, FLOOR, **MIXTURE)
    held_out_grey = np.repeat(held_out.mean(axis=-1, keepdims=True).round().astype(np.uint8), 3, axis=-1)
    assert np.isfinite(colour_surprisal(held_out, grey_reference)).all()
    assert (colour_scores(held_out_grey, grey_reference) >= 0.5).mean() >= 0.9
    assert (colour_scores(held_out, grey_reference) < 0.5).mean() >= 0.9


def test_fit_rejects_bad_settings(faces):
    with pytest.raises(ValueError):
        fit_colour(faces[0], GRID, 1.5, FLOOR, **MIXTURE)
    with pytest.raises(ValueError):
        fit_colour(faces[0], GRID, QUANTILE, 0.0, **MIXTURE)
    with pytest.raises(ValueError):
        fit_colour(faces[0][:3], GRID, QUANTILE, FLOOR, **MIXTURE)  # five folds of three images

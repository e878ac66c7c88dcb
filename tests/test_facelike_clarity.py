"""Clarity of an image against real images: contrast and band-pass detail, monotone in blur and contrast."""

from __future__ import annotations

from itertools import pairwise

import numpy as np
import pytest
import scipy.ndimage

from report.data.synthetic import generate_faces
from report.facelike import blurred_images
from report.facelike.calibration import contrast_reduced, shares_by_verdict
from report.facelike.clarity import (
    ClarityReference,
    clarity_parts,
    clarity_scores,
    detail,
    fit_clarity,
    luminance,
    relative_luminance,
    rms_contrast,
)

INNER, OUTER, ADAPT = 0.5, 2.0, 0.25


@pytest.fixture(scope="module")
def faces():
    """Rendered synthetic faces at 32 x 32: 300 to fit the reference on, 100 held out."""
    images, _ = generate_faces(400, 32, np.random.default_rng(11))
    return images[:300], images[300:]


@pytest.fixture(scope="module")
def reference(faces):
    return fit_clarity(faces[0], 0.05, INNER, OUTER, ADAPT)


def test_contrast_is_the_relative_luminance_std_and_detail_vanishes_on_flat_images():
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, size=(4, 16, 16, 3), dtype=np.uint8)
    lum = (images.astype(float) @ [0.299, 0.587, 0.114]) / 255
    np.testing.assert_allclose(luminance(images), lum)
    np.testing.assert_allclose(rms_contrast(images, ADAPT), [np.std(one) / (one.mean() + ADAPT) for one in lum])
    flat = np.full((2, 16, 16, 3), 120, dtype=np.uint8)
    assert np.allclose(rms_contrast(flat, ADAPT), 0) and np.allclose(detail(flat, INNER, OUTER, ADAPT), 0)
    with pytest.raises(ValueError, match="inner_sigma"):
        detail(images, 2.0, 1.0, ADAPT)
    with pytest.raises(ValueError, match="adaptation"):
        relative_luminance(images, 0.0)


def test_a_difference_counts_more_in_a_dark_image():
    dark = np.zeros((1, 16, 16, 3), dtype=np.uint8)
    dark[:, :, 8:] = 40
    bright = dark + 180  # the same step in grey levels on a bright ground
    assert rms_contrast(dark, ADAPT)[0] > 2 * rms_contrast(bright, ADAPT)[0]
    assert detail(dark, INNER, OUTER, ADAPT)[0] > 2 * detail(bright, INNER, OUTER, ADAPT)[0]


def test_detail_is_the_slow_band_pass_rms():
    rng = np.random.default_rng(1)
    image = rng.random((1, 12, 12, 3))
    lum = image[0] @ [0.299, 0.587, 0.114]
    lum = lum / (lum.mean() + ADAPT)
    band = (scipy.ndimage.gaussian_filter(lum, INNER, mode="reflect")
            - scipy.ndimage.gaussian_filter(lum, OUTER, mode="reflect"))
    assert detail(image, INNER, OUTER, ADAPT)[0] == pytest.approx(np.sqrt(np.mean(band ** 2)))


def test_both_measures_fall_with_blur_by_construction(faces):
    # Float images: no rounding, so the energies of the band and of the contrast can only fall.
    images = faces[1][:20].astype(np.float64) / 255
    previous = None
    for sigma in (0.0, 0.3, 0.7, 1.0, 1.5, 2.5, 4.0):
        blurred = images if sigma == 0 else scipy.ndimage.gaussian_filter(images, (0, sigma, sigma, 0), mode="reflect")
        values = np.stack([rms_contrast(blurred, ADAPT), detail(blurred, INNER, OUTER, ADAPT)], axis=1)
        if previous is not None:
            assert (values <= previous + 1e-12).all()
        previous = values


def test_reduced_contrast_scales_both_measures(faces):
    images = faces[1][:10].astype(np.float64) / 255
    mean = images.mean(axis=(1, 2), keepdims=True)
    for factor in (0.8, 0.5, 0.2):
        washed = mean + factor * (images - mean)
        np.testing.assert_allclose(rms_contrast(washed, ADAPT), factor * rms_contrast(images, ADAPT), rtol=1e-9)
        np.testing.assert_allclose(detail(washed, INNER, OUTER, ADAPT), factor * detail(images, INNER, OUTER, ADAPT),
                                   rtol=1e-9)


def test_real_images_are_mostly_clear_and_degraded_ones_are_not(faces, reference):
    held_out = faces[1]
    assert (clarity_scores(held_out, reference) >= 0.5).mean() >= 0.8
    assert (clarity_scores(blurred_images(held_out, 2.5), reference) >= 0.5).mean() <= 0.1
    assert (clarity_scores(contrast_reduced(held_out, 0.3), reference) >= 0.5).mean() <= 0.1


def test_clarity_is_non_increasing_in_blur_and_contrast_loss_of_uint8_images(faces, reference):
    held_out = faces[1]
    tolerance = 0.01  # rounding to uint8 may lift a score by a hair
    blurs = [clarity_scores(blurred_images(held_out, s), reference) for s in (0.0, 0.5, 1.0, 1.5, 2.0, 3.0)]
    washes = [clarity_scores(contrast_reduced(held_out, c), reference) for c in (1.0, 0.8, 0.6, 0.4, 0.2)]
    for series in (blurs, washes):
        for before, after in pairwise(series):
            assert (after <= before + tolerance).all()
        assert np.median(series[-1]) < 0.2 < np.median(series[0])


def test_imperceptible_noise_moves_clarity_by_little(faces, reference):
    rng = np.random.default_rng(2)
    images = blurred_images(faces[1], 1.0)
    noisy = np.clip(images.astype(int) + rng.integers(-1, 2, size=images.shape), 0, 255).astype(np.uint8)
    assert np.abs(clarity_scores(noisy, reference) - clarity_scores(images, reference)).max() < 0.02


def test_scores_are_half_at_the_quantile_and_the_reference_round_trips(faces, reference):
    parts = clarity_parts(faces[0], reference)
    assert ((parts < 0.5).mean(axis=0) == pytest.approx([0.05, 0.05], abs=0.01))
    again = ClarityReference.from_dict(reference.to_dict())
    np.testing.assert_array_equal(again.low, reference.low)
    np.testing.assert_array_equal(again.spread, reference.spread)
    assert (again.quantile, again.inner_sigma, again.outer_sigma, again.adaptation) == (0.05, INNER, OUTER, ADAPT)
    with pytest.raises(ValueError, match="quantile"):
        fit_clarity(faces[0], 1.5, INNER, OUTER, ADAPT)


def test_contrast_reduced_and_shares_by_verdict():
    images = np.array([[[[0, 100, 200]] * 2, [[200, 100, 0]] * 2]], dtype=np.uint8)
    assert np.array_equal(contrast_reduced(images, 1.0), images)
    assert (contrast_reduced(images, 0.0) == 100).all()
    shares = shares_by_verdict(np.array(["clear face", "faint face", "faint face", "no face"]))
    assert shares == {"clear_share": 0.25, "faint_share": 0.5, "no_face_share": 0.25}

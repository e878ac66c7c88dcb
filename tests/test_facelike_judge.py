"""The structure judge: its structure-destroying transforms and that it learns to tell them apart."""

from __future__ import annotations

import numpy as np
import pytest

from report.data.synthetic import generate_faces
from report.facelike.judge import (
    KINDS,
    destroyed_images,
    judge_probability,
    judge_training_set,
    patch_shuffle,
    phase_scramble,
    phase_scramble_float,
    random_phase,
    shifted_blends,
    smooth_fields,
    soften,
    train_judge,
)


def images(n=6, size=16, seed=0):
    return np.random.default_rng(seed).integers(0, 256, size=(n, size, size, 3), dtype=np.uint8)


def patches(image, grid):
    p = image.shape[0] // grid
    return sorted(image[r * p:(r + 1) * p, c * p:(c + 1) * p].tobytes() for r in range(grid) for c in range(grid))


@pytest.mark.parametrize("grid", [1, 2, 4, 8])
def test_patch_shuffle_permutes_the_patches_of_each_image(grid):
    x = images()
    y = patch_shuffle(x, grid, np.random.default_rng(1))
    assert y.shape == x.shape and y.dtype == x.dtype
    for before, after in zip(x, y, strict=True):
        assert patches(before, grid) == patches(after, grid)
    if grid == 1:
        np.testing.assert_array_equal(x, y)
    else:
        assert not np.array_equal(x, y)


def test_patch_shuffle_needs_a_dividing_grid():
    with pytest.raises(ValueError, match="multiple of grid 3"):
        patch_shuffle(images(), 3, np.random.default_rng(0))


@pytest.mark.parametrize("size", [16, 17])
def test_random_phase_is_odd_and_zero_where_self_conjugate(size):
    phase = random_phase(size, np.random.default_rng(2))
    mirrored = np.roll(phase[::-1, ::-1], 1, axis=(0, 1))  # phase at (-u, -v)
    np.testing.assert_allclose(np.exp(1j * mirrored), np.exp(-1j * phase), atol=1e-12)
    assert phase[0, 0] == 0


@pytest.mark.parametrize("size", [16, 17])
def test_phase_scramble_keeps_the_amplitude_spectrum_exactly(size):
    x = images(4, size).astype(np.float64)
    y = phase_scramble_float(x, np.random.default_rng(3))
    np.testing.assert_allclose(np.abs(np.fft.fft2(y, axes=(1, 2))), np.abs(np.fft.fft2(x, axes=(1, 2))),
                               rtol=1e-9, atol=1e-6)
    np.testing.assert_allclose(y.mean(axis=(1, 2)), x.mean(axis=(1, 2)), atol=1e-9)  # mean colour kept
    assert np.abs(y - x).mean() > 10  # yet the pixels moved
    assert phase_scramble(images(4, size), np.random.default_rng(3)).dtype == np.uint8


def test_a_blend_of_one_image_is_a_moved_copy_of_it():
    x = images(1, 16)
    y = shifted_blends(x, 5, np.random.default_rng(4), n_blend=(1, 1))
    for image in y:  # flips, quarter turns and cyclic shifts keep the multiset of pixels
        assert sorted(map(tuple, image.reshape(-1, 3))) == sorted(map(tuple, x[0].reshape(-1, 3)))


def test_smooth_fields_are_smooth_and_keep_the_colours():
    x = images(50, 16)
    y = smooth_fields(x, 200, np.random.default_rng(5)).astype(np.float64)
    assert y.shape == (200, 16, 16, 3)
    step = np.abs(np.diff(y, axis=1)).mean()
    assert step < 0.2 * np.abs(np.diff(x.astype(np.float64), axis=1)).mean()  # neighbouring pixels alike
    np.testing.assert_allclose(y.mean(axis=(0, 1, 2)), x.mean(axis=(0, 1, 2)), atol=10)


def test_destroyed_images_use_every_kind_alike_and_the_set_is_seeded():
    x = images(20, 16)
    y, kinds = destroyed_images(x, 40, np.random.default_rng(6))
    assert y.shape == (40, 16, 16, 3) and np.bincount(kinds, minlength=len(KINDS)).tolist() == [10] * len(KINDS)
    a, labels = judge_training_set(x, 7, max_sigma=1.0)
    b, _ = judge_training_set(x, 7, max_sigma=1.0)
    np.testing.assert_array_equal(a, b)
    assert len(a) == 40 and labels.sum() == 20


def test_soften_without_blur_only_jitters_colours():
    x = np.full((3, 16, 16, 3), 128, dtype=np.uint8)
    y = soften(x, 0.0, np.random.default_rng(8)).astype(int)
    assert (np.abs(y - 128) <= 0.1 * 128 + 0.1 * 255 + 1).all()
    assert all(len(np.unique(image[..., c])) == 1 for image in y for c in range(3))  # flat stays flat


def test_the_judge_tells_faces_from_destroyed_faces_on_tiny_data():
    faces, _ = generate_faces(480, 16, np.random.default_rng(9))
    judge = train_judge(faces[:400], seed=1, epochs=4, max_sigma=1.0, filters=(8, 16))
    held_x, held_y = judge_training_set(faces[400:], 2, max_sigma=1.0)
    p = judge_probability(judge.model, held_x)
    assert p.shape == (len(held_x),) and ((p >= 0.5) == (held_y == 1)).mean() >= 0.8
    noise = images(40, 16)
    assert judge.probability(noise).mean() < judge.probability(faces[400:]).mean()

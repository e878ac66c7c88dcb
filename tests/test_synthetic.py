"""The procedural face generator: determinism, chunking, factor table and that faces are drawn."""

from __future__ import annotations

import numpy as np
import pytest

from report.data.synthetic import FACTOR_NAMES, FACTOR_TABLE, draw_factors, generate_faces, iter_faces, render_faces

N_IMAGES = 64
SIZE = 32


@pytest.fixture(scope="module")
def faces() -> tuple[np.ndarray, dict[str, np.ndarray]]:
    return generate_faces(N_IMAGES, SIZE, np.random.default_rng(1234))


def _skin_ordered(colours: np.ndarray) -> np.ndarray:
    """Whether mean colours (n, 3) have red > green > blue, as every skin tone of the palette does."""
    return (colours[:, 0] > colours[:, 1]) & (colours[:, 1] > colours[:, 2])


def test_shape_and_dtype(faces):
    images, factors = faces
    assert images.shape == (N_IMAGES, SIZE, SIZE, 3)
    assert images.dtype == np.uint8
    assert set(factors) == set(FACTOR_NAMES)


def test_same_seed_gives_identical_images_and_factors(faces):
    images, factors = faces
    again_images, again_factors = generate_faces(N_IMAGES, SIZE, np.random.default_rng(1234))
    np.testing.assert_array_equal(images, again_images)
    for name in FACTOR_NAMES:
        np.testing.assert_array_equal(factors[name], again_factors[name])


def test_different_seed_gives_different_images(faces):
    images, factors = faces
    other_images, other_factors = generate_faces(N_IMAGES, SIZE, np.random.default_rng(99))
    assert not np.array_equal(images, other_images)
    assert not np.array_equal(factors["face_x"], other_factors["face_x"])


@pytest.mark.parametrize(("n_images", "size", "chunk_size"), [(45, 32, 7), (9, 48, 4), (20, 16, 100)])
def test_chunks_concatenate_to_one_shot_generation(n_images, size, chunk_size):
    images, factors = generate_faces(n_images, size, np.random.default_rng(7))
    chunks = list(iter_faces(n_images, size, np.random.default_rng(7), chunk_size))
    assert all(len(chunk_images) <= chunk_size for chunk_images, _ in chunks)
    assert len(chunks) == -(-n_images // chunk_size)
    np.testing.assert_array_equal(np.concatenate([chunk_images for chunk_images, _ in chunks]), images)
    for name in FACTOR_NAMES:
        joined = np.concatenate([chunk_factors[name] for _, chunk_factors in chunks])
        np.testing.assert_array_equal(joined, factors[name])


def test_iter_faces_checks_its_arguments():
    with pytest.raises(ValueError, match="chunk_size"):
        iter_faces(10, 32, np.random.default_rng(0), 0)


def test_no_images():
    images, factors = generate_faces(0, SIZE, np.random.default_rng(0))
    assert images.shape == (0, SIZE, SIZE, 3)
    assert all(len(values) == 0 for values in factors.values())


def test_factor_table_is_rich_and_every_factor_varies(faces):
    _, factors = faces
    assert len(FACTOR_NAMES) >= 40
    assert len(set(FACTOR_NAMES)) == len(FACTOR_NAMES)
    for name, low, high, kind in FACTOR_TABLE:
        values = factors[name]
        assert values.shape == (N_IMAGES,), name
        assert len(np.unique(values)) > 1, f"{name} does not vary"
        if kind == "uniform":
            assert values.min() >= low and values.max() < high, name
        else:
            assert set(np.unique(values)) <= {0, 1}, name


def test_images_vary_and_cover_a_spread_of_colours(faces):
    images, _ = faces
    pixels = images.reshape(-1, 3).astype(np.float64)
    assert (pixels.std(axis=0) > 30).all()
    assert len(np.unique(images.reshape(-1, 3) // 32, axis=0)) > 100  # of the 512 coarse colour cells
    assert all(images[i].std() > 10 for i in range(N_IMAGES))  # no flat image
    assert np.abs(np.diff(images.astype(np.int16), axis=0)).mean() > 20  # no two neighbours alike


def test_a_face_sits_in_the_centre(faces):
    """The centre of (nearly) every image is skin coloured, the border only by chance.

    A blank image (grey) or pure noise fails this: its centre is red > green > blue in at most
    about one image in six.
    """
    images, _ = faces
    pixels = images.astype(np.float64)
    quarter = SIZE // 4
    middle = slice(SIZE // 2 - quarter // 2, SIZE // 2 + quarter // 2)
    centre = pixels[:, middle, middle]
    top_corners = np.concatenate([pixels[:, :quarter, :quarter], pixels[:, :quarter, -quarter:]], axis=2)
    assert _skin_ordered(centre.mean(axis=(1, 2))).mean() >= 0.9
    assert _skin_ordered(top_corners.mean(axis=(1, 2))).mean() <= 0.5
    centre_colour = centre.mean(axis=(1, 2))
    border_colour = top_corners.mean(axis=(1, 2))
    assert np.abs(centre_colour - border_colour).sum(axis=1).mean() > 40


def test_faces_follow_their_factors():
    """Moving a face moves its pixels: the skin-coloured region follows face_x."""
    factors = draw_factors(8, np.random.default_rng(3))
    seeds = np.arange(8, dtype=np.uint32)
    centre_of_skin = []
    for face_x in (-0.12, 0.12):
        moved = {name: values.copy() for name, values in factors.items()}
        moved["face_x"][:] = face_x
        moved["face_tilt"][:] = 0.0
        moved["hair_side"][:] = 0.0
        images = render_faces(moved, seeds, 64).astype(np.float64)
        row = images[:, 40]  # below the eyes, above the mouth
        skin = (row[..., 0] > row[..., 1] + 10) & (row[..., 1] > row[..., 2] + 5)
        columns = np.arange(64)
        centre_of_skin.append((skin * columns).sum(axis=1) / np.maximum(skin.sum(axis=1), 1))
    shift = centre_of_skin[1] - centre_of_skin[0]  # expected 0.24 image units = 7.7 pixels
    assert np.median(shift) > 4

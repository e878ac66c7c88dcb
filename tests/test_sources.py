"""Data sources: images.npy from synthetic faces, CelebA and image folders; latent vectors from .npy."""

from __future__ import annotations

import importlib.util
import json
import sys
import types
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from report.data.sources import load_zpoints, open_images, write_images
from report.errors import DataError
from report.params import DataParams


def solid(path: Path, size: tuple[int, int], colour: tuple[int, int, int], **save) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", size, colour).save(path, **save)


def read_back(out_dir: Path) -> np.ndarray:
    return np.asarray(open_images(out_dir))


# --- synthetic --------------------------------------------------------------------------------


def test_synthetic_chunks_and_factors_are_concatenated_in_order(tmp_path, monkeypatch):
    calls = []

    def iter_faces(n_images, image_size, rng, chunk_size):
        calls.append((n_images, image_size, chunk_size))
        for start in range(0, n_images, chunk_size):
            k = min(chunk_size, n_images - start)
            index = np.arange(start, start + k)
            chunk = np.broadcast_to(index[:, None, None, None] % 256, (k, image_size, image_size, 3))
            yield chunk.astype(np.uint8), {"index": index, "noise": rng.random(k)}

    fake = types.ModuleType("report.data.synthetic")
    fake.iter_faces = iter_faces
    monkeypatch.setitem(sys.modules, "report.data.synthetic", fake)
    data = DataParams(n_images=40, image_size=8, chunk_size=16)
    info = write_images(data, 3, tmp_path)
    assert info == {
        "source": "synthetic",
        "path": None,
        "n_images": 40,
        "image_size": 8,
        "skipped": 0,
        "skipped_examples": [],
    }
    assert calls == [(40, 8, 16)]
    images = read_back(tmp_path)
    assert images.shape == (40, 8, 8, 3)
    assert np.array_equal(images[:, 4, 4, 0], np.arange(40))
    factors = np.load(tmp_path / "factors.npz")
    assert np.array_equal(factors["index"], np.arange(40))
    rng = np.random.default_rng(3)
    expected_noise = np.concatenate([rng.random(16), rng.random(16), rng.random(8)])
    assert np.array_equal(factors["noise"], expected_noise)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["factors.npz", "images.npy"]


@pytest.mark.skipif(importlib.util.find_spec("report.data.synthetic") is None, reason="no synthetic faces yet")
def test_synthetic_images_repeat_for_a_seed(tmp_path):
    data = DataParams(n_images=40, image_size=16, chunk_size=16)
    write_images(data, 1, tmp_path / "a")
    write_images(data, 1, tmp_path / "b")
    write_images(data, 2, tmp_path / "c")
    a, b, c = (read_back(tmp_path / name) for name in "abc")
    assert a.shape == (40, 16, 16, 3)
    assert np.array_equal(a, b)
    assert not np.array_equal(a, c)
    fa, fb = np.load(tmp_path / "a" / "factors.npz"), np.load(tmp_path / "b" / "factors.npz")
    assert sorted(fa.files) == sorted(fb.files)
    for name in fa.files:
        assert len(fa[name]) == 40
        assert np.array_equal(fa[name], fb[name])


# --- folder -----------------------------------------------------------------------------------


def test_folder_skips_and_counts_unreadable_files(tmp_path):
    src = tmp_path / "faces"
    # wide image: blue | red | blue thirds, so the centre square is all red
    wide = np.zeros((20, 60, 3), dtype=np.uint8)
    wide[:, :, 2] = 255
    wide[:, 20:40] = (255, 0, 0)
    src.mkdir()
    Image.fromarray(wide).save(src / "a_wide.png")
    solid(src / "b_green.jpg", (32, 32), (0, 200, 0), quality=95)
    (src / "nested").mkdir()
    Image.new("RGBA", (24, 40), (250, 250, 0, 128)).save(src / "nested" / "c_yellow.png")
    (src / "d_broken.jpg").write_bytes(np.random.default_rng(0).bytes(500))
    (src / "e_text.png").write_text("not an image\n")
    (src / "notes.txt").write_text("ignored: not an image suffix\n")

    data = DataParams(source="folder", path=str(src), image_size=16, n_images=100, chunk_size=16)
    info = write_images(data, 0, tmp_path / "out")
    assert info["n_images"] == 3
    assert info["skipped"] == 2
    assert info["skipped_examples"] == ["d_broken.jpg", "e_text.png"]
    assert json.loads(json.dumps(info)) == info
    images = read_back(tmp_path / "out")
    assert images.shape == (3, 16, 16, 3)
    assert np.array_equal(images[0], np.broadcast_to(np.uint8([255, 0, 0]), (16, 16, 3)))
    assert np.abs(images[1].astype(int) - [0, 200, 0]).max() <= 6  # JPEG
    assert np.array_equal(images[2], np.broadcast_to(np.uint8([250, 250, 0]), (16, 16, 3)))
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["images.npy"]


def test_folder_takes_the_first_n_readable_files_in_name_order(tmp_path):
    src = tmp_path / "faces"
    for i in range(18):
        solid(src / f"img_{i:02d}.png", (10, 10), (i, 0, 0))
    (src / "img_00a.png").write_bytes(b"broken")  # sorts between img_00 and img_01
    data = DataParams(source="folder", path=str(src), image_size=8, n_images=16, chunk_size=16)
    info = write_images(data, 0, tmp_path / "out")
    assert (info["n_images"], info["skipped"], info["skipped_examples"]) == (16, 1, ["img_00a.png"])
    assert np.array_equal(read_back(tmp_path / "out")[:, 0, 0, 0], np.arange(16))


def test_folder_without_readable_images_is_a_data_error(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(DataError, match="empty: no image files"):
        write_images(DataParams(source="folder", path=str(empty)), 0, tmp_path / "out")
    broken = tmp_path / "broken"
    broken.mkdir()
    for name in ("x.jpg", "y.png"):
        (broken / name).write_bytes(b"\x00" * 100)
    with pytest.raises(DataError, match="none of the 2 image files"):
        write_images(DataParams(source="folder", path=str(broken)), 0, tmp_path / "out")
    assert not (tmp_path / "out" / "images.npy").exists()
    with pytest.raises(DataError, match="missing"):
        write_images(DataParams(source="folder", path=str(tmp_path / "missing")), 0, tmp_path / "out")


# --- celeba -----------------------------------------------------------------------------------


def test_celeba_missing_folder_says_how_to_get_celeba(tmp_path):
    missing = tmp_path / "img_align_celeba"
    with pytest.raises(DataError, match="CelebA") as err:
        write_images(DataParams(source="celeba", path=str(missing)), 0, tmp_path / "out")
    assert str(missing) in str(err.value)
    missing.mkdir()
    (missing / "a.png").write_bytes(b"")
    with pytest.raises(DataError, match=r"no \.jpg files.*CelebA"):
        write_images(DataParams(source="celeba", path=str(missing)), 0, tmp_path / "out")


def test_celeba_crops_the_face_box_and_resizes(tmp_path):
    src = tmp_path / "img_align_celeba"
    src.mkdir()
    colours = [(200, 30, 30), (30, 200, 30), (30, 30, 200)]
    for i, colour in reversed(list(enumerate(colours))):  # written out of order; read sorted by name
        pixels = np.full((218, 178, 3), 128, dtype=np.uint8)  # grey outside the default box
        pixels[45:173, 25:153] = colour
        Image.fromarray(pixels).save(src / f"{i + 1:06d}.jpg", quality=95)
    (src / "000004.jpg").write_bytes(b"truncated")
    data = DataParams(source="celeba", path=str(src), image_size=32, n_images=16)
    info = write_images(data, 0, tmp_path / "out")
    assert (info["n_images"], info["skipped"], info["skipped_examples"]) == (3, 1, ["000004.jpg"])
    images = read_back(tmp_path / "out").astype(int)
    assert images.shape == (3, 32, 32, 3)
    for image, colour in zip(images, colours, strict=True):
        # JPEG rings a little at the box edge; a box off by a few pixels would average in grey
        assert np.abs(image[1:-1, 1:-1] - colour).max() <= 12
        assert np.abs(image.mean(axis=(0, 1)) - colour).max() <= 4


# --- zpoints ----------------------------------------------------------------------------------


def test_zpoints_load_as_float32(tmp_path):
    z = np.random.default_rng(0).normal(size=(50, 4))
    np.save(tmp_path / "z64.npy", z)
    loaded = load_zpoints(tmp_path / "z64.npy")
    assert loaded.dtype == np.float32 and loaded.shape == (50, 4)
    np.testing.assert_array_equal(loaded, z.astype(np.float32))
    np.save(tmp_path / "z32.npy", z.astype(np.float32))
    mapped = load_zpoints(tmp_path / "z32.npy")
    assert isinstance(mapped, np.memmap)
    np.testing.assert_array_equal(mapped, z.astype(np.float32))


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("nan.npy", np.where(np.eye(20, 3) > 0, np.nan, 1.0), "NaN or infinite"),
        ("inf.npy", np.full((20, 3), np.inf), "NaN or infinite"),
        ("overflow.npy", np.full((20, 3), 1e300), "after conversion to float32"),
        ("flat.npy", np.zeros(40), "2-D"),
        ("few.npy", np.zeros((9, 3)), "at least 10"),
        ("narrow.npy", np.zeros((20, 1)), "at least 2"),
        ("words.npy", np.full((20, 3), "a"), "numbers"),
        ("text.npy", "not numpy at all", "not a .npy"),
        ("missing.npy", None, "no such"),
    ],
)
def test_bad_zpoints_are_data_errors_naming_the_file(tmp_path, name, content, message):
    path = tmp_path / name
    if isinstance(content, str):
        path.write_text(content)
    elif content is not None:
        np.save(path, content)
    with pytest.raises(DataError, match=message) as err:
        load_zpoints(path)
    assert str(err.value).startswith(str(path))

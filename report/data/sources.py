"""Data sources of post I: synthetic faces, CelebA, any image folder, or a .npy of latent vectors.

Images are written once to `images.npy`, uint8 of shape (n, s, s, 3), through a memory map filled
chunk by chunk, so no source ever holds all its images in memory; later steps read them back with
`open_images`. Unreadable files are skipped, counted and named in the returned info dict.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps

from report.errors import DataError, ParameterError
from report.params import DataParams

log = logging.getLogger(__name__)

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".bmp", ".gif", ".webp", ".tif", ".tiff")
CELEBA_HOWTO = (
    "the celeba source needs the aligned CelebA images: download img_align_celeba.zip from the CelebA page "
    "(mmlab.ie.cuhk.edu.hk/projects/CelebA.html) or Kaggle, unzip it and point data.path at the "
    "img_align_celeba folder"
)
_MAX_SKIPPED_EXAMPLES = 5
_READ_ERRORS = (OSError, ValueError, SyntaxError, EOFError, Image.DecompressionBombError)
Box = tuple[int, int, int, int]


def check_source(data: DataParams) -> None:
    """Fail early, before any step runs, when the data a parameter file points at is not there.

    Cheap checks only: the folder exists and holds candidate files, the crop box is sane, the
    latent-vector file has the right shape. Unreadable single images are found (and skipped) later.

    Raises:
        DataError, ParameterError: naming the path or key at fault.
    """
    if data.source == "celeba":
        _celeba_files(Path(data.path))
        _check_crop(data.celeba_crop)
    elif data.source == "folder":
        _folder_files(Path(data.path))
    elif data.source == "zpoints":
        load_zpoints(data.path)


def write_images(data: DataParams, seed: int, out_dir: Path | str) -> dict:
    """Write out_dir/images.npy (and out_dir/factors.npz for synthetic faces) for a data section.

    Args:
        data: The data section of a parameter file; source is synthetic, celeba or folder.
        seed: The run's seed (synthetic faces only).
        out_dir: Folder to write into; created if missing.

    Returns:
        JSON-native {"source", "path" (str or None), "n_images", "image_size", "skipped" (count),
        "skipped_examples" (up to 5 file names relative to data.path)}.

    Raises:
        DataError: the source's files are missing or none can be read.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    if data.source == "synthetic":
        return _write_synthetic(data, seed, out_dir)
    if data.source == "celeba":
        folder = Path(data.path)
        files = _celeba_files(folder)
        box = _check_crop(data.celeba_crop)
        return _write_files(data, folder, files, lambda path: _read_celeba(path, box, data.image_size), out_dir)
    if data.source == "folder":
        folder = Path(data.path)
        files = _folder_files(folder)
        return _write_files(data, folder, files, lambda path: _read_square(path, data.image_size), out_dir)
    raise DataError(f"data.source '{data.source}' holds latent vectors, not images; read it with load_zpoints")


def open_images(path: Path | str) -> np.memmap:
    """Read-only memory map of an images.npy written by write_images (or of the folder holding it)."""
    path = Path(path)
    if path.is_dir():
        path = path / "images.npy"
    if not path.is_file():
        raise DataError(f"{path}: no such image file")
    try:
        images = np.load(path, mmap_mode="r", allow_pickle=False)
    except (ValueError, OSError) as err:
        raise DataError(f"{path}: not a .npy file ({str(err).splitlines()[0]})") from None
    if images.dtype != np.uint8 or images.ndim != 4 or images.shape[3] != 3 or images.shape[1] != images.shape[2]:
        raise DataError(f"{path}: expected uint8 images of shape (n, s, s, 3), got {images.dtype} {images.shape}")
    return images


def load_zpoints(path: Path | str) -> np.ndarray:
    """Latent vectors of shape (M, N) from a .npy file, as float32, memory-mapped where possible.

    A float32 file comes back as a read-only memory map; other numeric types are converted chunk by
    chunk into a new float32 array.

    Raises:
        DataError naming the file: missing, not a .npy, not 2-D, M < 10, N < 2, not numeric, or
        holding NaN or infinity (also after conversion to float32).
    """
    path = Path(path)
    if not path.is_file():
        raise DataError(f"{path}: no such latent-vector file (data.path for data.source 'zpoints')")
    try:
        z = np.load(path, mmap_mode="r", allow_pickle=False)
    except (ValueError, OSError) as err:
        raise DataError(f"{path}: not a .npy file ({str(err).splitlines()[0]})") from None
    if not isinstance(z, np.ndarray):  # an .npz archive loads as a mapping
        raise DataError(f"{path}: not a .npy file (an .npz archive?)")
    if z.ndim != 2:
        raise DataError(f"{path}: expected a 2-D array (M vectors x N components), got shape {z.shape}")
    if z.dtype.kind not in "iuf":
        raise DataError(f"{path}: expected numbers, got dtype {z.dtype}")
    m, n = z.shape
    if m < 10:
        raise DataError(f"{path}: needs at least 10 latent vectors (rows), got {m}")
    if n < 2:
        raise DataError(f"{path}: needs at least 2 components (columns), got {n}")

    out = z if z.dtype == np.float32 else np.empty((m, n), dtype=np.float32)
    rows = max(1, (1 << 22) // n)  # about 16 MB of float32 per chunk
    for start in range(0, m, rows):
        with np.errstate(over="ignore"):  # values beyond float32 become inf and are reported below
            chunk = np.asarray(z[start : start + rows], dtype=np.float32)
        bad = ~np.isfinite(chunk)
        if bad.any():
            row, col = np.argwhere(bad)[0]
            raise DataError(
                f"{path}: holds NaN or infinite values (first at row {start + row}, column {col}"
                f"{', after conversion to float32' if z.dtype != np.float32 else ''})"
            )
        if out is not z:
            out[start : start + rows] = chunk
    return out


# --- synthetic faces --------------------------------------------------------------------------


def _write_synthetic(data: DataParams, seed: int, out_dir: Path) -> dict:
    from report.data.synthetic import iter_faces  # imported here: the generator is its own module

    s, n = data.image_size, data.n_images
    partial = out_dir / "images.partial.npy"
    images = np.lib.format.open_memmap(partial, mode="w+", dtype=np.uint8, shape=(n, s, s, 3))
    factors: dict[str, list[np.ndarray]] = {}
    filled = 0
    for chunk, chunk_factors in iter_faces(n, s, np.random.default_rng(seed), data.chunk_size):
        k = len(chunk)
        if filled + k > n or chunk.shape[1:] != (s, s, 3):
            raise RuntimeError(f"iter_faces yielded a chunk of shape {chunk.shape} after {filled} of {n} images")
        images[filled : filled + k] = chunk
        for name, values in chunk_factors.items():
            factors.setdefault(name, []).append(np.asarray(values))
        filled += k
    if filled != n:
        raise RuntimeError(f"iter_faces yielded {filled} images, not {n}")
    images.flush()
    del images
    np.savez(out_dir / "factors.npz", **{name: np.concatenate(parts) for name, parts in factors.items()})
    os.replace(partial, out_dir / "images.npy")
    return _info(data, n, [])


# --- image files ------------------------------------------------------------------------------


def _celeba_files(folder: Path) -> list[Path]:
    if not folder.exists():
        raise DataError(f"{folder}: no such folder; {CELEBA_HOWTO}")
    if not folder.is_dir():
        raise DataError(f"{folder}: not a folder; {CELEBA_HOWTO}")
    files = sorted(p for p in folder.iterdir() if p.suffix.lower() == ".jpg" and p.is_file())
    if not files:
        raise DataError(f"{folder}: no .jpg files in this folder; {CELEBA_HOWTO}")
    return files


def _folder_files(folder: Path) -> list[Path]:
    if not folder.exists():
        raise DataError(f"{folder}: no such image folder (data.path)")
    if not folder.is_dir():
        raise DataError(f"{folder}: not a folder (data.path)")
    files = sorted(
        (p for p in folder.rglob("*") if p.suffix.lower() in IMAGE_SUFFIXES and p.is_file()),
        key=lambda p: p.relative_to(folder).as_posix(),
    )
    if not files:
        raise DataError(f"{folder}: no image files ({', '.join(s[1:] for s in IMAGE_SUFFIXES)}) in this folder")
    return files


def _check_crop(crop: tuple[int, int, int, int]) -> Box:
    left, top, right, bottom = crop
    if left < 0 or top < 0 or right <= left or bottom <= top:
        raise ParameterError(
            f"data.celeba_crop: expected (left, top, right, bottom) with left < right and top < bottom, got {crop}"
        )
    return left, top, right, bottom


def _resample(box: Box, size: int) -> Image.Resampling:
    # BOX averages exactly when shrinking (the usual case); LANCZOS when a small crop is enlarged.
    shrinking = box[2] - box[0] >= size and box[3] - box[1] >= size
    return Image.Resampling.BOX if shrinking else Image.Resampling.LANCZOS


def _as_rgb(img: Image.Image) -> Image.Image:
    """8-bit RGB from any mode: greyscale and palettes are expanded, 16-bit and float images scaled
    to their range (PIL's own conversion would clip them to white)."""
    if img.mode in ("I;16", "I;16B", "I;16L", "I;16N", "I", "F"):
        values = np.asarray(img, dtype=np.float64)
        top = 65535.0 if img.mode.startswith("I;16") or values.max(initial=0) > 255 else 255.0
        grey = np.clip(np.nan_to_num(values) / top * 255.0 + 0.5, 0, 255).astype(np.uint8)
        return Image.fromarray(grey).convert("RGB")
    return img.convert("RGB")  # an alpha channel is dropped: the colours under it are kept


def _read_celeba(path: Path, box: Box, size: int) -> np.ndarray:
    with Image.open(path) as img:
        img = _as_rgb(img)
    if box[2] > img.width or box[3] > img.height:
        raise DataError(
            f"{path}: data.celeba_crop {box} does not fit in this {img.width}x{img.height} image; "
            "the celeba source expects the 178x218 aligned images (img_align_celeba)"
        )
    return np.asarray(img.resize((size, size), _resample(box, size), box=box), dtype=np.uint8)


def _read_square(path: Path, size: int) -> np.ndarray:
    with Image.open(path) as img:
        img = _as_rgb(ImageOps.exif_transpose(img))  # phone photos store rotation in EXIF
    side = min(img.width, img.height)
    left, top = (img.width - side) // 2, (img.height - side) // 2
    box = (left, top, left + side, top + side)
    return np.asarray(img.resize((size, size), _resample(box, size), box=box), dtype=np.uint8)


def _read_or_reason(read: Callable[[Path], np.ndarray], path: Path) -> np.ndarray | str:
    """The image, or the reason it could not be read."""
    try:
        return read(path)
    except _READ_ERRORS as err:
        return f"{type(err).__name__}: {err}"


def _write_files(
    data: DataParams, folder: Path, files: list[Path], read: Callable[[Path], np.ndarray], out_dir: Path
) -> dict:
    """Fill images.npy with the first data.n_images readable files, in file order."""
    s = data.image_size
    candidates = min(data.n_images, len(files))
    partial = out_dir / "images.partial.npy"
    images = np.lib.format.open_memmap(partial, mode="w+", dtype=np.uint8, shape=(candidates, s, s, 3))
    filled, tried, skipped = 0, 0, []
    # PIL releases the GIL while decoding, so a few threads keep every core busy; map keeps file order.
    with ThreadPoolExecutor(max_workers=min(8, os.cpu_count() or 1)) as pool:
        while filled < candidates and tried < len(files):
            chunk = files[tried : tried + min(data.chunk_size, candidates - filled)]
            tried += len(chunk)
            for path, result in zip(chunk, pool.map(lambda p: _read_or_reason(read, p), chunk), strict=True):
                if isinstance(result, str):
                    log.warning("skipping %s: %s", path, result)
                    skipped.append(path.relative_to(folder).as_posix())
                else:
                    images[filled] = result
                    filled += 1
    images.flush()
    del images

    if filled == 0:
        partial.unlink()
        raise DataError(f"{folder}: none of the {tried} image files could be read (first: {skipped[0]})")
    final = out_dir / "images.npy"
    if filled == candidates:
        os.replace(partial, final)
    else:  # fewer readable files than wanted: copy the filled rows into a file of the right size
        source = np.load(partial, mmap_mode="r")
        copy = out_dir / "images.copy.npy"
        target = np.lib.format.open_memmap(copy, mode="w+", dtype=np.uint8, shape=(filled, s, s, 3))
        for start in range(0, filled, data.chunk_size):
            stop = min(start + data.chunk_size, filled)
            target[start:stop] = source[start:stop]
        target.flush()
        del target, source
        os.replace(copy, final)
        partial.unlink()
    if skipped:
        log.warning("%s: skipped %d unreadable of %d files tried", folder, len(skipped), tried)
    return _info(data, filled, skipped)


def _info(data: DataParams, n_images: int, skipped: list[str]) -> dict:
    return {
        "source": data.source,
        "path": data.path,
        "n_images": int(n_images),
        "image_size": int(data.image_size),
        "skipped": len(skipped),
        "skipped_examples": skipped[:_MAX_SKIPPED_EXAMPLES],
    }

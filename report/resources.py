"""How much disk and memory a parameter file asks for, estimated before anything runs.

The estimate counts what grows with the sizes in the file: the image array (`images.npy`, uint8),
the latent vectors (`latents.npy`, float32), the pixel PCA sample held as float32 with the SVD's
working copies, one chunk of images, and a training batch through the widest layer. A fixed
allowance covers figures, notebooks, models and the site. Validation refuses a file whose
estimate exceeds the ceilings below (sizes no machine this project targets has); a build also
refuses when the estimate exceeds the free disk of its build folder.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from report.errors import ReportError

GIB = 1 << 30
DISK_CEILING = 512 * GIB    # refused at validation above this
MEMORY_CEILING = 256 * GIB  # refused at validation above this
FIXED_BYTES = 200 << 20     # figures, notebooks, models, site, PDF


@dataclass(frozen=True)
class Estimate:
    disk: int
    memory: int
    disk_detail: str
    memory_detail: str


def human(n_bytes: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB", "TiB", "PiB"):
        if n_bytes < 1024 or unit == "PiB":
            return f"{n_bytes:.0f} {unit}" if unit == "B" else f"{n_bytes:.1f} {unit}"
        n_bytes /= 1024
    raise AssertionError


def estimate(data, model, train) -> Estimate:
    """Disk and peak memory in bytes for the data, model and train sections of a parameter file."""
    if data.source == "zpoints":
        # the vectors are read where they lie; a converted copy and the steps' float64 work arrays
        return Estimate(FIXED_BYTES, 0, "latent vectors read in place", "")
    pixels = data.image_size * data.image_size * 3
    images = data.n_images * pixels
    latents = data.n_images * model.z_dim * 4
    disk = images + latents + FIXED_BYTES
    pca = min(data.pca_sample, data.n_images) * pixels * 4 * 3
    chunk = data.chunk_size * pixels * 4
    widest = max((*model.encoder_filters, *model.decoder_filters, 3))
    batch = train.batch_size * data.image_size * data.image_size * widest * 4 * 4
    memory = max(pca, chunk, batch, latents * 2)
    return Estimate(
        disk, memory,
        f"data.n_images {data.n_images} x data.image_size {data.image_size}^2 x 3 bytes of images "
        f"and x model.z_dim {model.z_dim} x 4 bytes of latent vectors",
        "the largest of the pixel PCA sample (data.pca_sample), a chunk (data.chunk_size), "
        "a training batch (train.batch_size) and the latent vectors",
    )


def check_sizes(data, model, train) -> None:
    """Raise ValueError (a validation error of the file) when the estimate exceeds the ceilings."""
    need = estimate(data, model, train)
    if need.disk > DISK_CEILING:
        raise ValueError(f"data.n_images: this run would need about {human(need.disk)} of disk "
                         f"({need.disk_detail}); the limit is {human(DISK_CEILING)}")
    if need.memory > MEMORY_CEILING:
        raise ValueError(f"data.n_images: this run would need about {human(need.memory)} of memory "
                         f"({need.memory_detail}); the limit is {human(MEMORY_CEILING)}")


def check_room(params, run_dir: Path) -> None:
    """Refuse a build whose disk estimate exceeds what is free where it writes (results already there count as free)."""
    need = estimate(params.data, params.model, params.train)
    try:
        free = shutil.disk_usage(run_dir).free
    except OSError:
        return
    present = 0
    for name in ("data", "encode"):
        folder = run_dir / "results" / name
        if folder.is_dir():
            present += sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())
    if need.disk > free + present:
        raise ReportError(f"{run_dir}: this build needs about {human(need.disk)} of disk ({need.disk_detail}) "
                          f"but only {human(free)} is free there")

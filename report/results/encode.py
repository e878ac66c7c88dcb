"""Step `encode` (post I): every image's latent vector, reconstructions, and decodes of random vectors."""

from __future__ import annotations

from typing import ClassVar

from report.results import StepResults


class EncodeResults(StepResults):
    """How well the autoencoder reconstructs, and what uniform random latent vectors look like."""

    step: ClassVar[str] = "encode"

    n_points: int  # images encoded; rows of latents.npy
    z_dim: int  # latent dimension N
    n_reconstructions: int  # originals shown beside their reconstructions
    reconstruction_mse: float  # mean squared pixel error (pixels in [0, 1]) of the reconstructions
    reconstruction_sample: int  # images the error and data_image_std were measured on
    n_heldout: int  # images train held out for validation (never trained on)
    heldout_mse: float | None  # mean squared pixel error of their reconstructions, pixels in [0, 1]
    heldout_psnr: float | None  # PSNR in dB of that error (10 log10(1 / mse))
    heldout_ssim: float | None  # mean SSIM of their reconstructions (Gaussian window 11, sigma 1.5)
    random_half_range: float  # b: the random vectors' components are uniform in [-b, b]
    n_random: int  # random vectors decoded
    random_radius_mean: float  # mean length of the random vectors
    data_radius_mean: float  # mean length of the encoded images' latent vectors
    random_image_std: float  # pixel standard deviation of the random decodes, pixels in [0, 1]
    data_image_std: float  # the same for the real images of reconstruction_sample

"""Step `encode` (post I): every image's latent vector, reconstructions, and decodes of random vectors."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar, Literal

from report.results import Record, StepResults
from report.results.key_stat import KeyStat
from report.results.verdicts import origin_at_border


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
    uniform_b: float  # b: the random vectors' components are uniform in [-b, b]
    n_random: int  # random vectors decoded
    random_radius_mean: float  # mean length of the random vectors
    random_image_std: float  # pixel standard deviation of the random decodes, pixels in [0, 1]
    data_image_std: float  # the same for the real images of reconstruction_sample
    # the teaser and the projection that open post I (None in records written before them):
    n_teaser: int | None = None  # reconstructions in the teaser grid
    teaser_heldout: bool | None = None  # of held-out images (False: of training images, nothing was held out)
    teaser_psnr: float | None = None  # PSNR in dB of the teaser's reconstructions
    n_scatter: int | None = None  # z-points in the projection
    principal_shares: list[float] | None = None  # share of the latent variance along the first three principal directions
    origin_principal: list[float] | None = None  # the origin's coordinates on them (the centre is 0)
    origin_plane_distance: float | None = None  # the origin's distance from the centre in the PC1-PC2 plane, in standard deviations
    share_farther_in_plane: float | None = None  # z-points farther from the centre in that plane than the origin
    data_plane_distance_mean: float | None = None  # mean distance of the z-points from the centre in that plane


# Held-out PSNR and SSIM: tolerances derived from the measured ones (report.keystats), not measured
# themselves: a 5 % change of an MSE moves its PSNR by 0.21 dB, so ±0.3 dB; SSIM, a mean of bounded
# local scores, ±0.01.
KEY_STATS = (
    KeyStat("encode.reconstruction_mse", "reconstruction error (mean squared, pixels in 0-1)", rtol=0.05),
    KeyStat("encode.heldout_psnr", "PSNR of held-out reconstructions", atol=0.3, unit="dB"),
    KeyStat("encode.heldout_ssim", "SSIM of held-out reconstructions (1 = identical)", atol=0.01),
)


class EncodeFindings(Record):
    """What post I says about its teaser and its projection."""

    teaser: bool  # the record has a teaser
    projection: bool  # the record has a projection
    plane_share: float | None = None  # share of the variance the PC1-PC2 plane shows
    hidden_share: float | None = None  # the rest, hidden by the projection
    origin_position: Literal["border", "inside"] | None = None
    origin_beyond_mean: bool | None = None  # the origin lies farther out in the plane than the z-points on average


def findings(results: EncodeResults, upstream: Mapping[str, StepResults]) -> EncodeFindings:
    """The judgements of post I's teaser and projection."""
    values: dict = dict(teaser=results.n_teaser is not None, projection=results.origin_plane_distance is not None)
    if values["projection"]:
        plane = sum(results.principal_shares[:2])
        values.update(plane_share=plane, hidden_share=1 - plane,
                      origin_position="border" if origin_at_border(results.share_farther_in_plane) else "inside",
                      origin_beyond_mean=results.origin_plane_distance > results.data_plane_distance_mean)
    return EncodeFindings(**values)

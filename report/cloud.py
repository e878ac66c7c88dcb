"""What posts V-VII open with: the cloud of latent vectors with its centre and covariance, and the decoder.

The generator steps (`statistical_points`, `paths`, `intervals`) place artificial vectors relative to
the cloud of real z-points (centre c = the component means of post II, covariance from post III's
correlations) and score their decodes against a sample of training images.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from report import stats
from report.data.sources import load_zpoints, open_images
from report.results.distributions import DistributionsResults
from report.stats import positions, principal
from report.stats.images import pixel_spread
from report.stats.uncertainty import mean_interval

CORRELATION_FILE = "correlation.npy"


@dataclass(frozen=True)
class Cloud:
    """The real z-points and their shape.

    Attributes:
        z: (n_points, z_dim) latent vectors, memory-mapped where the file allows.
        distributions: post II's record.
        centre, stds, half_widths: (z_dim,) component means, standard deviations and FWHM.
        correlation, covariance: (z_dim, z_dim) Pearson matrix of post III and the covariance it implies.
        whiten: the covariance's regularised inverse square root (`analysis.mahalanobis`), which every
            Mahalanobis distance of posts IV-VII uses.
        regularisation: what the post states about it (`stats.principal.regularisation_summary`).
    """

    z: np.ndarray
    distributions: DistributionsResults
    centre: np.ndarray
    stds: np.ndarray
    half_widths: np.ndarray
    correlation: np.ndarray
    covariance: np.ndarray
    whiten: principal.Whitening
    regularisation: dict

    @property
    def n_points(self) -> int:
        return self.z.shape[0]

    @property
    def z_dim(self) -> int:
        return self.z.shape[1]

    def mahalanobis(self, points: np.ndarray) -> np.ndarray:
        """Mahalanobis distance of each point (n, z_dim) from the centre, under the stated regularisation."""
        return principal.mahalanobis(points, self.whiten)

    def sample(self, size: int, rng: np.random.Generator) -> np.ndarray:
        """`size` real z-points drawn without replacement (all of them if size >= n_points), in file order."""
        return np.asarray(self.z[stats.sample_rows(self.n_points, size, rng)])


def open_cloud(step) -> Cloud:
    """The cloud of a step that needs encode, distributions and correlations (a `report.notebook.StepContext`)."""
    distributions = step.upstream(DistributionsResults)
    centre, stds, half_widths = distributions.columns()
    correlation = np.load(step.upstream_file("correlations", CORRELATION_FILE))
    covariance = stats.covariance_from_correlation(correlation, stds)
    rule = step.shared("analysis.mahalanobis")
    axes = principal.principal_axes(centre, covariance)
    whiten = principal.whitening(axes, rule=rule.regularisation, relative_floor=rule.relative_floor)
    return Cloud(z=load_zpoints(step.input("latents")), distributions=distributions, centre=centre, stds=stds,
                 half_widths=half_widths, correlation=correlation, covariance=covariance, whiten=whiten,
                 regularisation=principal.regularisation_summary(whiten, axes))


@dataclass(frozen=True)
class Decoding:
    """The trained decoder, the training images its decodes are compared with, and the face scorer."""

    decoder: object
    reference: np.ndarray  # (n_reference, s, s, 3) uint8 training images
    scorer: object = None  # report.facelike.scorer.FaceScorer of face_measure; None where the step has none

    def faces(self, decodes: np.ndarray) -> np.ndarray | None:
        """str (n,): each decode's verdict, "clear face", "faint face" or "no face" (FaceScorer.verdicts); None
        without a scorer. Figures frame by it; `clear_share` gives the face share the posts report."""
        return None if self.scorer is None else self.scorer.verdicts(decodes)

    def decode(self, vectors: np.ndarray) -> np.ndarray:
        """uint8 images of shape (n, s, s, 3) for latent vectors of shape (n, z_dim)."""
        from report import model

        return model.decode_vectors(self.decoder, vectors)

    def scores(self, decodes: np.ndarray) -> tuple[float, float]:
        """Mean nearest-image distance to the reference images and mean pixel spread of the decodes."""
        return positions.decode_scores(decodes, self.reference)

    def spread_interval(self, decodes: np.ndarray, confidence: float) -> tuple[float, float]:
        """Interval of the decodes' mean pixel spread (their contrast) at `confidence`, for the closing
        comparisons of contrast between generators and decoded real vectors."""
        return mean_interval(pixel_spread(decodes), confidence)


def reference_rows(n_images: int, count: int) -> np.ndarray:
    """The rows of the reference images: `count` evenly spaced over all images (all if fewer).

    The same count gives the same images in every step, so the decodes of posts V-X and the one
    yardstick of decoded real z-points (post V) are measured against the same training images.
    """
    if count >= n_images:
        return np.arange(n_images)
    return np.unique(np.linspace(0, n_images - 1, count).round().astype(np.int64))


def open_decoding(step, reference_images: int) -> Decoding | None:
    """The step's decoder, `reference_images` training images (`reference_rows`: the same in every step) and,
    where the step needs face_measure, its face scorer; None without a decoder."""
    if "decoder" not in step.inputs:
        return None
    from report import model
    from report.facelike.scorer import FaceScorer

    images = open_images(step.input("images"))
    decoder = model.load_decoder(step.input("decoder"))
    reference = np.asarray(images[reference_rows(len(images), reference_images)])
    scorer = FaceScorer.open(step) if "face_measure" in step.needs else None
    return Decoding(decoder=decoder, reference=reference, scorer=scorer)

"""Step `data` (post I): the images of this run, and how rich they are by a pixel PCA."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar, Literal

from report.results import Record, StepResults
from report.results.key_stat import KeyStat


class DataResults(StepResults):
    """The training images: where they came from, how many, and their pixel PCA."""

    step: ClassVar[str] = "data"

    source: Literal["synthetic", "celeba", "folder"]  # data.source; zpoints runs have no data step
    path: str | None  # folder the images were read from; None for synthetic faces
    n_images: int  # images written to images.npy
    image_size: int  # side of the square RGB images in pixels
    skipped: int  # unreadable files skipped
    skipped_examples: list[str]  # a few of them, relative to path
    n_factors: int  # generating factors kept per image (synthetic faces; 0 otherwise)
    sample_grid: int  # training images in the sample grid of post I
    pca_sample: int  # images the pixel PCA used
    pca_max_components: int  # the PCA counted at most this many components
    pca_variance: float  # share of the pixel variance the counted components carry
    pca_components_90: int  # components that carry pca_variance of the pixel variance (90 % by default)


KEY_STATS = (
    KeyStat("data.n_images", "images in the data set"),
    KeyStat("data.pca_components_90", "principal components carrying 90 % of the pixel variance", atol=1),
)


class DataFindings(Record):
    """What post I says about the images."""

    has_skipped: bool  # some files could not be read
    pca_capped: bool  # the component count hit pca_max_components, so the true count may be higher


def findings(results: DataResults, upstream: Mapping[str, StepResults]) -> DataFindings:
    """The judgements post I states about the images."""
    return DataFindings(
        has_skipped=results.skipped > 0,
        pca_capped=results.pca_components_90 >= results.pca_max_components,
    )

"""Parameter files: one YAML per autoencoder variant, validated at load against a typed schema.

Every default of the project lives here. Nothing downstream sees a raw dict: the pipeline and
the notebooks receive values taken from these models.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from report.errors import ParameterError

Pair = tuple[int, int]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DataParams(_Section):
    """Where the images (or latent vectors) come from."""

    source: Literal["synthetic", "celeba", "folder", "zpoints"] = Field(
        "synthetic", description="synthetic faces, a CelebA folder, any image folder, or a .npy of latent vectors"
    )
    path: str | None = Field(None, description="folder of images (celeba, folder) or .npy file (zpoints)")
    image_size: int = Field(32, ge=8, le=512, description="side of the square RGB images in pixels")
    n_images: int = Field(12_000, ge=16, description="number of images to use (at most this many for folders)")
    celeba_crop: tuple[int, int, int, int] = Field(
        (25, 45, 153, 173),
        description="face box (left, top, right, bottom) cut from the 178x218 aligned CelebA images",
    )
    chunk_size: int = Field(1024, ge=16, description="images decoded or generated per chunk (bounds memory)")
    sample_grid: int = Field(32, ge=4, le=256, description="training images shown in post I")
    pca_components: int = Field(256, ge=2, description="at most this many principal components of the pixels")
    pca_sample: int = Field(4000, ge=16, description="images used for the pixel PCA")
    pca_variance: float = Field(0.9, gt=0, lt=1, description="share of the pixel variance the counted components carry")
    grid_columns: int = Field(8, ge=1, description="columns of the sample grid of training images")
    timeout_s: int = Field(600, ge=10, description="time limit for one cell of this step")

    @model_validator(mode="after")
    def _path_for_sources_that_read_files(self) -> DataParams:
        if self.source != "synthetic" and not self.path:
            raise ValueError(f"data.path is required for data.source '{self.source}'")
        return self


class ModelParams(_Section):
    """The convolutional autoencoder: Conv2D encoder to Dense(z_dim), Dense + Conv2DTranspose decoder."""

    z_dim: int = Field(256, ge=2, le=4096, description="latent dimension N")
    encoder_filters: tuple[int, ...] = Field((32, 64, 64, 128), min_length=1, description="Conv2D filters")
    encoder_kernel_sizes: tuple[int, ...] = Field((3, 3, 3, 3), min_length=1, description="kernel size of each encoder convolution (one per filter)")
    encoder_strides: tuple[int, ...] = Field((2, 2, 2, 2), min_length=1, description="stride of each encoder convolution (one per filter); their product divides image_size")
    decoder_filters: tuple[int, ...] = Field((128, 64, 64, 32), min_length=1, description="Conv2DTranspose filters")
    decoder_kernel_sizes: tuple[int, ...] = Field((3, 3, 3, 3), min_length=1, description="kernel size of each decoder transposed convolution (one per filter)")
    decoder_strides: tuple[int, ...] = Field((2, 2, 2, 2), min_length=1, description="stride of each decoder transposed convolution (one per filter)")
    activation: Literal["leaky_relu", "relu", "elu", "gelu", "selu"] = Field("leaky_relu", description="activation after every convolution")
    batch_norm: bool = Field(False, description="BatchNormalization after every convolution")
    # An autoencoder trained elsewhere: given both files, nothing is trained and the ladders above are unused.
    encoder_path: str | None = Field(
        None, description="a Keras encoder saved with model.save(...) (.keras), analysed instead of training one; "
        "needs model.decoder_path; a relative path is taken from the current folder, like data.path")
    decoder_path: str | None = Field(None, description="the Keras decoder that belongs to model.encoder_path")
    encoder_output: int | None = Field(
        None, ge=0, description="which output of an encoder with several outputs is the latent vector (0 when "
        "unset, e.g. the mean of a VAE's encoder that returns mean, log-variance and sample)")
    output_range: tuple[float, float] = Field(
        (0.0, 1.0), description="pixel range of the loaded decoder's output and of the loaded encoder's input: "
        "[0, 1] (a sigmoid output) or [-1, 1] (tanh); images are scaled into it and decodes back to [0, 1]")
    range_tolerance: float = Field(
        0.1, ge=0, description="decodes may leave model.output_range by this share of its width (a linear output "
        "layer overshoots a little); farther out, the loaded decoder is refused as having another range")
    range_check_images: int = Field(
        256, ge=1, description="images whose decodes are checked against model.output_range when the model is loaded")
    custom_objects_module: str | None = Field(
        None, description="a Python file (.py) or module name holding the custom layers the loaded models need: "
        "a CUSTOM_OBJECTS dict, or the classes (registered with keras.saving.register_keras_serializable or not)")
    safe_mode: bool = Field(
        True, description="Keras safe mode when loading: false also loads Lambda layers, whose Python code the "
        "file carries and which then runs; only for files you trust")

    @property
    def loaded(self) -> bool:
        """True when the autoencoder is read from model.encoder_path and model.decoder_path, not trained."""
        return bool(self.encoder_path and self.decoder_path)

    @model_validator(mode="after")
    def _both_model_files(self) -> ModelParams:
        given = [key for key in ("encoder_path", "decoder_path") if getattr(self, key)]
        if len(given) == 1:
            other = "decoder_path" if given[0] == "encoder_path" else "encoder_path"
            raise ValueError(f"model.{given[0]} is given without model.{other}: an autoencoder trained elsewhere "
                             "needs both files")
        low, high = self.output_range
        if not low < high:
            raise ValueError(f"model.output_range must be [low, high] with low < high, got [{low:g}, {high:g}]")
        return self

    @model_validator(mode="after")
    def _ladders_match(self) -> ModelParams:
        for side in ("encoder", "decoder"):
            filters = getattr(self, f"{side}_filters")
            for key in ("kernel_sizes", "strides"):
                values = getattr(self, f"{side}_{key}")
                if len(values) != len(filters):
                    raise ValueError(
                        f"model.{side}_{key} has {len(values)} entries but model.{side}_filters has {len(filters)}"
                    )
                if any(v < 1 for v in values):
                    raise ValueError(f"model.{side}_{key} must hold positive integers")
            if any(f < 1 for f in filters):
                raise ValueError(f"model.{side}_filters must hold positive integers")
        if math.prod(self.encoder_strides) != math.prod(self.decoder_strides):
            raise ValueError("model.decoder_strides must undo model.encoder_strides (equal products)")
        return self


class TrainParams(_Section):
    """Adam on a pixel loss."""

    epochs: int = Field(8, ge=1, le=1000, description="passes over the training images (at most; early stopping may end sooner)")
    batch_size: int = Field(64, ge=1, le=8192, description="images per training step on each device that trains "
                            "(see multi_gpu)")
    learning_rate: float = Field(1e-3, gt=0, le=1, description="Adam's (initial) learning rate")
    loss: Literal["binary_crossentropy", "mse"] = Field("binary_crossentropy", description="pixel loss on [0, 1]")
    validation_split: float = Field(0.1, ge=0, lt=0.5, description="share of images held out for validation")
    deterministic_ops: bool = Field(False, description="enable TensorFlow op determinism (slower, GPU)")
    learning_rate_schedule: Literal["constant", "cosine"] = Field(
        "cosine", description="constant, or cosine decay batch by batch over all epochs (keras CosineDecay)"
    )
    final_learning_rate_share: float = Field(
        0.05, ge=0, le=1, description="cosine schedule: the last batch's rate as a share of learning_rate"
    )
    plateau_patience: int = Field(
        0, ge=0, description="ReduceLROnPlateau: epochs without a lower validation loss before the rate is cut; "
        "0 = off (only with the constant schedule)"
    )
    plateau_factor: float = Field(0.5, gt=0, lt=1, description="ReduceLROnPlateau: the rate is multiplied by this")
    min_learning_rate: float = Field(1e-5, ge=0, description="ReduceLROnPlateau: the rate is never cut below this")
    early_stopping_patience: int = Field(
        0, ge=0, description="EarlyStopping: stop after this many epochs without a lower validation loss; 0 = never"
    )
    min_delta: float = Field(
        0.0, ge=0, description="a validation loss lower by at most this counts as no improvement (plateau, stopping)"
    )
    restore_best_weights: bool = Field(
        True, description="keep the weights of the epoch with the lowest validation loss, not the last epoch's"
    )
    snapshot_epochs: tuple[int, ...] = Field(
        (1, 2, 4, 8, 16, 32, 64, 128), description="epochs after which encoder and decoder are kept for the "
        "formation step; epochs past the last are skipped, the final (kept) weights are always added"
    )
    steps_per_execution: int = Field(
        16, ge=1, le=10_000, description="batches Keras runs per call of its compiled train step (fewer Python "
        "round trips; the same updates, and the epoch-end callbacks still run after every epoch)"
    )
    in_memory_mib: float = Field(
        1024, ge=0, description="images taking at most this many MiB as uint8 are held in memory and fed by tf.data; "
        "larger sets are read batch by batch from their memory map"
    )
    multi_gpu: bool = Field(
        True, description="with several GPUs, train one replica of the model on each (TensorFlow MirroredStrategy), "
        "each taking batch_size images per step, so a step sees batch_size x GPUs images; false: one device trains"
    )
    timeout_s: int = Field(1800, ge=10, description="time limit of each cell of this step's notebook, in seconds")

    @model_validator(mode="after")
    def _plateau_needs_constant_rate(self) -> TrainParams:
        if self.plateau_patience and self.learning_rate_schedule != "constant":
            raise ValueError("plateau_patience needs learning_rate_schedule: constant (a schedule sets the rate itself)")
        return self

    @field_validator("snapshot_epochs")
    @classmethod
    def _positive_epochs(cls, values: tuple[int, ...]) -> tuple[int, ...]:
        if any(v < 1 for v in values):
            raise ValueError("snapshot epochs count from 1")
        return tuple(sorted(set(values)))


class EncodeParams(_Section):
    """Latent vectors of all images, reconstructions, and post I's random decodes."""

    batch_size: int = Field(512, ge=1, description="images per encoder call")
    n_reconstructions: int = Field(8, ge=1, le=64, description="originals shown beside their reconstructions in post I")
    uniform_b: float = Field(2.0, gt=0, description="b of post I's random vectors, uniform in [-b, b]")
    n_random: int = Field(16, ge=1, le=64, description="uniform random vectors decoded in post I")
    reconstruction_sample: int = Field(
        2000, ge=1, description="images (at most) on which the reconstruction error and the real pixel spread are measured"
    )
    grid_columns: int = Field(8, ge=1, description="columns of the grid of random decodes")
    n_teaser: int = Field(24, ge=1, le=64, description="held-out images whose reconstructions open post I (the teaser)")
    scatter_points: int = Field(5000, ge=10, description="z-points in post I's projection onto the principal directions")
    timeout_s: int = Field(600, ge=10, description="time limit of each cell of this step's notebook, in seconds")


class FormationParams(_Section):
    """Post I: how the latent space forms, measured on the encoder and decoder snapshots of training."""

    sample_size: int = Field(
        5000, ge=10, description="images (a random sample drawn once; all when fewer) encoded with every snapshot "
        "for the latent statistics; the held-out error uses all held-out images"
    )
    thresholds: tuple[float, ...] = Field((0.1, 0.5), min_length=1, description="count pairs with |r| above each")
    variance_share: float = Field(0.9, gt=0, lt=1, description="count the principal directions carrying this share "
                                  "of the latent variance")
    batch_size: int = Field(512, ge=1, description="images per batch when encoding and decoding")
    change_share: float = Field(0.1, gt=0, lt=1, description="a quantity whose last snapshot differs from its first "
                                "by more than this share of its largest value grows or shrinks (else it stays); an "
                                "inner maximum or minimum this far beyond both ends is named as a peak or trough")
    settle_tolerance: float = Field(0.05, gt=0, lt=1, description="a quantity has settled when its values over the "
                                    "last settle_snapshots snapshots lie within this share of the largest of them")
    settle_snapshots: int = Field(3, ge=2, description="how many of the last snapshots the settling is judged on")
    timeout_s: int = Field(600, ge=10, description="time limit of each cell of this step's notebook, in seconds")

    @field_validator("thresholds")
    @classmethod
    def _unit_interval(cls, values: tuple[float, ...]) -> tuple[float, ...]:
        if any(not 0 < v < 1 for v in values):
            raise ValueError("every threshold must lie strictly between 0 and 1")
        return values
class FaceMeasureParams(_Section):
    """Post I, "Is this a face?": feature spaces outside the autoencoder, and their calibration."""

    k: int = Field(5, ge=1, le=50, description="neighbourhood size of the real k-NN balls (Naeem et al.: 5)")
    reference_images: int = Field(
        5000, ge=20, description="training images (never the held-out ones) whose features form the real manifold")
    held_out_images: int = Field(
        500, ge=10, description="validation images (held out of training) scored as the 'real' set, at most")
    network_images: int = Field(
        6000, ge=20, description="training images the trained feature network learns from, at most")
    network_epochs: int = Field(
        12, ge=1, le=500, description="epochs of the trained feature network (the factor network needs >= 12)")
    network_filters: tuple[int, ...] = Field(
        (32, 64, 128), min_length=1, description="stride-2 convolution widths of the trained feature network")
    network_feature_dim: int = Field(64, ge=2, description="width of the trained network's dense layer")
    network_batch_size: int = Field(128, ge=1, description="images per training step of the face network")
    network_learning_rate: float = Field(1e-3, gt=0, le=1, description="Adam's learning rate for the face network")
    random_filters: tuple[int, ...] = Field(
        (32, 64, 128, 128), min_length=1, description="convolution widths of the random (never trained) network")
    blur_sigma: float = Field(
        1.5, gt=0, description="Gaussian blur of the 'blurred' set, in pixels; also the structure judge's largest "
        "training blur")
    judge_images: int = Field(
        4000, ge=8, description="training images the structure judge learns from (as many destroyed copies are made)")
    judge_epochs: int = Field(4, ge=1, le=100, description="epochs of the structure judge")
    judge_filters: tuple[int, ...] = Field(
        (16, 32, 64), min_length=1, description="stride-2 convolution widths of the structure judge")
    judge_threshold: float = Field(
        0.5, gt=0, lt=1, description="presence: an image shows a face (clear or faint) when the structure judge's "
        "probability of real face structure times its colour plausibility reaches this; below it, 'no face'. 0.5 is "
        "where the judge, trained on equal numbers of real and destroyed images, is undecided")
    clarity_threshold: float = Field(
        0.5, gt=0, lt=1, description="clarity: a face that is there is 'clear' when its clarity score (the smaller of "
        "its contrast and detail scores) reaches this, else 'faint'; a score is 0.5 at the real images' "
        "clarity_quantile, so 0.5 means 'at least as clear as all but the least clear real images'")
    clarity_quantile: float = Field(
        0.05, gt=0, lt=0.5, description="the quantile of the reference (training) images' contrast and detail that "
        "scores 0.5; at 0.05 about nine in ten held-out real images (both measures above it) are clear")
    colour_grid: int = Field(
        4, ge=1, le=16, description="colour plausibility: each image is cut into colour_grid x colour_grid cells and "
        "described by their mean CIELAB colours (its colour layout), whose density under a Gaussian mixture fitted "
        "to the reference (training) images' layouts says how usual its colours are; at 4 the cells separate "
        "background, hair, skin and clothes")
    colour_components: int = Field(
        8, ge=1, description="colour plausibility: Gaussian components of the mixture (fewer where the reference set "
        "is small, see colour_points_per_dimension). One Gaussian puts saturated backgrounds of every hue far out; "
        "on the default build 8 components kept as many held-out real faces and let fewer uniform decodes through")
    colour_folds: int = Field(
        5, ge=2, description="colour plausibility: cross-fitting folds; each reference image is scored by a mixture "
        "fitted without its fold, so that the calibration is out of sample")
    colour_points_per_dimension: float = Field(
        3.0, gt=0, description="colour plausibility: each mixture component is fitted on at least this many "
        "reference images per dimension of the layout (3 x colour_grid²); below that the mixture has fewer components")
    colour_quantile: float = Field(
        0.98, gt=0.5, lt=1, description="colour plausibility: the surprisal (minus the log density) of the reference "
        "images' layouts at this quantile (each scored out of sample) scores 0.5; the plausibility, that score over "
        "the median real image's and capped at 1, multiplies the judge's probability, so about 2 % of real images "
        "lose part of their presence to their colours")
    colour_floor: float = Field(
        1.0, gt=0, description="colour plausibility: a CIELAB difference (1 is about one just noticeable difference) "
        "added to the spread of every mixture component, so that a data set whose colours never vary in a channel "
        "(greyscale images) still gives every image a finite density")
    detail_inner_sigma: float = Field(
        0.5, gt=0, description="detail: the luminance band-passed by a difference of Gaussians, this sigma (pixels) "
        "minus detail_outer_sigma; above 0, so that imperceptible pixel noise adds next to nothing")
    detail_outer_sigma: float = Field(
        2.0, gt=0, description="detail: the outer sigma of the band-pass (pixels); at 32 x 32 the band holds eyes, "
        "mouth and the outline of the head")
    clarity_adaptation: float = Field(
        0.25, gt=0, description="clarity is measured on the luminance (0-1) divided by the image's mean luminance plus "
        "this, so a difference counts more in a dark image (Weber's law, softened near black); with the luminance "
        "alone dark faces on dark backgrounds were faint about ten times as often as bright ones, at 0.25 about as "
        "often")
    degradation_blurs: tuple[float, ...] = Field(
        (0.0, 0.5, 1.0, 1.5, 2.0, 3.0), min_length=2, description="Gaussian sigmas (pixels) at which held-out real "
        "images are blurred for the verdict-shares figure")
    degradation_contrasts: tuple[float, ...] = Field(
        (1.0, 0.8, 0.6, 0.4, 0.2, 0.1), min_length=2, description="contrast factors (about each image's mean colour) "
        "at which held-out real images are washed out for the verdict-shares figure")
    n_noise: int = Field(500, ge=10, description="uniform pixel-noise images scored")
    n_uniform: int = Field(500, ge=10, description="decodes of uniform vectors in [-b, b] (post I's b) scored")
    realism_percentile: float = Field(
        50.0, gt=0, le=100, description="real balls above this radius percentile are dropped for realism scores")
    kid_subsets: int = Field(
        20, ge=1, description="subsets averaged for KID (on the default build 20 instead of 100 moved each calibration "
        "KID by under 3 % of the real-to-noise gap)")
    kid_subset_size: int = Field(1000, ge=2, description="points per KID subset (or the smaller set's size)")
    n_examples: int = Field(10, ge=1, le=24, description="example images per calibration set in the figure")
    timeout_s: int = Field(900, ge=10, description="time limit of each cell of this step's notebook, in seconds")

    @model_validator(mode="after")
    def _band_is_a_band(self) -> FaceMeasureParams:
        if self.detail_inner_sigma >= self.detail_outer_sigma:
            raise ValueError(f"analysis.face_measure.detail_inner_sigma {self.detail_inner_sigma} must be below "
                             f"detail_outer_sigma {self.detail_outer_sigma}")
        return self


class DistributionsParams(_Section):
    """Post II: number distributions of the components and radii."""

    bin_width: float = Field(0.25, gt=0, description="histogram bin width (0.25 in the original)")
    half_width_resolution: float = Field(
        0.25, gt=0, description="half widths are measured on bins no wider than this x the median component std"
    )
    dominant_mean_factor: float = Field(
        0.5, gt=0, description="dominant if |mean| >= this x the median half_width of all components"
    )
    dominant_width_factor: float = Field(
        1.5, gt=1, description="dominant if half_width >= this x the median half_width"
    )
    uniform_b: tuple[float, ...] = Field((0.5, 1.0, 1.5, 2.0, 3.0, 4.0), min_length=1, description="half ranges b of the uniform vectors whose lengths are set beside the real ones")
    n_uniform: int = Field(5000, ge=10, description="artificial vectors per b")
    max_dominant_panels: int = Field(20, ge=1, description="dominant components drawn apart, the widest first")
    widest_panels: int = Field(4, ge=1, description="components drawn apart, the widest first, when none is dominant")
    highlight_components: int = Field(10, ge=0, description="dominant components drawn in colour among all histograms")
    radius_bins: int = Field(80, ge=10, description="bins of the vector-length histograms")
    timeout_s: int = Field(600, ge=10, description="time limit of each cell of this step's notebook, in seconds")

    @field_validator("uniform_b")
    @classmethod
    def _positive(cls, values: tuple[float, ...]) -> tuple[float, ...]:
        if any(v <= 0 for v in values):
            raise ValueError("every b must be positive")
        return values


class CorrelationsParams(_Section):
    """Post III: Pearson correlations between components."""

    thresholds: tuple[float, ...] = Field((0.1, 0.2, 0.3, 0.4, 0.5, 0.6), min_length=1, description="|r| thresholds of Table 1's pair counts")
    pair_threshold: float = Field(0.5, gt=0, lt=1, description="list pairs with |r| above this")
    sample_size: int = Field(5000, ge=10, description="the original's sample size, for comparison")
    scatter_points: int = Field(5000, ge=10, description="data points per scatter panel")
    scatter_b: float | None = Field(
        None, gt=0, description="base b of the uniform points in the scatter plots (the red ones use wide_b_factor x this); default: post II's matching b"
    )
    n_scatter_uniform: int = Field(10, ge=0, description="red uniform vectors in each pair-scatter panel")
    max_scatter_pairs: int = Field(16, ge=1, description="at most this many pairs in the pair-scatter grid")
    scatter_fallback_pairs: int = Field(
        4, ge=1, description="without strongly correlated pairs, the scatter shows this many pairs chosen among the "
        "dominant components (at most max_scatter_pairs)"
    )
    heatmap_pairs: int = Field(
        8, ge=1, description="with fewer than two dominant components, the heatmap shows the components of this many "
        "strongest pairs"
    )
    heatmap_fallback_components: int = Field(
        12, ge=2, description="with neither, the heatmap shows the first this many components"
    )
    table_pairs: int = Field(30, ge=1, description="strongly correlated pairs listed in post III's table at most")
    wide_b_factor: float = Field(
        4.0 / 1.5, gt=0, description="the wide uniform b of Figures 2-4 = this x the matching b (the original: b = 4.0 "
        "against its matching b = 1.5)")
    repeat_points: int = Field(500, ge=10, description="data points of the repeated scatter (the original: 500)")
    other_points: int = Field(1000, ge=10, description="data points per panel of the other planes (the original: 1000)")
    n_other_planes: int = Field(4, ge=1, le=16, description="other planes, one per principal direction (stats.planes)")
    plane_candidates: int = Field(8, ge=2, description="components with the largest loadings tried per direction")
    slice_half_width: float | None = Field(
        None, gt=0, description="t of the printed slice filter (2.0 in the original); default: see next")
    slice_half_width_stds: float = Field(
        3.3, gt=0, description="without slice_half_width, t = this x the median component std (the original's 2.0 "
        "is about 3.3 of its typical stds of ~0.6)")
    timeout_s: int = Field(600, ge=10, description="time limit of each cell of this step's notebook, in seconds")

    @field_validator("thresholds")
    @classmethod
    def _in_unit_interval(cls, values: tuple[float, ...]) -> tuple[float, ...]:
        if any(not 0 < v < 1 for v in values):
            raise ValueError("every threshold must lie in (0, 1)")
        return values


class OriginSlicesParams(_Section):
    """Post IV: the surroundings of the origin."""

    slice_half_width: float | None = Field(
        None, gt=0, description="t: all other components in [-t, t] (1.5 in the original); default: see next"
    )
    slice_half_width_stds: float = Field(
        2.5, gt=0,
        description="without slice_half_width, t = this x the median component std; the original's t = 1.5 "
        "is about 2.5 of its typical component stds (~0.6, read from its half widths)",
    )
    sample_size: int = Field(5000, ge=10, description="z-points of the random sample a slice is first counted in")
    uniform_b: float | None = Field(None, gt=0, description="b of the uniform points; default: post II's matching b")
    n_uniform: int = Field(200, ge=1, description="uniform vectors counted in every slice")
    n_overview_uniform: int = Field(10, ge=0, description="uniform vectors shown in the overview projections")
    zoom: float = Field(2.0, gt=0, description="the zoomed projections show +/- this x t around the origin")
    pairs: tuple[Pair, ...] | None = Field(None, description="component pairs; default: chosen from this run")
    n_pairs: int = Field(3, ge=1, le=8, description="slices (planes of two components) counted")
    plane_candidates: int = Field(8, ge=2, description="components with the largest loadings tried per direction")
    n_misleading: int = Field(
        2, ge=0, le=8, description="planes of non-dominant components shown as projections that mislead")
    # The origin's place, which posts I, IV, VI and IX all state: judged by the share of z-points whose
    # Mahalanobis distance from the centre exceeds the origin's.
    origin_border_share: float = Field(
        0.01, gt=0, lt=1, description="fewer z-points than this share farther out: the origin is at the border "
        "of the cloud (none farther out: beyond it)")
    origin_outer_share: float = Field(
        0.2, gt=0, lt=1, description="fewer than this share farther out: inside the cloud, in its outer zone")
    origin_core_share: float = Field(
        0.5, gt=0, lt=1, description="at least this share farther out: the origin lies in the core, nearer the "
        "centre than most z-points; between the outer zone and this, inside the cloud")
    origin_far_sigmas: float = Field(
        3.0, gt=0, description="the origin counts as far out along a principal axis beyond this many standard "
        "deviations of that axis")
    cloud_percentile: float = Field(
        99.0, gt=50, lt=100, description="percentile of the z-points' Mahalanobis distances the posts call the "
        "extent of the cloud")
    timeout_s: int = Field(600, ge=10, description="time limit of each cell of this step's notebook, in seconds")

    @model_validator(mode="after")
    def _origin_shares_ascend(self):
        if not self.origin_border_share < self.origin_outer_share < self.origin_core_share:
            raise ValueError("origin_border_share < origin_outer_share < origin_core_share must hold")
        return self


class StatisticalPointsParams(_Section):
    """Post V: decodes of uniform random vectors."""

    uniform_b: tuple[float, ...] = Field((1.0, 1.5, 2.0), min_length=1, description="half ranges b of the uniform vectors drawn, plus post II's matching b")
    rows: int = Field(3, ge=1, description="rows of each decode grid")
    columns: int = Field(7, ge=1, description="columns of each decode grid")
    n_vectors: int = Field(2000, ge=10, description="vectors per b for the position statistics")
    data_sample: int = Field(5000, ge=10, description="real z-points sampled for their mean Mahalanobis distance")
    reference_images: int = Field(
        2000, ge=1, description="training images searched for each decode's nearest-image distance")
    scored_decodes: int = Field(
        500, ge=1, description="decodes per b judged by the face measure (the grid shows the first of them)")
    adapted_width_stds: float = Field(
        3**0.5, gt=0, description="the adapted generator the post sketches: component j uniform in c_j +/- this x "
        "std_j, centred on the cloud's centre c; sqrt(3) gives each component the real component's std")
    timeout_s: int = Field(600, ge=10, description="time limit of each cell of this step's notebook, in seconds")


class PathsParams(_Section):
    """Post VI: decodes along straight paths through the centre of the cloud."""

    n_points: int = Field(
        7, ge=2, le=32, description="points per path, both ends included (odd: c is the middle point of every path "
        "through it)")
    planes: tuple[Pair, ...] | None = Field(
        None, description="coordinate planes, the first one also rotated; default: the strongest-correlated dominant "
        "pair, then the core and border planes")
    n_planes: int = Field(3, ge=1, le=8, description="planes the path from the origin is projected onto: the "
                          "components whose means lie farthest from 0 in units of their widths, in pairs")
    core_planes: int = Field(
        4, ge=0, le=8, description="core planes: of the planes chosen one per principal direction, those whose path "
        "ends nearest to c (Mahalanobis); the original: 4")
    border_planes: int = Field(
        5, ge=0, le=8, description="border planes: of the same planes, those whose path ends farthest from c "
        "(Mahalanobis); the original: 5")
    plane_candidates: int = Field(8, ge=2, description="components with the largest loadings tried per direction")
    extent: float = Field(
        1.0, gt=0, description="the core/border rule's trial path: centre +/- extent x half_width per component; "
        "planes are ranked by the Mahalanobis distance of its end")
    shell_percentile: float = Field(
        99.0, gt=0, lt=100, description="the cloud's reach along a path's line: this percentile of the real "
        "z-points' distances from c along that line (|u . (z - c)|, u its unit direction)")
    end_factor: float = Field(
        1.5, gt=0, description="every path through c ends at end_factor x the cloud's reach along its line, on both "
        "sides of c (above 1: the path crosses the whole cloud and goes beyond it)")
    principal_paths: int = Field(
        3, ge=0, le=8, description="paths through c along the principal directions PC1, PC2, ... (each drawn in the "
        "plane of its direction and the next)")
    still_change: float = Field(
        0.02, gt=0, lt=1, description="a row whose largest mean absolute pixel difference between two of its "
        "decodes (pixels in [0, 1]) stays below this: its decodes do not change, and its faces are not counted")
    angles: tuple[float, ...] = Field((45.0, 90.0), description="rotations of the first plane's path, degrees")
    scatter_points: int = Field(5000, ge=10, description="real z-points drawn in the projections")
    data_sample: int = Field(5000, ge=10, description="real z-points sampled for their Mahalanobis distances")
    reference_images: int = Field(
        2000, ge=1, description="training images searched for each decode's nearest-image distance")
    timeout_s: int = Field(600, ge=10, description="time limit of each cell of this step's notebook, in seconds")


class IntervalsParams(_Section):
    """Post VII: component values drawn inside per-component intervals."""

    factors: tuple[float, ...] = Field((0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0), min_length=1, description="factors f of the intervals mean +/- f x width, one grid each")
    width: Literal["fwhm", "hwhm"] = Field("fwhm", description="interval is mean +/- f x this width")
    rows: int = Field(3, ge=1, description="rows of each decode grid")
    columns: int = Field(7, ge=1, description="columns of each decode grid")
    n_individuals: int = Field(12, ge=1, description="vectors of all grids, picked evenly by distance from the centre, decoded one by one (the individuals figure)")
    data_sample: int = Field(5000, ge=10, description="real z-points sampled for their distances from the centre")
    reference_images: int = Field(
        2000, ge=1, description="training images searched for each decode's nearest-image distance")
    scored_decodes: int = Field(
        500, ge=1, description="decodes per f judged by the face measure (the grid shows the first of them)")
    timeout_s: int = Field(600, ge=10, description="time limit of each cell of this step's notebook, in seconds")


class MahalanobisParams(_Section):
    """Posts IV-X: how every Mahalanobis distance treats a near-singular covariance (one rule for all posts)."""

    regularisation: Literal["drop", "floor"] = Field(
        "drop", description="covariance eigenvalues below relative_floor x the largest are dropped (a pseudo-"
        "inverse: distances live in the principal subspace of the others) or raised to that floor")
    relative_floor: float = Field(1e-6, gt=0, lt=1, description="threshold as a share of the largest eigenvalue; "
                                  "far above the ~1e-14 that float32 round-off leaves in an empty direction")


class UncertaintyParams(_Section):
    """Every post: how uncertain the numbers a sentence compares are, and how small shares are printed."""

    confidence_level: float = Field(0.95, gt=0.5, lt=1, description="confidence level of every interval the "
                                    "report prints or compares")
    bootstrap_resamples: int = Field(1000, ge=50, description="resamples of every bootstrap interval")
    min_count_for_percent: int = Field(50, ge=1, description="shares of fewer images than this are printed as "
                                       "'n of N', never as a percentage")


class NormalFitParams(_Section):
    """Post VIII: the cloud as a multivariate normal, its ellipses, and Gaussian mixtures."""

    component_test: Literal["dagostino", "shapiro"] = Field(
        "dagostino", description="per-component normality test: D'Agostino-Pearson K^2 or Shapiro-Wilk")
    component_sample: int = Field(5000, ge=20, description="z-points drawn for the per-component tests")
    test_sample: int = Field(2000, ge=20, description="z-points drawn for the multivariate (Henze-Zirkler) test")
    test_dims: int = Field(16, ge=1, description="leading principal coordinates the multivariate test sees")
    alpha: float = Field(0.01, gt=0, lt=1, description="significance level of every normality test")
    n_planes: int = Field(4, ge=1, le=8, description="planes with 1/2/3-sigma ellipses")
    planes: tuple[Pair, ...] | None = Field(None, description="component planes; default: chosen to see distinct "
                                            "principal directions")
    scatter_points: int = Field(5000, ge=10, description="real z-points drawn under the ellipses")
    mixture_k: tuple[int, ...] = Field((1, 2, 3, 4, 5, 6, 7, 8), min_length=1,
                                       description="numbers of mixture components compared by BIC")
    fixed_k: int = Field(10, ge=1, description="mixture components fitted besides, as in RAE (Ghosh et al. 2020)")
    mixture_sample: int = Field(10000, ge=50, description="z-points the mixtures are fitted to")
    mixture_dims: int = Field(16, ge=1, description="leading principal coordinates the mixtures model")
    rows: int = Field(3, ge=1, description="rows of each decode grid")
    columns: int = Field(7, ge=1, description="columns of each decode grid")
    reference_images: int = Field(
        2000, ge=1, description="training images searched for each decode's nearest-image distance")
    timeout_s: int = Field(600, ge=10, description="time limit of each cell of this step's notebook, in seconds")


class PcaParams(_Section):
    """Post IX: the cloud in the frame of its principal axes."""

    shares: tuple[float, ...] = Field((0.9, 0.99), min_length=1, description="variance shares for components_for")
    n_histograms: int = Field(8, ge=1, le=16, description="leading principal coordinates shown as histograms")
    pairs: tuple[Pair, ...] = Field(((0, 1), (0, 2), (1, 2), (2, 3)), min_length=1,
                                    description="pairs of principal axes shown as scatters (0 = the largest)")
    scatter_points: int = Field(5000, ge=10, description="real z-points drawn in the scatters")
    timeout_s: int = Field(600, ge=10, description="time limit of each cell of this step's notebook, in seconds")


class PcaSamplingParams(_Section):
    """Post X: vectors drawn in the principal frame, mapped back and decoded."""

    shells: tuple[tuple[float, float], ...] = Field(
        ((0.0, 0.5), (0.5, 0.9), (0.9, 1.1), (1.1, 1.3)), min_length=1,
        description="Mahalanobis shells [low, high) in units of sqrt(dof), where real z-points lie near 1")
    rows: int = Field(3, ge=1, description="rows of each decode grid")
    columns: int = Field(7, ge=1, description="columns of each decode grid")
    n_vectors: int = Field(1000, ge=10, description="vectors per shell for the position statistics")
    reference_images: int = Field(
        2000, ge=1, description="training images searched for each decode's nearest-image distance")
    timeout_s: int = Field(600, ge=10, description="time limit of each cell of this step's notebook, in seconds")

    @field_validator("shells")
    @classmethod
    def _ordered(cls, shells):
        for low, high in shells:
            if not 0 <= low < high:
                raise ValueError(f"a shell needs 0 <= low < high, got [{low}, {high})")
        return shells


class ScoreboardParams(_Section):
    """The scoreboard: every generator scored on the same face measure."""

    n_decodes: int = Field(500, ge=10, description="decodes scored per generator")
    n_examples: int = Field(6, ge=1, le=12, description="example decodes shown per generator")
    timeout_s: int = Field(900, ge=10, description="time limit of each cell of this step's notebook, in seconds")


class FilamentsParams(_Section):
    """The filaments page (curse of high dimensionality II): filaments and voids, or a normal cloud?"""

    n_points: int = Field(12_000, ge=50, description="z-points analysed (all when fewer); each null sample has as many")
    k: int = Field(10, ge=3, le=100, description="neighbours of the Levina-Bickel estimate (MacKay-Ghahramani averaging)")
    two_nn_discard: float = Field(0.1, ge=0, lt=1, description="TwoNN: largest share of the ratios T2/T1 left out "
                                  "of the fit (Facco et al. 2017: 0.1)")
    scale_steps: int = Field(5, ge=1, le=10, description="intrinsic dimension at n, n/2, n/4, ... (this many sizes); "
                             "the verdict reads the size with the lowest data-to-normal ratio, so the smallest sets "
                             "how much noise around a curve still reads as a curve")
    smallest_scale: int = Field(200, ge=20, description="no subsample for the dimension against scale below this")
    test_points: int = Field(3000, ge=20, description="z-points (and as many normal points) in the two-sample test")
    test_k: int = Field(10, ge=1, le=100, description="neighbours of the k-NN two-sample test (Schilling, Henze)")
    permutations: int = Field(500, ge=19, description="label permutations of the two-sample test's p-value")
    alpha: float = Field(0.01, gt=0, lt=1, description="significance level of the two-sample and KS tests")
    bin_width: float = Field(0.25, gt=0, description="bin width of the per-axis number densities (0.25 in the original)")
    density_axes: int = Field(6, ge=1, le=24, description="axes whose densities are drawn, the widest first")
    tsne_points: int = Field(2000, ge=50, description="z-points (and as many null points) embedded by t-SNE")
    tsne_principal: tuple[int, ...] = Field(
        (2, 4, 10), description="t-SNE also on the first this many principal coordinates (the original: 2, 4, 10)")
    tsne_perplexity: float = Field(30.0, gt=1, description="t-SNE perplexity (openTSNE's default)")
    tsne_exaggeration_iter: int = Field(200, ge=0, description="t-SNE early-exaggeration iterations")
    tsne_iter: int = Field(400, ge=10, description="t-SNE iterations after early exaggeration")
    tsne_min_intervals: int = Field(
        10, ge=2, description="openTSNE FFT: fewest interpolation intervals per side (default 50; 10 is four times "
        "faster at a few thousand points)")
    tsne_ints_in_interval: float = Field(2.0, gt=0, description="openTSNE FFT: plane width per interpolation interval")
    tsne_neighbors: Literal["exact", "annoy"] = Field(
        "annoy", description="openTSNE's nearest-neighbour search: approximate (Annoy), which grows with n log n and "
        "keeps the same affinities, or exact")
    tsne_pca_dims: int = Field(50, ge=2, description="inputs with more components are projected on their first this "
                               "many principal components before the neighbour search (the usual 50)")
    preservation_k: int = Field(10, ge=1, le=100, description="k of the k-NN preservation of each embedding")
    tsne_points_per_cell: float = Field(1.0, gt=0, description="grid over an embedding: about this many points per "
                                        "cell for its empty-cell share")
    planes: tuple[Pair, ...] = Field(((0, 1), (0, 17), (7, 34)), min_length=1, description="principal planes zoomed "
                                     "into (0 = the largest axis; the original's PC1-PC2, PC1-PC18, PC8-PC35)")
    n_windows: int = Field(4, ge=1, le=8, description="square windows per plane, from the cloud's width down")
    largest_window_sds: float = Field(3.0, gt=0, description="the largest window's half-width in sds of the plane's "
                                      "first axis")
    original_half_width: float = Field(0.25, gt=0, description="the original's smallest window: +-0.25")
    original_component_sd: float = Field(
        0.85, gt=0, description="the original's typical component sd (a width of about 2 at half maximum); its "
        "+-0.25 is scaled by this run's median component sd over this")
    points_per_cell: float = Field(2.0, gt=0, description="quadrat grid of a window: about this many points per cell")
    max_cells_per_side: int = Field(40, ge=2, description="quadrat grid: at most this many cells per side")
    min_window_points: int = Field(20, ge=3, description="windows with fewer points are not tested")
    scatter_points: int = Field(20_000, ge=100, description="points drawn per zoomed scatter panel, at most")
    ripley_envelope_samples: int = Field(99, ge=19, description="samples of the fitted normal, projected on the plane "
                                         "and cut to the same window, whose Ripley L(r) - r give the pointwise envelope")
    ripley_max_points: int = Field(1000, ge=20, description="Ripley's L of a window with more points is measured on "
                                   "this many drawn at random (independent thinning leaves L unchanged)")
    ripley_radii: int = Field(24, ge=2, description="radii r at which Ripley's L is measured, evenly up to the largest")
    ripley_max_radius: float = Field(0.125, gt=0, le=0.25, description="largest r of Ripley's L as a share of the "
                                     "window's side (a quarter is the usual bound; filaments show at short range)")
    filament_max_dimension: float = Field(1.5, gt=0, description="verdict: 'filaments' at a local dimension up to this")
    thin_max_dimension: float = Field(8.0, gt=0, description="verdict: 'thin-manifold' at a local dimension up to "
                                      "this ('a few') ...")
    thin_max_ratio: float = Field(0.75, gt=0, le=1, description="... and at most this share of the normal sample's, "
                                  "their intervals apart (a 3-D manifold spanning 7 linear dimensions gives about 0.5)")
    clark_evans_margin: float = Field(0.05, ge=0, description="a window's Clark-Evans ratio this much below the "
                                      "normal sample's counts as more clustered")
    scale_flat: float = Field(0.1, ge=0, description="the dimension changing by less than this share from the "
                              "smallest subsample to all points counts as flat")
    n_decodes: int = Field(200, ge=4, description="decodes per set (real, normal null, permuted null) scored as faces")
    n_examples: int = Field(8, ge=1, le=16, description="decodes shown per set")
    timeout_s: int = Field(900, ge=10, description="time limit of each cell of this step's notebook, in seconds")

    @model_validator(mode="after")
    def _permutations_can_reach_alpha(self) -> FilamentsParams:
        if 1 / (self.permutations + 1) >= self.alpha:
            raise ValueError(f"analysis.filaments.permutations: {self.permutations} permutations cannot give a p-value "
                             f"below alpha {self.alpha}; use at least {math.ceil(1 / self.alpha)}")
        return self

    @field_validator("tsne_principal")
    @classmethod
    def _positive_counts(cls, values: tuple[int, ...]) -> tuple[int, ...]:
        if any(v < 2 for v in values):
            raise ValueError("t-SNE needs at least 2 principal coordinates")
        return values


class AnalysisParams(_Section):
    """One section per pipeline step, and the rules several steps share."""

    mahalanobis: MahalanobisParams = Field(MahalanobisParams(), description="how every Mahalanobis distance treats a near-singular covariance (posts IV-X)")
    uncertainty: UncertaintyParams = Field(UncertaintyParams(), description="confidence level, bootstrap resamples and the printing of small shares (every post)")
    encode: EncodeParams = Field(EncodeParams(), description="post I: latent vectors of all images, reconstructions, random decodes")
    formation: FormationParams = Field(FormationParams(), description="post I: how the latent cloud forms over the training snapshots")
    face_measure: FaceMeasureParams = Field(FaceMeasureParams(), description="post I: the measure that says whether a decode is a face, and its calibration")
    distributions: DistributionsParams = Field(DistributionsParams(), description="post II: number distributions of the latent components")
    correlations: CorrelationsParams = Field(CorrelationsParams(), description="post III: Pearson correlations between components")
    origin_slices: OriginSlicesParams = Field(OriginSlicesParams(), description="post IV: the surroundings of the origin, slices through it")
    statistical_points: StatisticalPointsParams = Field(StatisticalPointsParams(), description="post V: decodes of uniform random vectors")
    paths: PathsParams = Field(PathsParams(), description="post VI: decodes along straight paths through the centre")
    intervals: IntervalsParams = Field(IntervalsParams(), description="post VII: component values drawn inside per-component intervals")
    normal_fit: NormalFitParams = Field(NormalFitParams(), description="post VIII: the cloud as a multivariate normal, its ellipses, Gaussian mixtures")
    pca: PcaParams = Field(PcaParams(), description="post IX: the cloud in its principal axes")
    pca_sampling: PcaSamplingParams = Field(PcaSamplingParams(), description="post X: latent vectors drawn in the principal frame")
    scoreboard: ScoreboardParams = Field(ScoreboardParams(), description="the scoreboard: every generator's decodes judged by the face measure")
    filaments: FilamentsParams = Field(FilamentsParams(), description="the filaments page: is the cloud filamentary or like a normal distribution")


class Params(_Section):
    """A whole parameter file."""

    variant: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$", description="names build/<variant>/")
    description: str = Field("", description="one line shown on the index page")
    seed: int = Field(0, ge=0, lt=2**32, description="every random choice of the run derives from this number (per step: a seed spawned from it and the step's name)")
    data: DataParams = Field(DataParams(), description="where the images (or latent vectors) come from")
    model: ModelParams = Field(ModelParams(), description="the convolutional autoencoder's architecture")
    train: TrainParams = Field(TrainParams(), description="how the autoencoder is trained")
    analysis: AnalysisParams = Field(AnalysisParams(), description="one section per analysis step, and the rules several steps share")

    @model_validator(mode="after")
    def _image_fits_model(self) -> Params:
        if self.data.source == "zpoints" or self.model.loaded:  # a loaded encoder is checked against its file
            return self
        reduction = math.prod(self.model.encoder_strides)
        if self.data.image_size % reduction:
            raise ValueError(
                f"data.image_size {self.data.image_size} is not divisible by the encoder's total stride {reduction}"
            )
        return self

    @model_validator(mode="after")
    def _model_files_need_images(self) -> Params:
        if self.model.loaded and self.data.source == "zpoints":
            raise ValueError("model.encoder_path: a loaded autoencoder needs images, not data.source 'zpoints'")
        return self

    @model_validator(mode="after")
    def _sizes_fit_a_machine(self) -> Params:
        from report.resources import check_sizes  # estimates of disk and memory, refused before a run

        check_sizes(self.data, self.model, self.train)
        return self


def _format_error(path: Path, error: dict) -> str:
    key = ".".join(str(part) for part in error["loc"]) or "(top level)"
    message = error["msg"].removeprefix("Value error, ")
    if error["type"] == "extra_forbidden":
        message = "unknown key"
    elif error["type"] == "missing":
        message = "required key is missing"
    elif error["type"] == "string_pattern_mismatch" and key == "variant":
        message = (f"{error['input']!r} cannot name a build folder: use ASCII letters, digits, '.', '_' and '-', "
                   "starting with a letter or digit")
    elif "input" in error and not isinstance(error["input"], dict):
        message = f"{message}, got {error['input']!r}"
    if message.split(" ", 1)[0].count(".") and error["type"] == "value_error":
        return f"{path}: {message}"  # the validator's message already names the key
    return f"{path}: {key}: {message}"


def parse_params(raw: object, path: Path | str = "<parameters>") -> Params:
    """Validate a dict read from YAML; raise ParameterError naming the file and the first bad key."""
    path = Path(path)
    if not isinstance(raw, dict):
        raise ParameterError(f"{path}: expected a mapping of keys at the top level")
    try:
        return Params.model_validate(raw)
    except ValidationError as err:
        raise ParameterError(_format_error(path, err.errors()[0])) from None


class _DuplicateKey(yaml.YAMLError):
    pass


class _UniqueKeyLoader(yaml.SafeLoader):
    """SafeLoader that refuses a key given twice in one mapping (plain YAML keeps the last silently)."""

    def construct_mapping(self, node, deep=False):
        seen = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if isinstance(key, str | int | float | bool) and key in seen:
                raise _DuplicateKey(f"key '{key}' is given twice (lines {seen[key] + 1} and {key_node.start_mark.line + 1})")
            seen[key] = key_node.start_mark.line
        return super().construct_mapping(node, deep=deep)


def read_yaml(path: Path | str, what: str = "parameter file") -> object:
    """The YAML document of a file, or ParameterError naming the file (missing, unreadable, empty, bad YAML)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ParameterError(f"{path}: no such {what}") from None
    except OSError as err:
        raise ParameterError(f"{path}: cannot read: {err.strerror}") from None
    except UnicodeDecodeError:
        raise ParameterError(f"{path}: not a UTF-8 text file") from None
    text = text.removeprefix("\ufeff")  # a byte-order mark from some editors
    if not text.strip() or all(not line.strip() or line.lstrip().startswith("#") for line in text.splitlines()):
        needs = "a variant" if what == "parameter file" else "a sweep name, a base and vary"
        raise ParameterError(f"{path}: the {what} is empty (it needs at least {needs})")
    try:
        return yaml.load(text, Loader=_UniqueKeyLoader)
    except _DuplicateKey as err:
        raise ParameterError(f"{path}: {err}") from None
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark else ""
        raise ParameterError(f"{path}: not valid YAML{where}") from None


def load_params(path: Path | str) -> Params:
    """Read and validate one parameter file."""
    return parse_params(read_yaml(path), path)


def to_jsonable(model: BaseModel) -> dict:
    """JSON-native dict of a parameter section (tuples become lists)."""
    return model.model_dump(mode="json")


def section_annotation(path: str):
    """The type of the parameter at a dotted path, e.g. "analysis.distributions" or "data.image_size"."""
    model = Params
    for part in path.split("."):
        fields = getattr(model, "model_fields", {})
        if part not in fields:
            raise ParameterError(f"no parameter section '{path}'")
        model = fields[part].annotation
    return model


def section_value(path: str, value):
    """A JSON value of the parameter at `path`, validated into its typed form."""
    from pydantic import TypeAdapter

    try:
        return TypeAdapter(section_annotation(path)).validate_python(value)
    except ValidationError as err:
        raise ParameterError(f"{path}: {err.errors()[0]['msg']}") from None


def value_at(params: Params, path: str):
    """The parameter at a dotted path of a validated parameter file."""
    value = params
    for part in path.split("."):
        value = getattr(value, part)
    return value


SweepValue = bool | int | float | str

# Key statistics the study page draws against each varied parameter (every other one is in its table).
STUDY_FIGURE_STATS = (
    "encode.heldout_psnr",
    "distributions.n_dominant",
    "distributions.radius.mean",
    "correlations.pairs_above.0.5",
    "origin_slices.origin.mahalanobis.share_farther",
    "face_measure.uniform.face_share",
    "pca.components_for.0.9",
    "normal_fit.mahalanobis.mean",
)


class SweepFile(_Section):
    """A sweep file: a base parameter file and lists of values for some of its keys; variants are their product."""

    sweep: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$", description="names build/<sweep>/")
    description: str = Field("", description="one line shown on the study page")
    base: str = Field(description="the base parameter file, relative to the sweep file")
    vary: dict[str, list[SweepValue]] = Field(
        min_length=1, description="dotted parameter keys, each with its list of values")
    only: str | None = Field(None, description="build only this step and the steps it needs (as `build --only`)")
    workers: int = Field(2, ge=1, le=256, description="worker processes of the local Dask cluster, one thread each")
    no_worker_timeout_s: float = Field(
        300, gt=0, description="stop with one line when the cluster has had no worker for this long (all lost)")
    figure_stats: tuple[str, ...] = Field(
        STUDY_FIGURE_STATS, description="key statistics drawn against each varied parameter on the study page")

    @field_validator("vary")
    @classmethod
    def _lists_of_distinct_values(cls, vary: dict[str, list]) -> dict[str, list]:
        for key, values in vary.items():
            if key == "variant":
                raise ValueError("vary.variant: the variant's name is derived from its values, it cannot be varied")
            if not values:
                raise ValueError(f"vary.{key}: give at least one value")
            if len({repr(v) for v in values}) != len(values):
                raise ValueError(f"vary.{key}: a value is given twice")
        return vary


def parse_sweep(raw: object, path: Path | str = "<sweep>") -> SweepFile:
    """Validate a sweep file read from YAML; raise ParameterError naming the file and the first bad key."""
    path = Path(path)
    if not isinstance(raw, dict):
        raise ParameterError(f"{path}: expected a mapping of keys at the top level")
    try:
        return SweepFile.model_validate(raw)
    except ValidationError as err:
        raise ParameterError(_format_error(path, err.errors()[0])) from None

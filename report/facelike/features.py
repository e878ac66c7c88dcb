"""Feature spaces for face-likeness that do not depend on the autoencoder under study.

Two kinds, both fixed by a seed:

- a randomly initialised, never trained convolutional network (`random_network`); random features
  rank generative models about as well as trained ones (Lee, Kim, Lee, "Can we use random
  features to evaluate generative models?", AAAI 2023, arXiv 2208.09218);
- a small network trained on the real images for another task (`train_factor_network`: regress
  the synthetic source's generating factors; `train_rotation_network`: predict which of four
  rotations was applied, so any image folder works), read at its penultimate layer or at its
  last convolution, globally pooled (the default of `trained_space`, which rejects noise).

`FeatureSpace` holds an extractor with the mean and standard deviation of the real reference
features, so every feature is standardised by real statistics before any distance is taken.

Images are uint8 arrays (n, s, s, 3); every network rescales them to [-1, 1] itself, and they
become float32 one batch at a time.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from report.devices import enable_memory_growth

enable_memory_growth()  # before Keras' TensorFlow initialises the GPUs

import keras  # noqa: E402  (after the GPUs are set to grow their memory)
import numpy as np  # noqa: E402

log = logging.getLogger(__name__)

RANDOM_FILTERS = (32, 64, 128, 128)  # widths of the random network; features = the last width
TRAINED_FILTERS = (32, 64, 128)  # widths of the trained networks' stride-2 convolutions
FEATURE_DIM = 64  # width of the trained networks' penultimate (feature) layer
BATCH_SIZE = 256  # images per batch when extracting features
TRAIN_BATCH_SIZE = 128  # images per training step
LEARNING_RATE = 1e-3  # Adam's step size for the trained networks
FEATURE_LAYERS = ("penultimate", "pooled")  # layers a trained network can be read at
TRAINED_LAYER = "pooled"  # trained_space's default layer (see trained_space)
MIN_STD = 1e-8  # feature columns with a smaller real std (dead units) are left unscaled

Extractor = Callable[[np.ndarray], np.ndarray]


def _check_images(images: np.ndarray) -> np.ndarray:
    images = np.asarray(images)
    if images.ndim != 4 or images.shape[-1] != 3 or images.shape[1] != images.shape[2] or images.shape[1] < 16:
        raise ValueError(f"expected RGB images (n, s, s, 3) with s >= 16, got shape {images.shape}")
    return images


def _layer_seeds(seed: int, n_layers: int) -> list[int]:
    # One independent seed per layer: a Keras initialiser reused with one seed repeats its values.
    return [int(s) for s in np.random.SeedSequence(seed).generate_state(n_layers)]


def _rescale() -> keras.layers.Layer:
    return keras.layers.Rescaling(1.0 / 127.5, offset=-1.0, name="to_unit_range")


def extract_features(model: keras.Model, images: np.ndarray, *, batch_size: int = BATCH_SIZE) -> np.ndarray:
    """Run a feature network over uint8 images in batches.

    Args:
        model: Maps float32 pixel values in [0, 255] (n, s, s, 3) to (n, n_features).
        images: uint8 ndarray or memory map (n, s, s, 3).
        batch_size: Images per batch (default 256).

    Returns:
        float32 ndarray (n, n_features).
    """
    images = _check_images(images)
    parts = []
    for start in range(0, len(images), batch_size):
        batch = images[start : start + batch_size].astype(np.float32)
        n_rows = len(batch)
        if n_rows < batch_size < len(images):
            # Pad the last batch: one batch shape means one traced graph (no retracing warning).
            batch = np.concatenate([batch, np.zeros((batch_size - n_rows, *batch.shape[1:]), np.float32)])
        parts.append(np.asarray(model.predict_on_batch(batch), dtype=np.float32)[:n_rows])
    return np.concatenate(parts)


def random_network(seed: int, *, filters: Sequence[int] = RANDOM_FILTERS) -> keras.Model:
    """A randomly initialised convolutional feature network, the same for the same seed.

    Each width gets a 3x3 ReLU convolution (He-normal weights, zero biases) followed, except after
    the last, by 2x2 max pooling; global average pooling gives one feature per last filter. Max,
    not average, pooling: averaging is a low-pass filter that turns pixel noise into flat grey,
    and on 16x16 synthetic faces (400 reference images) 38 % of uniform-noise images then fell
    inside the real k-NN manifold; with max pooling none did.
    The input side is free, so one network serves any image size >= 16. Random features evaluate
    generative models about as well as trained ones (Lee, Kim, Lee, AAAI 2023, arXiv 2208.09218).

    Args:
        seed: Fixes every weight; the network is never trained.
        filters: Widths of the convolutions (default (32, 64, 128, 128)).
    """
    seeds = _layer_seeds(seed, len(filters))
    images = keras.Input(shape=(None, None, 3), name="image")
    x = _rescale()(images)
    for i, (width, layer_seed) in enumerate(zip(filters, seeds, strict=True), start=1):
        x = keras.layers.Conv2D(
            width,
            3,
            padding="same",
            activation="relu",
            kernel_initializer=keras.initializers.HeNormal(seed=layer_seed),
            bias_initializer="zeros",
            name=f"random_conv_{i}",
        )(x)
        if i < len(filters):
            x = keras.layers.MaxPooling2D(2, name=f"random_pool_{i}")(x)
    features = keras.layers.GlobalAveragePooling2D(name="features")(x)
    return keras.Model(images, features, name=f"random_features_{seed}")


def random_features(
    images: np.ndarray, seed: int, *, filters: Sequence[int] = RANDOM_FILTERS, batch_size: int = BATCH_SIZE
) -> np.ndarray:
    """Features of uint8 images (n, s, s, 3) in the random network of `seed`: float32 (n, filters[-1]).

    Lee, Kim, Lee, AAAI 2023, arXiv 2208.09218: random features evaluate generative models about
    as well as trained ones. See `random_network` for the architecture.
    """
    return extract_features(random_network(seed, filters=filters), images, batch_size=batch_size)


@dataclass
class TrainedNetwork:
    """A network trained on real images for another task, read at its penultimate layer.

    Attributes:
        extractor: keras.Model from uint8-valued images (n, s, s, 3) to the penultimate layer's
            features (n, feature_dim).
        pooled: keras.Model from the same images to the last convolution, globally average
            pooled (n, filters[-1]); see `trained_space` for why it is the default space.
        model: The whole network, extractor plus the task's head (for checking what it learnt).
        history: Per-epoch training metrics, e.g. {"loss": [...], "accuracy": [...]}.
    """

    extractor: keras.Model
    pooled: keras.Model
    model: keras.Model
    history: dict[str, list[float]] = field(default_factory=dict)

    def features(self, images: np.ndarray, *, layer: str = "penultimate", batch_size: int = BATCH_SIZE) -> np.ndarray:
        """Features of uint8 images, float32: layer "penultimate" (n, feature_dim) or "pooled" (n, filters[-1])."""
        if layer not in FEATURE_LAYERS:
            raise ValueError(f"layer: expected one of {FEATURE_LAYERS}, got {layer!r}")
        model = self.extractor if layer == "penultimate" else self.pooled
        return extract_features(model, images, batch_size=batch_size)


def _task_network(
    image_size: int, n_outputs: int, head_activation: str | None, seed: int, filters: Sequence[int], feature_dim: int
) -> tuple[keras.Model, keras.Model, keras.Model]:
    # Flatten, not global pooling: both tasks (pose factors, rotation) depend on where things are.
    seeds = _layer_seeds(seed, len(filters) + 2)
    images = keras.Input(shape=(image_size, image_size, 3), name="image")
    x = _rescale()(images)
    for i, width in enumerate(filters, start=1):
        x = keras.layers.Conv2D(
            width,
            3,
            strides=2,
            padding="same",
            activation="relu",
            kernel_initializer=keras.initializers.HeNormal(seed=seeds[i - 1]),
            name=f"conv_{i}",
        )(x)
    pooled = keras.layers.GlobalAveragePooling2D(name="pooled")(x)  # read-out only, not trained on
    x = keras.layers.Flatten(name="flatten")(x)
    features = keras.layers.Dense(
        feature_dim, activation="relu", kernel_initializer=keras.initializers.HeNormal(seed=seeds[-2]), name="features"
    )(x)
    outputs = keras.layers.Dense(
        n_outputs,
        activation=head_activation,
        kernel_initializer=keras.initializers.GlorotUniform(seed=seeds[-1]),
        name="head",
    )(features)
    return (
        keras.Model(images, features, name="feature_extractor"),
        keras.Model(images, pooled, name="pooled_extractor"),
        keras.Model(images, outputs, name="task_network"),
    )


def _fit(
    model: keras.Model,
    images: np.ndarray,
    targets: np.ndarray,
    *,
    seed: int,
    epochs: int,
    batch_size: int,
    learning_rate: float,
    loss: str,
    metrics: list[str],
) -> dict[str, list[float]]:
    # Seeds the shuffling of batches; the weights are already fixed by their initialisers' seeds.
    keras.utils.set_random_seed(seed)
    model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss=loss, metrics=metrics)
    fitted = model.fit(
        images.astype(np.float32), targets, epochs=epochs, batch_size=batch_size, shuffle=True, verbose=0
    )
    history = {name: [float(v) for v in values] for name, values in fitted.history.items()}
    log.info("trained %s for %d epochs: %s", model.name, epochs, {k: v[-1] for k, v in history.items()})
    return history


def factor_targets(factors: dict[str, np.ndarray]) -> np.ndarray:
    """Stack a factor table {name: (n,)} into float32 targets (n, k), each column standardised.

    Columns are standardised so that every factor weighs alike in the squared error; constant
    columns are dropped, as nothing can be learnt from them.
    """
    columns = np.stack([np.asarray(values, dtype=np.float64) for values in factors.values()], axis=1)
    std = columns.std(axis=0)
    varying = std > 0
    return ((columns[:, varying] - columns[:, varying].mean(axis=0)) / std[varying]).astype(np.float32)


def train_factor_network(
    images: np.ndarray,
    targets: np.ndarray,
    seed: int,
    epochs: int,
    *,
    filters: Sequence[int] = TRAINED_FILTERS,
    feature_dim: int = FEATURE_DIM,
    batch_size: int = TRAIN_BATCH_SIZE,
    learning_rate: float = LEARNING_RATE,
) -> TrainedNetwork:
    """Train a small CNN to regress per-image targets (e.g. generating factors); keep its features.

    Stride-2 3x3 ReLU convolutions, a ReLU Dense layer of feature_dim units (the features) and a
    linear head, trained with Adam on the mean squared error. Pass standardised targets (see
    `factor_targets`) so no factor dominates the loss.

    Args:
        images: uint8 ndarray (n, s, s, 3), the real training images.
        targets: float ndarray (n, k), one row of targets per image.
        seed: Fixes initial weights and batch order.
        epochs: Passes over the images.
        filters: Convolution widths (default (32, 64, 128)).
        feature_dim: Width of the feature layer (default 64).
        batch_size: Images per step (default 128).
        learning_rate: Adam's step size (default 1e-3).
    """
    images = _check_images(images)
    targets = np.asarray(targets, dtype=np.float32).reshape(len(images), -1)
    extractor, pooled, model = _task_network(images.shape[1], targets.shape[1], None, seed, filters, feature_dim)
    history = _fit(
        model,
        images,
        targets,
        seed=seed,
        epochs=epochs,
        batch_size=batch_size,
        learning_rate=learning_rate,
        loss="mean_squared_error",
        metrics=[],
    )
    return TrainedNetwork(extractor, pooled, model, history)


def rotation_targets(images: np.ndarray, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Rotate each image by a random multiple of 90 degrees, for self-supervised training.

    Args:
        images: uint8 ndarray (n, s, s, 3).
        seed: Seeds the numpy Generator that draws the rotations.

    Returns:
        (rotated images (n, s, s, 3), labels (n,) in {0, 1, 2, 3}: quarter turns anticlockwise).
    """
    images = _check_images(images)
    labels = np.random.default_rng(seed).integers(0, 4, size=len(images))
    rotated = np.empty_like(images)
    for quarter in range(4):
        chosen = labels == quarter
        rotated[chosen] = np.rot90(images[chosen], k=quarter, axes=(1, 2))
    return rotated, labels


def train_rotation_network(
    images: np.ndarray,
    seed: int,
    epochs: int,
    *,
    filters: Sequence[int] = TRAINED_FILTERS,
    feature_dim: int = FEATURE_DIM,
    batch_size: int = TRAIN_BATCH_SIZE,
    learning_rate: float = LEARNING_RATE,
) -> TrainedNetwork:
    """Train the small CNN to tell which of 0/90/180/270 degree rotations was applied; keep its features.

    The fallback for image sources without generating factors: the task needs no labels, yet
    telling up from down makes the network learn where faces keep their parts (Gidaris, Singh,
    Komodakis, ICLR 2018, arXiv 1803.07728). Same trunk as `train_factor_network`, softmax head.

    Args:
        images: uint8 ndarray (n, s, s, 3), the real training images (upright).
        seed: Fixes rotations, initial weights and batch order.
        epochs: Passes over the images, each image rotated once.
        filters, feature_dim, batch_size, learning_rate: As for `train_factor_network`.
    """
    rotated, labels = rotation_targets(images, seed)
    extractor, pooled, model = _task_network(rotated.shape[1], 4, "softmax", seed, filters, feature_dim)
    history = _fit(
        model,
        rotated,
        labels,
        seed=seed,
        epochs=epochs,
        batch_size=batch_size,
        learning_rate=learning_rate,
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    return TrainedNetwork(extractor, pooled, model, history)


@dataclass
class FeatureSpace:
    """An extractor plus the real reference set's feature mean and std, for standardised features.

    Build it with `FeatureSpace.fit`; `features(images)` then gives (f - mean_) / std_, so every
    feature has unit variance on real images and distances do not favour wide units.

    Attributes:
        name: Label of the space, e.g. "random" or "factors".
        extractor: Maps uint8 images (n, s, s, 3) to raw float features (n, n_features).
        mean_, std_: float32 (n_features,), fitted on the reference images; a dead unit's std is 1.
    """

    name: str
    extractor: Extractor
    mean_: np.ndarray
    std_: np.ndarray

    @classmethod
    def fit(cls, name: str, extractor: Extractor, reference_images: np.ndarray) -> FeatureSpace:
        """Fit mean and std on the real reference images (e.g. the training images)."""
        raw = np.asarray(extractor(reference_images), dtype=np.float64)
        std = raw.std(axis=0)
        std = np.where(std > MIN_STD, std, 1.0)  # a dead unit stays 0 on real images; don't blow it up
        return cls(name, extractor, raw.mean(axis=0).astype(np.float32), std.astype(np.float32))

    def features(self, images: np.ndarray) -> np.ndarray:
        """Standardised features, float32 (n, n_features)."""
        return ((np.asarray(self.extractor(images), dtype=np.float32) - self.mean_) / self.std_).astype(np.float32)


def random_space(
    reference_images: np.ndarray,
    seed: int,
    *,
    filters: Sequence[int] = RANDOM_FILTERS,
    batch_size: int = BATCH_SIZE,
) -> FeatureSpace:
    """The random network of `seed` as a FeatureSpace standardised on the reference images."""
    network = random_network(seed, filters=filters)
    return FeatureSpace.fit(
        "random", lambda images: extract_features(network, images, batch_size=batch_size), reference_images
    )


def trained_space(
    name: str, network: TrainedNetwork, reference_images: np.ndarray, *, layer: str = TRAINED_LAYER
) -> FeatureSpace:
    """A trained network's features as a FeatureSpace standardised on the reference images.

    The default layer is "pooled" (last convolution, globally averaged), not "penultimate": a
    factor regressor maps pixel noise to middling factors, hence into the middle of the real
    manifold. Measured on 32x32 synthetic faces (10,000 reference images, factor network 12
    epochs): 93 % of uniform-noise images fell inside the real k-NN manifold of the penultimate
    layer, none in the pooled layer.
    """
    return FeatureSpace.fit(name, lambda images: network.features(images, layer=layer), reference_images)

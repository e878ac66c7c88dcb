"""The plain convolutional autoencoder of the blog series (post I) and the code that trains and runs it.

The encoder is a Conv2D ladder ending in a linear Dense layer named "z" (the latent vector); the
decoder mirrors it with Dense, Reshape and a Conv2DTranspose ladder ending in a sigmoid image. This
is the only module of `report` that imports Keras or TensorFlow: everything else passes NumPy arrays.

Images travel as uint8 arrays or memory maps of shape (n, s, s, 3) and become float32 in [0, 1]
one batch at a time, so a CelebA-sized set (170,000 x 96 x 96 x 3) never sits in memory as floats (a set
of at most train.in_memory_mib is held in memory as uint8 while it trains).
"""

from __future__ import annotations

import logging
import math
import os
import time
from collections.abc import Sequence
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf

from report.errors import DataError, ParameterError
from report.params import ModelParams, TrainParams

log = logging.getLogger(__name__)


def _activation(name: str, layer_name: str) -> keras.layers.Layer:
    # Keras 3's "leaky_relu" has negative_slope 0.2; an Activation layer keeps the model
    # serialisable by name alone.
    return keras.layers.Activation(name, name=layer_name)


def build_autoencoder(
    model: ModelParams, image_size: int, *, seed: int | None = None
) -> tuple[keras.Model, keras.Model, keras.Model]:
    """Build encoder, decoder and the autoencoder that chains them.

    Args:
        model: The model section of a parameter file.
        image_size: Side s of the square RGB input images.
        seed: If given, `keras.utils.set_random_seed(seed)` runs first so the initial weights
            (and hence a whole training run) repeat exactly.

    Returns:
        (encoder, decoder, autoencoder): encoder maps (n, s, s, 3) floats in [0, 1] to (n, z_dim);
        decoder maps (n, z_dim) to (n, s, s, 3) in [0, 1]; autoencoder maps images to images.

    Raises:
        ParameterError: the decoder ladder does not give back s x s images.
    """
    if seed is not None:
        keras.utils.set_random_seed(seed)

    # "same" convolutions give ceil(side / stride); the transposed ones give side * stride.
    side = image_size
    for stride in model.encoder_strides:
        side = math.ceil(side / stride)
    out_side = side * math.prod(model.decoder_strides)
    if out_side != image_size:
        reduction = math.prod(model.encoder_strides)
        key = "data.image_size" if image_size % reduction else "model.decoder_strides"
        raise ParameterError(
            f"{key}: the encoder reduces {image_size}x{image_size} images to {side}x{side} and the decoder "
            f"ladder {list(model.decoder_strides)} makes {out_side}x{out_side} of them, not {image_size}x{image_size}"
        )

    images = keras.Input(shape=(image_size, image_size, 3), name="image")
    x = images
    ladder = zip(model.encoder_filters, model.encoder_kernel_sizes, model.encoder_strides, strict=True)
    for i, (filters, kernel, stride) in enumerate(ladder, start=1):
        x = keras.layers.Conv2D(filters, kernel, strides=stride, padding="same", name=f"conv_{i}")(x)
        if model.batch_norm:
            x = keras.layers.BatchNormalization(name=f"conv_{i}_bn")(x)
        x = _activation(model.activation, f"conv_{i}_{model.activation}")(x)
    conv_shape = tuple(x.shape[1:])
    x = keras.layers.Flatten(name="flatten")(x)
    z = keras.layers.Dense(model.z_dim, name="z")(x)
    encoder = keras.Model(images, z, name="encoder")

    z_in = keras.Input(shape=(model.z_dim,), name="z_in")
    y = keras.layers.Dense(math.prod(conv_shape), name="dense")(z_in)
    y = _activation(model.activation, f"dense_{model.activation}")(y)
    y = keras.layers.Reshape(conv_shape, name="reshape")(y)
    ladder = zip(model.decoder_filters, model.decoder_kernel_sizes, model.decoder_strides, strict=True)
    for i, (filters, kernel, stride) in enumerate(ladder, start=1):
        y = keras.layers.Conv2DTranspose(filters, kernel, strides=stride, padding="same", name=f"deconv_{i}")(y)
        if model.batch_norm:
            y = keras.layers.BatchNormalization(name=f"deconv_{i}_bn")(y)
        y = _activation(model.activation, f"deconv_{i}_{model.activation}")(y)
    pixels = keras.layers.Conv2DTranspose(3, 3, strides=1, padding="same", activation="sigmoid", name="pixels")(y)
    decoder = keras.Model(z_in, pixels, name="decoder")

    if tuple(decoder.output.shape[1:]) != (image_size, image_size, 3):  # the arithmetic above is the contract
        raise ParameterError(
            f"model.decoder_strides: the decoder makes {tuple(decoder.output.shape[1:])} images, "
            f"not {(image_size, image_size, 3)}"
        )
    autoencoder = keras.Model(images, decoder(encoder(images)), name="autoencoder")
    return encoder, decoder, autoencoder


def layer_table(model: keras.Model) -> list[dict]:
    """One JSON-native row per layer, then a row named "total".

    Rows are {"name", "type", "output_shape", "params"}; output_shape is a string such as
    "(None, 16, 16, 32)" and params an int. The total row has type and output_shape "".
    """
    rows = []
    for layer in model.layers:
        shape = layer.output.shape
        rows.append(
            {
                "name": layer.name,
                "type": type(layer).__name__,
                "output_shape": str(tuple(None if d is None else int(d) for d in shape)),
                "params": int(layer.count_params()),
            }
        )
    rows.append({"name": "total", "type": "", "output_shape": "", "params": int(model.count_params())})
    return rows


def device_description() -> dict:
    """What TensorFlow trains on: {"device": "GPU" or "CPU", "name", "count", "cpu_cores"}.

    count is the number of GPUs TensorFlow sees, or of CPU devices (normally 1) when it sees none;
    cpu_cores is os.cpu_count().
    """
    gpus = tf.config.list_physical_devices("GPU")
    if gpus:
        names = []
        for gpu in gpus:
            try:
                details = tf.config.experimental.get_device_details(gpu)
            except (ValueError, RuntimeError):  # details are best effort; the device is what counts
                details = {}
            names.append(str(details.get("device_name", gpu.name)))
        return {"device": "GPU", "name": ", ".join(names), "count": len(gpus), "cpu_cores": os.cpu_count()}
    cpus = tf.config.list_physical_devices("CPU")
    return {"device": "CPU", "name": "CPU", "count": max(1, len(cpus)), "cpu_cores": os.cpu_count()}


def _as_float(images: np.ndarray) -> np.ndarray:
    """A batch of uint8 images as float32 in [0, 1]; float input is taken to be in [0, 1] already."""
    if images.dtype == np.uint8:
        return images.astype(np.float32) / np.float32(255)
    return np.asarray(images, dtype=np.float32)


class ImageBatches(keras.utils.PyDataset):
    """(x, x) float32 batches in [0, 1] read from a uint8 array or memory map, one batch at a time.

    Args:
        images: uint8 array or np.memmap of shape (n, s, s, 3).
        indices: Int array of the rows to serve (a training or validation split); default all rows.
        batch_size: At most this many images per batch; the last batch may be smaller.
        seed: Seeds the numpy Generator that reorders `indices` at every epoch end.
        shuffle: False serves `indices` in the given order every epoch (validation).
        **kwargs: workers, use_multiprocessing, max_queue_size of keras.utils.PyDataset.
    """

    def __init__(
        self,
        images: np.ndarray,
        indices: np.ndarray | None = None,
        *,
        batch_size: int,
        seed: int = 0,
        shuffle: bool = True,
        **kwargs,
    ):
        super().__init__(**kwargs)
        if batch_size < 1:
            raise ValueError(f"batch_size must be positive, got {batch_size}")
        self.images = images
        self.indices = np.arange(len(images)) if indices is None else np.asarray(indices, dtype=np.int64)
        self.batch_size = int(batch_size)
        self.shuffle = shuffle
        self.rng = np.random.default_rng(seed)
        self.epoch = 0
        self._order = self.rng.permutation(self.indices) if shuffle else self.indices

    def __len__(self) -> int:
        return math.ceil(len(self.indices) / self.batch_size)

    def batch_indices(self, i: int) -> np.ndarray:
        """Rows of `images` in batch i of the current epoch, ascending (memory maps read forwards)."""
        if not 0 <= i < len(self):
            raise IndexError(f"batch {i} out of range for {len(self)} batches")
        return np.sort(self._order[i * self.batch_size : (i + 1) * self.batch_size])

    def __getitem__(self, i: int) -> tuple[np.ndarray, np.ndarray]:
        x = _as_float(self.images[self.batch_indices(i)])
        return x, x

    def on_epoch_end(self) -> None:
        self.epoch += 1
        if self.shuffle:
            self._order = self.rng.permutation(self.indices)


def in_memory_batches(
    images: np.ndarray, indices: np.ndarray, batch_size: int, *, seed: int = 0, shuffle: bool = True
) -> tf.data.Dataset:
    """(x, x) float32 batches in [0, 1] of the rows `indices` of `images`, held in memory as uint8.

    The tf.data counterpart of ImageBatches for sets that fit in memory: no Python runs per batch,
    and the next batches are converted while the current one trains (about a sixth less CPU time per
    epoch than ImageBatches on the 2-core CPU of benchmarks/). With shuffle, tf.data reorders the rows
    at every epoch from `seed` (the same order for the same seed); without, they come in the given order.
    """
    rows = np.asarray(images[np.sort(np.asarray(indices, dtype=np.int64))])
    dataset = tf.data.Dataset.from_tensor_slices(rows)
    if shuffle:
        dataset = dataset.shuffle(len(rows), seed=seed, reshuffle_each_iteration=True)
    byte_images = rows.dtype == np.uint8

    def as_float(x):  # as _as_float does it
        x = tf.cast(x, tf.float32) / 255 if byte_images else tf.cast(x, tf.float32)
        return x, x

    return dataset.batch(batch_size).map(as_float, num_parallel_calls=tf.data.AUTOTUNE).prefetch(tf.data.AUTOTUNE)


class _EpochTimer(keras.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.seconds: list[float] = []

    def on_epoch_begin(self, epoch, logs=None):
        self._start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.seconds.append(time.perf_counter() - self._start)


class Snapshots(keras.callbacks.Callback):
    """Keep encoder and decoder after chosen epochs, as `folder/epoch-NNNN/{encoder,decoder}.keras`.

    Args:
        encoder, decoder: The two models the autoencoder chains (their weights are the autoencoder's).
        epochs: 1-based epochs after which to save.
        folder: Where the snapshot folders go.
    """

    def __init__(self, encoder: keras.Model, decoder: keras.Model, epochs: Sequence[int], folder: Path | str):
        super().__init__()
        self.encoder, self.decoder = encoder, decoder
        self.epochs = {int(e) for e in epochs}
        self.folder = Path(folder)
        self.saved: list[int] = []

    def on_epoch_end(self, epoch, logs=None):
        if epoch + 1 in self.epochs:
            save_models(self.encoder, self.decoder, snapshot_folder(self.folder, epoch + 1))
            self.saved.append(epoch + 1)


def snapshot_folder(folder: Path | str, epoch: int) -> Path:
    """The folder of the snapshot after `epoch` (1-based) under `folder`."""
    return Path(folder) / f"epoch-{epoch:04d}"


def validation_split(n: int, share: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """(validation rows, training rows), each sorted: the first round(n * share) of a permutation from `seed`."""
    order = np.random.default_rng(seed).permutation(n)
    n_validation = round(n * share)
    return np.sort(order[:n_validation]), np.sort(order[n_validation:])


def learning_rate(train: TrainParams, steps_per_epoch: int):
    """The optimizer's learning rate: a float, or a keras CosineDecay over all batches of the run."""
    if train.learning_rate_schedule == "cosine":
        return keras.optimizers.schedules.CosineDecay(
            train.learning_rate, decay_steps=max(1, train.epochs * steps_per_epoch), alpha=train.final_learning_rate_share
        )
    return train.learning_rate


def training_callbacks(train: TrainParams, has_validation: bool) -> list[keras.callbacks.Callback]:
    """ReduceLROnPlateau and EarlyStopping as the train section asks (both watch the validation loss).

    EarlyStopping with patience 0 in the parameters gets a patience longer than the run: it never
    stops, and only keeps the best weights (restore_best_weights).
    """
    monitor = "val_loss" if has_validation else "loss"
    callbacks: list[keras.callbacks.Callback] = []
    if train.plateau_patience:
        callbacks.append(keras.callbacks.ReduceLROnPlateau(
            monitor=monitor, factor=train.plateau_factor, patience=train.plateau_patience,
            min_delta=train.min_delta, min_lr=train.min_learning_rate, verbose=1))
    if train.early_stopping_patience or train.restore_best_weights:
        callbacks.append(keras.callbacks.EarlyStopping(
            monitor=monitor, patience=train.early_stopping_patience or train.epochs + 1, min_delta=train.min_delta,
            restore_best_weights=train.restore_best_weights, verbose=1))
    return callbacks


def train_autoencoder(
    autoencoder: keras.Model,
    images: np.ndarray,
    train: TrainParams,
    seed: int,
    callbacks: Sequence[keras.callbacks.Callback] = (),
) -> dict:
    """Fit the autoencoder to reproduce its input with Adam on train.loss.

    Uses a GPU when TensorFlow sees one, the CPU otherwise. The validation rows are
    `validation_split(n, train.validation_split, seed)`; training batches are reshuffled every
    epoch from the same seed, so equal seeds and equal initial weights give equal runs on CPU.
    The learning rate follows train.learning_rate_schedule (or ReduceLROnPlateau), EarlyStopping
    may end the run early, and with restore_best_weights the model ends with the weights of the
    epoch of lowest validation loss. The pixel MSE is tracked as a metric whatever the loss.

    Args:
        autoencoder: The third model of build_autoencoder.
        images: uint8 array or np.memmap of shape (n, s, s, 3).
        train: The train section of a parameter file.
        seed: The run's seed.
        callbacks: Extra Keras callbacks.

    Returns:
        JSON-native {"loss": [float per epoch], "val_loss": [...] ([] without validation),
        "mse", "val_mse": pixel MSE per epoch, "learning_rate": rate at each epoch's end,
        "epoch_seconds": [...], "train_seconds": float, "n_train": int, "n_validation": int,
        "best_epoch": 1-based epoch whose weights the model ends with, "epochs_run": int}.
    """
    keras.utils.set_random_seed(seed)
    if train.deterministic_ops:
        tf.config.experimental.enable_op_determinism()

    n = len(images)
    validation_rows, train_rows = validation_split(n, train.validation_split, seed)
    n_validation = len(validation_rows)
    if n - n_validation < 1:
        raise DataError(f"{n} images leave none for training after the validation split")

    steps_per_epoch = math.ceil(len(train_rows) / train.batch_size)
    if images.nbytes <= train.in_memory_mib * 2**20:
        train_batches = in_memory_batches(images, train_rows, train.batch_size, seed=seed)
        validation_batches = (
            in_memory_batches(images, validation_rows, train.batch_size, shuffle=False) if n_validation else None
        )
    else:
        train_batches = ImageBatches(images, train_rows, batch_size=train.batch_size, seed=seed)
        validation_batches = (
            ImageBatches(images, validation_rows, batch_size=train.batch_size, shuffle=False) if n_validation else None
        )
    optimizer = keras.optimizers.Adam(learning_rate=learning_rate(train, steps_per_epoch))
    autoencoder.compile(optimizer=optimizer, loss=train.loss, metrics=[keras.metrics.MeanSquaredError(name="mse")],
                        steps_per_execution=max(1, min(train.steps_per_execution, steps_per_epoch)))
    timer = _EpochTimer()
    rates = _RateLog()
    start = time.perf_counter()
    # shuffle=False: ImageBatches reshuffles itself from the seed; Keras would otherwise reorder
    # whole batches with Python's global random module.
    history = autoencoder.fit(
        train_batches,
        validation_data=validation_batches,
        epochs=train.epochs,
        shuffle=False,
        verbose=2,
        callbacks=[timer, rates, *training_callbacks(train, bool(n_validation)), *callbacks],
    )
    train_seconds = time.perf_counter() - start
    losses = history.history.get("val_loss") or history.history.get("loss", [])
    finite = [(v, i) for i, v in enumerate(losses) if v is not None and math.isfinite(v)]
    epochs_run = len(history.history.get("loss", []))
    best_epoch = (min(finite)[1] + 1) if (finite and train.restore_best_weights) else epochs_run
    return {
        "loss": [float(v) for v in history.history.get("loss", [])],
        "val_loss": [float(v) for v in history.history.get("val_loss", [])],
        "mse": [float(v) for v in history.history.get("mse", [])],
        "val_mse": [float(v) for v in history.history.get("val_mse", [])],
        "learning_rate": rates.rates,
        "epoch_seconds": [float(s) for s in timer.seconds],
        "train_seconds": float(train_seconds),
        "n_train": len(train_rows),
        "n_validation": int(n_validation),
        "best_epoch": int(best_epoch),
        "epochs_run": int(epochs_run),
    }


class _RateLog(keras.callbacks.Callback):
    """The optimizer's learning rate at the end of each epoch."""

    def __init__(self):
        super().__init__()
        self.rates: list[float] = []

    def on_epoch_end(self, epoch, logs=None):
        optimizer = self.model.optimizer
        rate = optimizer.learning_rate
        if isinstance(rate, keras.optimizers.schedules.LearningRateSchedule):
            rate = rate(optimizer.iterations)
        self.rates.append(float(keras.ops.convert_to_numpy(rate)))


def _predict(model: keras.Model, batch: np.ndarray, n: int, batch_size: int) -> np.ndarray:
    """model.predict_on_batch, padding a short last batch to batch_size.

    Every new batch shape retraces Keras' predict function (about a second, and a TensorFlow
    warning); padding keeps one shape per call of encode_images or decode_vectors.
    """
    k = len(batch)
    if k == batch_size or n < batch_size:
        return np.asarray(model.predict_on_batch(batch))
    padded = np.zeros((batch_size, *batch.shape[1:]), dtype=batch.dtype)
    padded[:k] = batch
    return np.asarray(model.predict_on_batch(padded))[:k]


def encode_images(encoder: keras.Model, images: np.ndarray, batch_size: int = 512) -> np.ndarray:
    """Latent vectors of uint8 images (array or memory map), batch by batch.

    Returns:
        float32 ndarray of shape (n, z_dim).
    """
    n = len(images)
    z = np.empty((n, encoder.output.shape[-1]), dtype=np.float32)
    for start in range(0, n, batch_size):
        z[start : start + batch_size] = _predict(encoder, _as_float(images[start : start + batch_size]), n, batch_size)
    return z


def decode_vectors(decoder: keras.Model, z: np.ndarray, batch_size: int = 256) -> np.ndarray:
    """Images of latent vectors z of shape (n, z_dim), as uint8 of shape (n, s, s, 3)."""
    z = np.asarray(z, dtype=np.float32)
    if z.ndim != 2 or z.shape[1] != decoder.input.shape[-1]:
        raise ValueError(f"z must have shape (n, {decoder.input.shape[-1]}), got {z.shape}")
    out = np.empty((len(z), *decoder.output.shape[1:]), dtype=np.uint8)
    for start in range(0, len(z), batch_size):
        pixels = _predict(decoder, z[start : start + batch_size], len(z), batch_size)
        out[start : start + batch_size] = np.clip(np.rint(pixels * 255), 0, 255).astype(np.uint8)
    return out


def reconstruct(
    encoder: keras.Model, decoder: keras.Model, images_uint8: np.ndarray, batch_size: int = 256
) -> np.ndarray:
    """Decoded encodings of uint8 images, as uint8 images of the same shape."""
    return decode_vectors(decoder, encode_images(encoder, images_uint8, batch_size), batch_size)


def save_models(encoder: keras.Model, decoder: keras.Model, folder: Path | str) -> dict[str, str]:
    """Write folder/encoder.keras and folder/decoder.keras; return their paths as strings."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths = {"encoder": folder / "encoder.keras", "decoder": folder / "decoder.keras"}
    encoder.save(paths["encoder"])
    decoder.save(paths["decoder"])
    return {name: str(path) for name, path in paths.items()}


def _load(path: Path | str, what: str) -> keras.Model:
    path = Path(path)
    if not path.is_file():
        raise DataError(f"{path}: no saved {what} model here")
    try:
        return keras.models.load_model(path, compile=False)
    except (ValueError, OSError) as err:
        raise DataError(f"{path}: cannot load the {what}: {str(err).splitlines()[0]}") from None


def load_encoder(path: Path | str) -> keras.Model:
    """The encoder saved by save_models (encoder.keras)."""
    return _load(path, "encoder")


def load_decoder(path: Path | str) -> keras.Model:
    """The decoder saved by save_models (decoder.keras)."""
    return _load(path, "decoder")

"""Step `train` (post I): the autoencoder's layers and its training run, and whether training had flattened.

The findings set this run's architecture and training beside the original's (CelebA at 96x96,
170,000 images, 24 epochs, z_dim 256, encoder filters 64, 64, 128, 128, as post I of the original states them)
and judge from the validation loss whether the last epochs still improved.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import ClassVar, Literal

from report import original as published
from report.results import Record, StepResults
from report.results.key_stat import KeyStat

LAST_EPOCHS_SHARE = 0.25  # "the last epochs": this share of the run (at least two epochs) ...
FLAT_GAIN_DB = 0.05  # ... raised the held-out PSNR by less than this many dB per epoch: the curve has flattened
FLAT_IMPROVEMENT = 0.01  # without a pixel MSE history: the validation loss fell by less than this share


class Device(Record):
    """What TensorFlow trained on."""

    device: Literal["CPU", "GPU"]
    name: str  # GPU names, or "CPU"
    count: int  # devices of that kind
    cpu_cores: int | None  # os.cpu_count(); None where it is unknown
    replicas: int = 1  # model copies that trained in step, one per GPU (MirroredStrategy); 1: one device


class Layer(Record):
    """One row of a layer table; the last row, named "total", counts the whole model."""

    name: str
    type: str  # Keras class name ("" in the total row)
    output_shape: str  # e.g. "(None, 16, 16, 32)" ("" in the total row)
    params: int  # trainable and other weights


class History(Record):
    """Loss per epoch and the split of the images (losses are None where training diverged)."""

    loss: list[float | None]  # training loss per epoch
    val_loss: list[float | None]  # validation loss per epoch; [] without validation
    epoch_seconds: list[float]  # wall time per epoch
    train_seconds: float  # wall time of the whole fit
    n_train: int  # images trained on
    n_validation: int  # images held out for validation
    mse: list[float | None]  # pixel mean squared error per epoch (pixels in [0, 1]), training batches
    val_mse: list[float | None]  # the same on the held-out images
    learning_rate: list[float]  # the optimizer's rate at each epoch's end
    best_epoch: int  # 1-based epoch whose weights the saved models hold
    epochs_run: int  # epochs trained (fewer than `epochs` after early stopping)


class ModelFile(Record):
    """One Keras file of an autoencoder trained elsewhere."""

    name: str  # the file's name (its folder is in the parameters)
    sha256: str  # digest of the file's bytes
    model_name: str  # the Keras model's own name
    params: int  # its weights


class LoadedModel(Record):
    """An autoencoder trained elsewhere, read from model.encoder_path and model.decoder_path."""

    encoder: ModelFile
    decoder: ModelFile
    encoder_input: str  # the encoder's input shape as saved, e.g. "(None, 24, 24, 3)"
    encoder_outputs: list[str]  # "label: shape" of every encoder output
    output_index: int  # which of them is the latent vector (model.encoder_output)
    output_range: list[float]  # [low, high] of the decoder's pixels and the encoder's input (model.output_range)
    final_activation: str | None  # the activation of the decoder's last layer, where it has one
    decoded_min: float  # the raw decodes of range_check_images images lie in [decoded_min, decoded_max]
    decoded_max: float
    range_check_images: int
    custom_objects_module: str | None  # model.custom_objects_module


class TrainResults(StepResults):
    """The autoencoder: layers, device, and the course of training (or the files it was read from)."""

    step: ClassVar[str] = "train"

    device: Device
    encoder_layers: list[Layer]
    decoder_layers: list[Layer]
    history: History  # of a loaded model: no epochs, only the split into reference and set-aside images
    final_loss: float | None  # training loss of the last epoch
    final_val_loss: float | None  # validation loss of the last epoch; None without validation
    epochs: int  # epochs trained here (0 for a model trained elsewhere)
    batch_size: int | None  # None: trained elsewhere
    learning_rate: float | None
    loss_name: str | None  # train.loss, e.g. "binary_crossentropy"
    global_batch_size: int | None = None  # images per optimizer step: batch_size x device.replicas
    z_dim: int  # latent dimension N
    learning_rate_schedule: str | None  # train.learning_rate_schedule
    snapshots: list[int]  # epochs whose encoder and decoder were kept (snapshots/epoch-NNNN/; the
    # weights the run ends with are in snapshots/final/)
    final_weights: Literal["best", "last"] | None  # the saved models hold the best epoch's or the last epoch's weights
    origin: Literal["trained", "loaded"] = "trained"  # trained by this run, or read from files (model.encoder_path)
    loaded: LoadedModel | None = None  # the files of a loaded model


KEY_STATS = (
    KeyStat("train.final_loss", "final training loss", rtol=0.03),
    KeyStat("train.final_val_loss", "final validation loss", rtol=0.03),
)


class ComparisonRow(Record):
    """One row of post I's table: a property of the autoencoder, here and in the original."""

    label: str
    ours: str
    original: str


class TrainFindings(Record):
    """What post I says about training."""

    epochs_run: int
    stopped_early: bool  # EarlyStopping ended the run before `epochs`
    mirrored: bool  # several copies of the model trained in step, one per GPU
    best_epoch: int
    last_epochs: int  # how many final epochs the flattening judgement looks at
    last_improvement: float | None  # relative drop of the validation loss over them (None: no validation)
    last_gain_db: float | None  # rise of the held-out PSNR (from the validation MSE) over them, dB
    gain_per_epoch_db: float | None  # last_gain_db / last_epochs
    flat_gain_db: float  # FLAT_GAIN_DB, per epoch
    flattened: bool  # the last epochs raised the PSNR by less than FLAT_GAIN_DB per epoch (or, without MSE, lowered
    # the validation loss by less than FLAT_IMPROVEMENT)
    best_val_psnr: float | None  # held-out PSNR (dB) at the best epoch, from the validation MSE
    images_seen: int  # epochs run x training images
    original_images_seen: int
    original_n_train: int  # the original's image count (post III)
    seen_ratio: float  # original_images_seen / images_seen
    pixel_ratio: float | None  # the original's pixels per image over this run's (None without a data record)
    comparison: list[ComparisonRow]  # architecture and training beside the original's
    several_outputs: bool = False  # a loaded encoder gives several outputs, one of which is the latent vector
    rescaled: bool = False  # a loaded model works on pixels outside [0, 1]: images and decodes are scaled
    range_text: str = ""  # a loaded model's pixel range, "[-1, 1]"


def psnr(mse: float | None) -> float | None:
    """Peak signal-to-noise ratio in dB of a mean squared error on [0, 1] pixels (inf for 0)."""
    if mse is None or not math.isfinite(mse) or mse < 0:
        return None
    return math.inf if mse == 0 else -10 * math.log10(mse)


def last_improvement(losses: list[float | None], share: float = LAST_EPOCHS_SHARE) -> tuple[int, float | None]:
    """(k, relative drop of the loss over the last k epochs): (loss[-k-1] - min(loss[-k:])) / loss[-k-1].

    k is `share` of the epochs, at least 2 (all but the first with fewer epochs); None when the
    losses are too few or not finite.
    """
    values = list(losses)
    k = min(max(2, round(share * len(values))), len(values) - 1)
    if k < 1 or any(v is None or not math.isfinite(v) for v in values[-k - 1:]):
        return max(k, 0), None
    before = values[-k - 1]
    return k, (before - min(values[-k:])) / abs(before) if before else None


def _ladder(values) -> str:
    return ", ".join(str(v) for v in values)


def findings(results: TrainResults, upstream: Mapping[str, StepResults]) -> TrainFindings:
    """The judgements of post I about training, and the comparison table with the original."""
    history = results.history
    epochs_run, best_epoch = history.epochs_run, history.best_epoch
    k, improvement = last_improvement(history.val_loss or history.loss)
    gain = None
    if len(history.val_mse) > k:
        before, after = psnr(history.val_mse[-k - 1]), [psnr(v) for v in history.val_mse[-k:]]
        if before is not None and all(v is not None for v in after):
            gain = max(after) - before
    per_epoch = gain / k if gain is not None and k else None
    flattened = per_epoch < FLAT_GAIN_DB if per_epoch is not None else (improvement is not None and improvement < FLAT_IMPROVEMENT)
    best_mse = history.val_mse[best_epoch - 1] if 1 <= best_epoch <= len(history.val_mse) else None
    images_seen = epochs_run * history.n_train
    data = upstream.get("data")
    image_size = getattr(data, "image_size", None)
    source = getattr(data, "source", "")
    encoder_filters = [_channels(row) for row in results.encoder_layers if row.type == "Conv2D" and _channels(row)]
    decoder_filters = [_channels(row) for row in results.decoder_layers
                       if row.type == "Conv2DTranspose" and _channels(row)][:-1]  # the last makes the 3 colours
    original_seen = published.EPOCHS * published.N_IMAGES
    if results.origin == "loaded":
        rows = _loaded_rows(results, source, image_size)  # its layers are in their own tables
    else:
        rows = _trained_rows(results, source, image_size, encoder_filters, decoder_filters, images_seen, original_seen)
    return TrainFindings(
        epochs_run=epochs_run,
        stopped_early=epochs_run < results.epochs,
        mirrored=results.device.replicas > 1,
        best_epoch=best_epoch,
        last_epochs=k,
        last_improvement=improvement,
        last_gain_db=gain,
        gain_per_epoch_db=per_epoch,
        flat_gain_db=FLAT_GAIN_DB,
        flattened=flattened,
        best_val_psnr=psnr(best_mse),
        images_seen=images_seen,
        original_images_seen=original_seen,
        original_n_train=published.N_IMAGES,
        seen_ratio=original_seen / images_seen if images_seen else math.inf,
        pixel_ratio=(published.IMAGE_SIZE / image_size) ** 2 if image_size else None,
        comparison=rows,
        several_outputs=bool(results.loaded and len(results.loaded.encoder_outputs) > 1),
        rescaled=bool(results.loaded and tuple(results.loaded.output_range) != (0.0, 1.0)),
        range_text=_range_text(results.loaded.output_range) if results.loaded else "",
    )


def _range_text(pair: list[float]) -> str:
    return f"[{pair[0]:g}, {pair[1]:g}]"


def _channels(row: Layer) -> int | None:
    """The last axis of a layer's output shape ("(None, 8, 8, 32)" -> 32); None where it is not one known shape."""
    last = row.output_shape.strip("()").split(",")[-1].strip()
    return int(last) if last.isdigit() and row.output_shape.count("(") == 1 else None


def _total(layers: list[Layer]) -> int:
    return next((row.params for row in layers if row.name == "total" and not row.type), 0)


def _loaded_rows(results: TrainResults, source, image_size) -> list[ComparisonRow]:
    """Table 1 for a model trained elsewhere: what the files show, beside the original's; no training figures."""
    rows = [
        ComparisonRow(label="images analysed", ours=str(source), original=published.DATA),
        ComparisonRow(label="image size", ours=f"{image_size}×{image_size}" if image_size else "",
                      original=f"{published.IMAGE_SIZE}×{published.IMAGE_SIZE}"),
        ComparisonRow(label="latent dimension z_dim", ours=str(results.z_dim), original=str(published.Z_DIM)),
        ComparisonRow(label="encoder weights", ours=f"{_total(results.encoder_layers):,}", original="not stated"),
        ComparisonRow(label="decoder weights", ours=f"{_total(results.decoder_layers):,}", original="not stated"),
    ]
    rows.append(ComparisonRow(label="training", ours="elsewhere (not known here)",
                              original=f"{published.EPOCHS} epochs on about {published.N_IMAGES:,} images"))
    return rows


def _trained_rows(results: TrainResults, source, image_size, encoder_filters, decoder_filters, images_seen,
                  original_seen) -> list[ComparisonRow]:
    history = results.history
    return [
        ComparisonRow(label="images", ours=str(source), original=published.DATA),
        ComparisonRow(label="image size", ours=f"{image_size}×{image_size}" if image_size else "",
                      original=f"{published.IMAGE_SIZE}×{published.IMAGE_SIZE}"),
        ComparisonRow(label="encoder filters", ours=_ladder(encoder_filters), original=_ladder(published.ENCODER_FILTERS)),
        ComparisonRow(label="decoder filters", ours=_ladder(decoder_filters), original=_ladder(published.DECODER_FILTERS)),
        ComparisonRow(label="latent dimension z_dim", ours=str(results.z_dim), original=str(published.Z_DIM)),
        ComparisonRow(label="training images", ours=f"{history.n_train:,}", original=f"about {published.N_IMAGES:,}"),
        ComparisonRow(label="epochs", ours=str(history.epochs_run), original=str(published.EPOCHS)),
        ComparisonRow(label="images seen (epochs × training images)", ours=f"{images_seen:,}",
                      original=f"about {original_seen:,}"),
    ]

"""Step `train` (post I): the autoencoder's layers and its training run."""

from __future__ import annotations

from typing import ClassVar, Literal

from report.results import Record, StepResults


class Device(Record):
    """What TensorFlow trained on."""

    device: Literal["CPU", "GPU"]
    name: str  # GPU names, or "CPU"
    count: int  # devices of that kind
    cpu_cores: int | None  # os.cpu_count(); None where it is unknown


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


class TrainResults(StepResults):
    """The trained autoencoder: layers, device, and the course of training."""

    step: ClassVar[str] = "train"

    device: Device
    encoder_layers: list[Layer]
    decoder_layers: list[Layer]
    history: History
    final_loss: float | None  # training loss of the last epoch
    final_val_loss: float | None  # validation loss of the last epoch; None without validation
    epochs: int
    batch_size: int
    learning_rate: float
    loss_name: str  # train.loss, e.g. "binary_crossentropy"
    z_dim: int  # latent dimension N

"""Which devices train the autoencoder, and the TensorFlow settings every process using a GPU needs.

`training_plan` is the choice itself, a pure function of the device names TensorFlow lists: with
several GPUs (and `train.multi_gpu`), training mirrors the model over all of them, one replica per
GPU, each replica taking `train.batch_size` images per step; otherwise one device trains as before,
with no distribution strategy at all.

`enable_memory_growth` lets TensorFlow take GPU memory as it needs it instead of the whole card at
start-up, so that several kernels (steps, or variants built side by side) can share one GPU. It
must run before TensorFlow initialises its devices; `report.model` and `report.facelike.features`,
the two modules that bring TensorFlow into a process, call it as they are imported.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Sequence
from dataclasses import dataclass

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TrainingPlan:
    """How one training run uses the devices.

    replicas: copies of the model training in step (1: a single device, no distribution strategy).
    devices: the logical device names the copies live on (empty with one replica: TensorFlow places it).
    per_replica_batch: images each replica takes per step (train.batch_size).
    """

    replicas: int
    devices: tuple[str, ...]
    per_replica_batch: int

    @property
    def global_batch(self) -> int:
        """Images per optimizer step over all replicas."""
        return self.per_replica_batch * self.replicas

    @property
    def mirrored(self) -> bool:
        """Whether training runs under a MirroredStrategy."""
        return self.replicas > 1


def training_plan(devices: Sequence[str], per_replica_batch: int, multi_gpu: bool = True) -> TrainingPlan:
    """One replica per listed device when there are several and multi_gpu allows; else one replica, no strategy."""
    if per_replica_batch < 1:
        raise ValueError(f"the batch per replica must be positive, got {per_replica_batch}")
    if multi_gpu and len(devices) > 1:
        return TrainingPlan(replicas=len(devices), devices=tuple(devices), per_replica_batch=per_replica_batch)
    return TrainingPlan(replicas=1, devices=(), per_replica_batch=per_replica_batch)


@functools.cache
def enable_memory_growth() -> tuple[str, ...]:
    """Let TensorFlow grow its memory on every GPU instead of reserving the card; return the GPUs set.

    Runs once per process (later calls return the first answer). Without a GPU this does nothing.
    A GPU TensorFlow has already initialised in this process keeps the setting it started with
    (TensorFlow refuses the change); that is logged, not raised.
    """
    import tensorflow as tf

    done = []
    for gpu in tf.config.list_physical_devices("GPU"):
        try:
            tf.config.experimental.set_memory_growth(gpu, True)
        except (RuntimeError, ValueError) as err:
            log.warning("%s: memory growth not set (%s)", gpu.name, err)
            continue
        done.append(gpu.name)
    return tuple(done)

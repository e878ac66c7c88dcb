"""The training plan over the devices, mirrored training on two logical CPUs, and GPU memory growth."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys

import numpy as np
import pytest
from conftest import PROJECT_ROOT

from report import devices
from report.devices import TrainingPlan, training_plan


def test_no_device_or_one_gpu_trains_one_replica_without_strategy():
    for listed in ([], ["/device:GPU:0"]):
        plan = training_plan(listed, 64)
        assert plan == TrainingPlan(replicas=1, devices=(), per_replica_batch=64)
        assert not plan.mirrored and plan.global_batch == 64


def test_several_gpus_train_one_replica_each_and_the_global_batch_grows():
    gpus = ["/device:GPU:0", "/device:GPU:1", "/device:GPU:2"]
    plan = training_plan(gpus, 32)
    assert plan.mirrored and plan.replicas == 3 and plan.devices == tuple(gpus)
    assert plan.global_batch == 96


def test_multi_gpu_off_keeps_one_device():
    plan = training_plan(["/device:GPU:0", "/device:GPU:1"], 32, multi_gpu=False)
    assert plan.replicas == 1 and plan.global_batch == 32 and not plan.mirrored


def test_a_batch_below_one_is_refused():
    with pytest.raises(ValueError, match="positive"):
        training_plan([], 0)


def test_multi_gpu_is_a_described_train_parameter_on_by_default():
    from report.params import TrainParams

    field = TrainParams.model_fields["multi_gpu"]
    assert field.default is True and field.description


class _FakeConfig:
    def __init__(self, gpus, refuse=()):
        self.gpus, self.refuse, self.calls = gpus, set(refuse), []
        self.experimental = self

    def list_physical_devices(self, kind):
        return self.gpus if kind == "GPU" else []

    def set_memory_growth(self, gpu, enable):
        if gpu.name in self.refuse:
            raise RuntimeError("Physical devices cannot be modified after being initialized")
        self.calls.append((gpu.name, enable))


def test_memory_growth_is_set_on_every_gpu_and_a_refusal_is_only_logged(monkeypatch, caplog):
    import tensorflow as tf

    gpu = type("Gpu", (), {})
    first, second = gpu(), gpu()
    first.name, second.name = "/physical_device:GPU:0", "/physical_device:GPU:1"
    fake = _FakeConfig([first, second], refuse={second.name})
    monkeypatch.setattr(tf, "config", fake)
    done = devices.enable_memory_growth.__wrapped__()  # the uncached body
    assert fake.calls == [(first.name, True)]
    assert done == (first.name,)
    assert "GPU:1" in caplog.text


def test_memory_growth_runs_when_tensorflow_comes_in_and_without_a_gpu_does_nothing():
    import report.model  # noqa: F401  (importing it sets the GPUs up)

    assert devices.enable_memory_growth.cache_info().misses == 1
    import tensorflow as tf

    if not tf.config.list_physical_devices("GPU"):
        assert devices.enable_memory_growth() == ()


def test_a_model_built_outside_the_strategy_is_refused_for_a_mirrored_plan():
    from report.model import build_autoencoder, train_autoencoder
    from report.params import ModelParams, TrainParams

    arch = ModelParams(z_dim=4, encoder_filters=(4,), encoder_kernel_sizes=(3,), encoder_strides=(2,),
                       decoder_filters=(4,), decoder_kernel_sizes=(3,), decoder_strides=(2,))
    _, _, autoencoder = build_autoencoder(arch, 8, seed=0)
    plan = training_plan(["/device:CPU:0", "/device:CPU:1"], 4)
    images = np.zeros((10, 8, 8, 3), dtype=np.uint8)
    with pytest.raises(ValueError, match="training_scope"):
        train_autoencoder(autoencoder, images, TrainParams(epochs=1), seed=0, plan=plan)


# Logical devices must be configured before TensorFlow initialises, hence a fresh interpreter.
MIRRORED_RUN = """
import json
import keras, numpy as np, tensorflow as tf
cpu = tf.config.list_physical_devices("CPU")[0]
tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
from report import model
from report.devices import training_plan
from report.params import ModelParams, TrainParams
arch = ModelParams(z_dim=4, encoder_filters=(4,), encoder_kernel_sizes=(3,), encoder_strides=(2,),
                   decoder_filters=(4,), decoder_kernel_sizes=(3,), decoder_strides=(2,))
train = TrainParams(epochs=1, batch_size=3, validation_split=0.2, steps_per_execution=1, snapshot_epochs=(1,))
plan = training_plan([d.name for d in tf.config.list_logical_devices("CPU")], train.batch_size)
images = np.random.default_rng(0).integers(0, 256, (30, 8, 8, 3), dtype=np.uint8)
steps = []
class Count(keras.callbacks.Callback):
    def on_train_batch_end(self, batch, logs=None):
        steps.append(batch)
with model.training_scope(plan):
    encoder, decoder, autoencoder = model.build_autoencoder(arch, 8, seed=0)
history = model.train_autoencoder(autoencoder, images, train, 0, callbacks=[Count()], plan=plan)
strategy = autoencoder.distribute_strategy
print("RESULT", json.dumps({"strategy": type(strategy).__name__, "replicas": strategy.num_replicas_in_sync,
                            "plan_replicas": plan.replicas, "global_batch": plan.global_batch, "steps": len(steps),
                            "n_train": history["n_train"], "loss": history["loss"],
                            "device": model.device_description(plan)}))
"""


def test_training_runs_mirrored_over_two_logical_devices_with_the_global_batch():
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT), "TF_CPP_MIN_LOG_LEVEL": "3"}
    run = subprocess.run([sys.executable, "-c", MIRRORED_RUN], capture_output=True, text=True, env=env,
                         cwd=PROJECT_ROOT, timeout=300)
    assert run.returncode == 0, run.stderr[-2000:]
    line = next(line for line in run.stdout.splitlines() if line.startswith("RESULT "))
    result = json.loads(line.removeprefix("RESULT "))
    assert result["strategy"] == "MirroredStrategy"
    assert result["replicas"] == result["plan_replicas"] == 2
    assert result["global_batch"] == 6  # 3 images on each of 2 replicas
    assert result["n_train"] == 24
    assert result["steps"] == math.ceil(24 / 6)  # one step per global batch, not per replica's batch
    assert result["device"]["replicas"] == 2
    assert all(math.isfinite(v) for v in result["loss"])

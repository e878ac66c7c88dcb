# %% [markdown]
# # Step `train`: the convolutional autoencoder (post I)
# Builds encoder and decoder from the parameters, trains them with Adam on a pixel loss, and
# saves both models, the loss history and the layer tables.

# %% tags=["parameters"]
run_dir: str = "build/tiny"  # a finished build; the pipeline passes this run's folder
request: dict = {}  # set by the pipeline; empty: replay the last build's request for this step

# %%
from report.notebook import open_step

step = open_step("train", run_dir, request)

import numpy as np

from report import figures, model
from report.data import sources
from report.results.train import TrainResults

architecture, training = step.settings.model, step.settings.train
plan = model.plan_training(training)  # one replica per GPU when there are several (train.multi_gpu)
device = model.device_description(plan)
device

# %%
with model.training_scope(plan):
    encoder, decoder, autoencoder = model.build_autoencoder(architecture, step.settings.image_size, seed=step.seed)
encoder_layers = model.layer_table(encoder)
decoder_layers = model.layer_table(decoder)
encoder.summary()
decoder.summary()

# %% papermill_description=fit
images = sources.open_images(step.input("images"))
snapshot_epochs = [e for e in training.snapshot_epochs if e <= training.epochs]
snapshots = model.Snapshots(encoder, decoder, snapshot_epochs, step.output / "snapshots")
history = model.train_autoencoder(autoencoder, images, training, step.seed, callbacks=[snapshots], plan=plan)
model.save_models(encoder, decoder, step.output)
# The final snapshot holds the weights the run ends with (the best epoch's with restore_best_weights).
model.save_models(encoder, decoder, step.output / "snapshots" / "final")
validation_rows, _ = model.validation_split(len(images), training.validation_split, step.seed)
np.save(step.output / "validation-rows.npy", validation_rows)

# %%
curve = figures.loss_curve(history["loss"], history["val_loss"])
step.figure("loss.png", curve)
step.save(TrainResults(
    device=device,
    encoder_layers=encoder_layers,
    decoder_layers=decoder_layers,
    history=history,
    final_loss=history["loss"][-1],
    final_val_loss=history["val_loss"][-1] if history["val_loss"] else None,
    epochs=training.epochs,
    batch_size=training.batch_size,
    global_batch_size=plan.global_batch,
    learning_rate=training.learning_rate,
    learning_rate_schedule=training.learning_rate_schedule,
    snapshots=snapshots.saved,
    final_weights="best" if training.restore_best_weights else "last",
    loss_name=training.loss,
    z_dim=architecture.z_dim,
))
curve

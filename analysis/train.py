# %% [markdown]
# # Step `train`: the convolutional autoencoder (post I)
# Builds encoder and decoder from the parameters, trains them with Adam on a pixel loss, and
# saves both models, the loss history and the layer tables. Given `model.encoder_path` and
# `model.decoder_path`, nothing is trained: the two files are loaded, checked against the images,
# wrapped to take and give pixels in [0, 1], and saved in place of trained models.

# %% tags=["parameters"]
run_dir: str = "build/tiny"  # a finished build; the pipeline passes this run's folder
request: dict = {}  # set by the pipeline; empty: replay the last build's request for this step

# %%
from report.notebook import open_step

step = open_step("train", run_dir, request)

import numpy as np

from report import figures, model
from report.data import sources
from report.pipeline.hashing import file_sha256
from report.results.train import TrainResults

architecture, training = step.settings.model, step.settings.train
plan = model.plan_training(training)  # one replica per GPU when there are several (train.multi_gpu)
images = sources.open_images(step.input("images"))
validation_rows, train_rows = model.validation_split(len(images), training.validation_split, step.seed)
np.save(step.output / "validation-rows.npy", validation_rows)
device = model.device_description(plan)
device

# %% [markdown]
# A model trained elsewhere: load both files, check them (input size, latent output, decoder shape and
# pixel range on the decodes of some images), and save the wrapped models as this step's encoder and decoder.

# %%
if architecture.loaded:
    from report import own_model

    own = own_model.load_autoencoder(architecture, step.settings.image_size)
    own.encoder.summary()
    own.decoder.summary()
    checked_rows = np.sort(step.rng.choice(len(images), size=min(architecture.range_check_images, len(images)),
                                           replace=False))
    observed = own_model.decoded_range(own, np.asarray(images[checked_rows]), batch_size=training.batch_size)
    own_model.check_decoded_range(own, observed, architecture.range_tolerance, len(checked_rows))
    model.save_models(own.wrapped_encoder, own.wrapped_decoder, step.output)
    own_model.write_loading(step.output, architecture)
    files = {
        side: {"name": path.name, "sha256": file_sha256(path), "model_name": loaded.name,
               "params": int(loaded.count_params())}
        for side, path, loaded in (("encoder", own.encoder_path, own.encoder), ("decoder", own.decoder_path, own.decoder))
    }
    record = TrainResults(
        device=device,
        encoder_layers=model.layer_table(own.encoder),
        decoder_layers=model.layer_table(own.decoder),
        history={"loss": [], "val_loss": [], "epoch_seconds": [], "train_seconds": 0.0, "n_train": len(train_rows),
                 "n_validation": len(validation_rows), "mse": [], "val_mse": [], "learning_rate": [],
                 "best_epoch": 0, "epochs_run": 0},
        final_loss=None, final_val_loss=None, epochs=0, batch_size=None, learning_rate=None, loss_name=None,
        learning_rate_schedule=None, snapshots=[], final_weights=None, z_dim=own.z_dim,
        origin="loaded",
        loaded={**files, "encoder_input": own.encoder_input, "encoder_outputs": own.encoder_outputs,
                "output_index": own.output_index, "output_range": list(own.output_range),
                "final_activation": own.final_activation, "decoded_min": observed[0], "decoded_max": observed[1],
                "range_check_images": len(checked_rows), "custom_objects_module": architecture.custom_objects_module},
    )
    step.save(record)
    files

# %% [markdown]
# Otherwise: build the autoencoder from the parameters and train it.

# %%
if not architecture.loaded:
    with model.training_scope(plan):
        encoder, decoder, autoencoder = model.build_autoencoder(architecture, step.settings.image_size, seed=step.seed)
    encoder_layers = model.layer_table(encoder)
    decoder_layers = model.layer_table(decoder)
    encoder.summary()
    decoder.summary()

# %% papermill_description=fit
if not architecture.loaded:
    snapshot_epochs = [e for e in training.snapshot_epochs if e <= training.epochs]
    snapshots = model.Snapshots(encoder, decoder, snapshot_epochs, step.output / "snapshots")
    history = model.train_autoencoder(autoencoder, images, training, step.seed, callbacks=[snapshots], plan=plan)
    model.save_models(encoder, decoder, step.output)
    # The final snapshot holds the weights the run ends with (the best epoch's with restore_best_weights).
    model.save_models(encoder, decoder, step.output / "snapshots" / "final")

# %%
if not architecture.loaded:
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

# %% [markdown]
# # Step `train`: the convolutional autoencoder (post I)
# Builds encoder and decoder from the parameters, trains them with Adam on a pixel loss, and
# saves both models, the loss history and the layer tables.

# %% tags=["parameters"]
run_dir: str = ""  # this run's folder, build/<variant>
output_dir: str = ""  # where this step's results go (a staging folder)
step_seed: int = 0  # this step's seed, derived from the run's seed
section: dict = {}  # the `model` and `train` sections and data.image_size
inputs: dict = {}  # paths of upstream results

# %%
from pathlib import Path

from report import figures, model, results
from report.data import sources
from report.params import ModelParams, TrainParams

architecture = ModelParams(**section["model"])
training = TrainParams(**section["train"])
output = Path(output_dir)
device = model.device_description()
device

# %%
encoder, decoder, autoencoder = model.build_autoencoder(architecture, section["data.image_size"], seed=step_seed)
encoder_layers = model.layer_table(encoder)
decoder_layers = model.layer_table(decoder)
encoder.summary()
decoder.summary()

# %% papermill_description=fit
images = sources.open_images(inputs["images"])
history = model.train_autoencoder(autoencoder, images, training, step_seed)
model.save_models(encoder, decoder, output)

# %%
curve = figures.loss_curve(history["loss"], history["val_loss"])
results.save_figure(output, "loss.png", curve)
results.save_stats(output, {
    "device": device,
    "encoder_layers": encoder_layers,
    "decoder_layers": decoder_layers,
    "history": history,
    "final_loss": history["loss"][-1],
    "final_val_loss": history["val_loss"][-1] if history["val_loss"] else None,
    "epochs": training.epochs,
    "batch_size": training.batch_size,
    "learning_rate": training.learning_rate,
    "loss_name": training.loss,
    "z_dim": architecture.z_dim,
})
curve

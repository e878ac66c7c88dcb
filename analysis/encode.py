# %% [markdown]
# # Step `encode`: latent vectors, reconstructions, random decodes (post I)
# Encodes every image into its latent vector (float32), shows originals beside their
# reconstructions, and decodes vectors whose components are independent and uniform in
# [-b, b], which in the original gave no faces.

# %% tags=["parameters"]
run_dir: str = ""  # this run's folder, build/<variant>
output_dir: str = ""  # where this step's results go (a staging folder)
step_seed: int = 0  # this step's seed, derived from the run's seed
section: dict = {}  # the `analysis.encode` section
inputs: dict = {}  # paths of upstream results

# %%
from pathlib import Path

import numpy as np

from report import figures, model, results, stats
from report.data import sources
from report.params import EncodeParams

encode = EncodeParams(**section)
output = Path(output_dir)
rng = np.random.default_rng(step_seed)
encoder = model.load_encoder(inputs["encoder"])
decoder = model.load_decoder(inputs["decoder"])
images = sources.open_images(inputs["images"])

# %% papermill_description=encode_all
latents = model.encode_images(encoder, images, encode.batch_size)
np.save(output / "latents.npy", latents)
latents.shape

# %%
shown = np.sort(rng.choice(len(images), size=min(encode.n_reconstructions, len(images)), replace=False))
originals = np.asarray(images[shown])
reconstructions = model.decode_vectors(decoder, latents[shown])
pairs = figures.image_pairs(originals, reconstructions)
results.save_figure(output, "reconstructions.png", pairs)
pairs

# %%
check_rows = np.sort(rng.choice(len(images), size=min(2000, len(images)), replace=False))
check_reconstructions = model.decode_vectors(decoder, latents[check_rows]).astype(np.float32) / 255
check_originals = np.asarray(images[check_rows]).astype(np.float32) / 255
reconstruction_mse = float(np.mean((check_reconstructions - check_originals) ** 2))

# %%
z_dim = latents.shape[1]
random_vectors = stats.uniform_vectors(encode.n_random, z_dim, encode.random_half_range, rng)
random_images = model.decode_vectors(decoder, random_vectors)
random_grid = figures.image_grid(random_images, columns=8)
results.save_figure(output, "random-decodes.png", random_grid)
data_radii = stats.radii(latents)
results.save_stats(output, {
    "n_points": len(latents),
    "z_dim": z_dim,
    "reconstruction_mse": reconstruction_mse,
    "reconstruction_sample": len(check_rows),
    "random_half_range": encode.random_half_range,
    "n_random": encode.n_random,
    "random_radius_mean": float(stats.radii(random_vectors).mean()),
    "data_radius_mean": float(data_radii.mean()),
    "random_image_std": float(random_images.astype(np.float32).std() / 255),
    "data_image_std": float(check_originals.std()),
})
random_grid

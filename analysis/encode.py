# %% [markdown]
# # Step `encode`: latent vectors, reconstructions, random decodes (post I)
# Encodes every image into its latent vector (float32), shows originals beside their
# reconstructions, measures the reconstruction error, and decodes vectors whose components are
# independent and uniform in [-b, b], which in the original gave no faces.

# %% tags=["parameters"]
run_dir: str = "build/tiny"  # a finished build; the pipeline passes this run's folder
request: dict = {}  # set by the pipeline; empty: replay the last build's request for this step

# %%
from report.notebook import open_step

step = open_step("encode", run_dir, request)

import numpy as np

from report import figures, model, stats
from report.data import sources
from report.results.encode import EncodeResults
from report.stats.principal import principal_axes, principal_coordinates

encode, rng = step.settings, step.rng
encoder = model.load_encoder(step.input("encoder"))
decoder = model.load_decoder(step.input("decoder"))
images = sources.open_images(step.input("images"))

# %% papermill_description=encode_all
latents = model.encode_images(encoder, images, encode.batch_size)
np.save(step.output / "latents.npy", latents)
latents.shape

# %%
shown = np.sort(rng.choice(len(images), size=min(encode.n_reconstructions, len(images)), replace=False))
pairs = figures.image_pairs(np.asarray(images[shown]), model.decode_vectors(decoder, latents[shown]))
step.figure("reconstructions.png", pairs)
pairs

# %%
check_rows = np.sort(rng.choice(len(images), size=min(encode.reconstruction_sample, len(images)), replace=False))
error = stats.reconstruction_error(np.asarray(images[check_rows]), model.decode_vectors(decoder, latents[check_rows]))
error

# %% [markdown]
# Held out: the images `train` set aside for validation, never trained on. PSNR is that of their
# mean squared error; SSIM the mean over images (Gaussian window 11, sigma 1.5, as tf.image.ssim).

# %%
heldout_rows = np.load(step.upstream_file("train", "validation-rows.npy"))
if len(heldout_rows):
    heldout = np.asarray(images[heldout_rows])
    heldout_decodes = model.decode_vectors(decoder, latents[heldout_rows])
    heldout_mse = stats.reconstruction_error(heldout, heldout_decodes)["mse"]
    heldout_psnr, heldout_ssim = stats.psnr(heldout_mse), float(stats.ssim(heldout, heldout_decodes).mean())
else:  # validation_split 0: nothing was held out
    heldout_mse = heldout_psnr = heldout_ssim = None
{"held-out images": len(heldout_rows), "mse": heldout_mse, "psnr": heldout_psnr, "ssim": heldout_ssim}

# %%
z_dim = latents.shape[1]
random_vectors = stats.uniform_vectors(encode.n_random, z_dim, encode.uniform_b, rng)
random_images = model.decode_vectors(decoder, random_vectors)
random_grid = figures.image_grid(random_images, columns=encode.grid_columns)
step.figure("random-decodes.png", random_grid)
record = EncodeResults(
    n_points=len(latents),
    z_dim=z_dim,
    n_reconstructions=len(shown),
    reconstruction_mse=error["mse"],
    reconstruction_sample=len(check_rows),
    n_heldout=len(heldout_rows),
    heldout_mse=heldout_mse,
    heldout_psnr=heldout_psnr,
    heldout_ssim=heldout_ssim,
    uniform_b=encode.uniform_b,
    n_random=encode.n_random,
    random_radius_mean=float(stats.radii(random_vectors).mean()),
    random_image_std=stats.pixel_std(random_images),
    data_image_std=error["original_std"],
)
random_grid

# %% [markdown]
# The teaser that opens post I: reconstructions of held-out images (never trained on; training
# images where nothing was held out), and a projection of the z-points onto the first principal
# directions of their covariance, with the centre and the origin.

# %%
teaser_rows = heldout_rows[:encode.n_teaser] if len(heldout_rows) else np.arange(min(encode.n_teaser, len(images)))
teaser_images = np.asarray(images[teaser_rows])
teaser_decodes = model.decode_vectors(decoder, latents[teaser_rows])
step.figure("teaser.png", figures.image_grid(teaser_decodes, columns=encode.grid_columns))
teaser_psnr = stats.psnr(stats.reconstruction_error(teaser_images, teaser_decodes)["mse"])
axes = principal_axes(latents.mean(axis=0).astype(np.float64), np.cov(latents, rowvar=False))
shares = axes.eigenvalues / axes.eigenvalues.sum()
scores = principal_coordinates(latents, axes, n_axes=3)
origin_scores = (-axes.mean) @ axes.eigenvectors[:, :3]
plane_sigmas = np.sqrt(axes.eigenvalues[:2])
origin_plane = float(np.linalg.norm(origin_scores[:2] / plane_sigmas))
data_plane = np.linalg.norm(scores[:, :2] / plane_sigmas, axis=1)
scatter_rows = stats.sample_rows(len(latents), encode.scatter_points, rng)
projection = figures.principal_scatter(scores[scatter_rows], [(0, 1), (0, 2)], axes.eigenvalues, origin_scores)
step.figure("projection.png", projection)
step.save(record.model_copy(update=dict(
    n_teaser=len(teaser_rows),
    teaser_heldout=bool(len(heldout_rows)),
    teaser_psnr=teaser_psnr,
    n_scatter=len(scatter_rows),
    principal_shares=shares[:3].tolist(),
    origin_principal=origin_scores.tolist(),
    origin_plane_distance=origin_plane,
    share_farther_in_plane=float((data_plane > origin_plane).mean()),
    data_plane_distance_mean=float(data_plane.mean()),
)))
projection

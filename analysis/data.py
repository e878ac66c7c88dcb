# %% [markdown]
# # Step `data`: the training images (post I)
# Writes the images of this run as one uint8 array, the table of generating factors for
# synthetic faces, a sample grid, and how many principal components carry 90 % of the
# pixel variance.

# %% tags=["parameters"]
run_dir: str = ""  # this run's folder, build/<variant>
output_dir: str = ""  # where this step's results go (a staging folder)
step_seed: int = 0  # this step's seed, derived from the run's seed
section: dict = {}  # the `data` section of the parameter file
inputs: dict = {}  # paths of upstream results

# %%
from pathlib import Path

import numpy as np

from report import figures, results
from report.data import pixel_stats, sources
from report.params import DataParams

data = DataParams(**section)
output = Path(output_dir)

# %% papermill_description=write_images
info = sources.write_images(data, step_seed, output)
images = sources.open_images(output / "images.npy")
info

# %%
rng = np.random.default_rng(step_seed)
sample = np.sort(rng.choice(len(images), size=min(data.sample_grid, len(images)), replace=False))
grid = figures.image_grid(images[sample], columns=8)
results.save_figure(output, "sample-grid.png", grid)
grid

# %% papermill_description=pixel_pca
pca_rows = np.sort(rng.choice(len(images), size=min(data.pca_sample, len(images)), replace=False))
components_90 = pixel_stats.pixel_pca_components(
    images[pca_rows], variance=0.9, max_components=data.pca_components, seed=step_seed
)
factors_file = output / "factors.npz"
n_factors = len(np.load(factors_file).files) if factors_file.exists() else 0
results.save_stats(output, {
    **info,
    "n_factors": n_factors,
    "pca_sample": len(pca_rows),
    "pca_max_components": data.pca_components,
    "pca_components_90": components_90,
})

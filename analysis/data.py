# %% [markdown]
# # Step `data`: the training images (post I)
# Writes the images of this run as one uint8 array, the table of generating factors for
# synthetic faces, a sample grid, and how many principal components carry 90 % (by default) of
# the pixel variance.

# %% tags=["parameters"]
run_dir: str = "build/tiny"  # a finished build; the pipeline passes this run's folder
request: dict = {}  # set by the pipeline; empty: replay the last build's request for this step

# %%
from report.notebook import open_step

step = open_step("data", run_dir, request)

import numpy as np

from report import figures
from report.data import pixel_stats, sources
from report.results.data import DataResults

data, rng = step.settings, step.rng

# %% papermill_description=write_images
info = sources.write_images(data, step.seed, step.output)
images = sources.open_images(step.output / "images.npy")
info

# %%
sample = np.sort(rng.choice(len(images), size=min(data.sample_grid, len(images)), replace=False))
grid = figures.image_grid(images[sample], columns=data.grid_columns)
step.figure("sample-grid.png", grid)
grid

# %% papermill_description=pixel_pca
pca_rows = np.sort(rng.choice(len(images), size=min(data.pca_sample, len(images)), replace=False))
components = pixel_stats.pixel_pca_components(
    images[pca_rows], variance=data.pca_variance, max_components=data.pca_components, seed=step.seed
)
factors_file = step.output / "factors.npz"
n_factors = len(np.load(factors_file).files) if factors_file.exists() else 0
step.save(DataResults(
    **info,
    n_factors=n_factors,
    sample_grid=len(sample),
    pca_sample=len(pca_rows),
    pca_max_components=data.pca_components,
    pca_variance=data.pca_variance,
    pca_components_90=components,
))

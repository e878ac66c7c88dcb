# %% [markdown]
# # Step `pca`: the cloud in its principal axes (post IX)
# Eigenvalues of post VIII's covariance, their cumulative share, the leading principal coordinates
# (histograms, pair scatters with axis-aligned ellipses) and where origin and centre lie in this frame.

# %% tags=["parameters"]
run_dir: str = "build/tiny"  # a finished build; the pipeline passes this run's folder
request: dict = {}  # set by the pipeline; empty: replay the last build's request for this step

# %%
from report.notebook import open_step

step = open_step("pca", run_dir, request)

import numpy as np
from scipy import stats as sps

from report import figures
from report.data.sources import load_zpoints
from report.normal_models import open_normal
from report.results.pca import Axis, PcaResults
from report.stats import normal_fit, principal

z = load_zpoints(step.input("latents"))
settings, rng = step.settings, step.rng
model = open_normal(step)
axes, whiten = model.axes, model.whiten
ratio, cumulative = principal.explained_variance(axes.eigenvalues)
components_for = principal.components_for(axes.eigenvalues, tuple(settings.shares))
components_for

# %% papermill_description=spectrum
spectrum_figure = step.figure("spectrum.png", figures.spectrum(axes.eigenvalues, components_for))

# %% papermill_description=coordinates
n_shown = min(settings.n_histograms, z.shape[1])
pairs = [(a, b) for a, b in settings.pairs if max(a, b) < z.shape[1]]
n_coords = max([n_shown, *[max(p) + 1 for p in pairs]])
sample = np.asarray(z[normal_fit.sample_rows(len(z), settings.scatter_points, rng)])
coords = principal.principal_coordinates(sample, axes, n_axes=n_coords).astype(np.float64)
shown = []
for a in range(n_shown):
    x = coords[:, a]
    top = np.argsort(-np.abs(axes.eigenvectors[:, a]), kind="stable")[:3]
    shown.append(Axis(axis=a, eigenvalue=float(axes.eigenvalues[a]),
                      sd=float(np.sqrt(axes.eigenvalues[a])), std=float(x.std()),
                      skewness=float(sps.skew(x)), excess_kurtosis=float(sps.kurtosis(x)),
                      p_value=float(sps.normaltest(x).pvalue) if len(x) >= 20 else 1.0,
                      top_components=top.tolist(), top_loadings=axes.eigenvectors[top, a].tolist()))
r = np.corrcoef(coords[:, :n_coords], rowvar=False)
max_abs_r = float(np.max(np.abs(r[np.triu_indices_from(r, k=1)]))) if n_coords > 1 else 0.0
histogram_figure = step.figure("principal-histograms.png",
                               figures.principal_histograms(coords[:, :n_shown], axes.eigenvalues[:n_shown]))
origin_coordinates = principal.origin_in_frame(whiten, axes)["coordinates"]
scatter_figure = step.figure("principal-scatter.png", figures.principal_scatter(
    coords, pairs, axes.eigenvalues, origin_coordinates))
[(a.axis, round(a.std, 3), round(a.p_value, 3)) for a in shown], max_abs_r

# %%
step.save(PcaResults(
    n_points=len(z),
    z_dim=z.shape[1],
    eigenvalues=axes.eigenvalues.tolist(),
    explained_variance_ratio=ratio.tolist(),
    components_for=components_for,
    n_regularised=whiten.n_regularised,
    axes=shown,
    sample_size=len(sample),
    max_abs_r=max_abs_r,
    pairs=pairs,
    origin_coordinates=origin_coordinates,
    alpha=model.record.normality.alpha,
    figures={"spectrum": spectrum_figure, "histograms": histogram_figure, "scatter": scatter_figure},
))

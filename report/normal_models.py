"""The fitted normal model of post VIII as files, for the steps after it (posts IX, X, the scoreboard).

`normal_fit` writes the mean and covariance of all z-points (`mean.npy`, `covariance.npy`) and the
two Gaussian mixtures it samples from (`mixtures.npz`: the best-BIC K and the fixed K of RAE);
`open_normal` reads them back with the principal axes and the whitening post VIII stated.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

import numpy as np

from report.results.normal_fit import NormalFitResults
from report.stats.normal_fit import MixtureFit
from report.stats.principal import PrincipalAxes, Whitening, principal_axes, whitening

MEAN_FILE = "mean.npy"
COVARIANCE_FILE = "covariance.npy"
MIXTURES_FILE = "mixtures.npz"


def save_mixtures(folder: Path, fit: MixtureFit, ks: tuple[int, ...]) -> None:
    """Weights, means and covariances of the fitted K-component mixtures for each K in ks."""
    arrays = {"n_dims": np.array(fit.n_dims)}
    for k in ks:
        model = fit.models[k]
        arrays.update({f"weights_{k}": model.weights_, f"means_{k}": model.means_,
                       f"covariances_{k}": model.covariances_})
    np.savez(Path(folder) / MIXTURES_FILE, **arrays)


@dataclass(frozen=True)
class NormalModel:
    """Post VIII's fit: the principal axes of N(mu, Sigma), the stated whitening, the mixtures."""

    record: NormalFitResults
    axes: PrincipalAxes
    whiten: Whitening
    mixtures: MixtureFit  # models hold weights_, means_, covariances_ (enough for sample_mixture)


def open_normal(step) -> NormalModel:
    """Post VIII's model for a step that needs normal_fit (a `report.notebook.StepContext`)."""
    record = step.upstream(NormalFitResults)
    mean = np.load(step.upstream_file("normal_fit", MEAN_FILE))
    covariance = np.load(step.upstream_file("normal_fit", COVARIANCE_FILE))
    axes = principal_axes(mean, covariance)
    whiten = whitening(axes, rule=record.mahalanobis.rule, relative_floor=record.mahalanobis.relative_floor)
    stored = np.load(step.upstream_file("normal_fit", MIXTURES_FILE))
    models = {}
    for k in {record.mixture.best_k, record.mixture.fixed_k}:
        models[k] = SimpleNamespace(weights_=stored[f"weights_{k}"], means_=stored[f"means_{k}"],
                                    covariances_=stored[f"covariances_{k}"])
    mixtures = MixtureFit(axes, int(stored["n_dims"]), record.mixture.n_points, record.mixture.bic,
                          record.mixture.best_k, models, record.mixture.fixed_k)
    return NormalModel(record, axes, whiten, mixtures)

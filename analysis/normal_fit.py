# %% [markdown]
# # Step `normal_fit`: the cloud as a multivariate normal (post VIII)
# Mean and full covariance of all z-points; per-component and multivariate normality tests;
# squared Mahalanobis distances against chi-square; 1/2/3-sigma ellipses in chosen planes;
# Gaussian mixtures chosen by BIC and K = 10 (RAE); decodes of samples from the fitted models.

# %% tags=["parameters"]
run_dir: str = "build/tiny"  # a finished build; the pipeline passes this run's folder
request: dict = {}  # set by the pipeline; empty: replay the last build's request for this step

# %%
from report.notebook import open_step

step = open_step("normal_fit", run_dir, request)

import numpy as np
from scipy import stats as sps

from report import figures
from report.cloud import open_decoding
from report.data.sources import load_zpoints
from report.face_verdicts import CLEAR
from report.facelike.scorer import FaceScorer
from report.normal_models import COVARIANCE_FILE, MEAN_FILE, save_mixtures
from report.results import normal_fit as record
from report.stats import normal_fit, principal

z = load_zpoints(step.input("latents"))
settings, rng = step.settings, step.rng
n_points, z_dim = z.shape
mean, covariance = normal_fit.mean_and_covariance(z)
np.save(step.output / MEAN_FILE, mean)
np.save(step.output / COVARIANCE_FILE, covariance)
axes = principal.principal_axes(mean, covariance)
rule = step.shared("analysis.mahalanobis")
whiten = principal.whitening(axes, rule=rule.regularisation, relative_floor=rule.relative_floor)
decoding = open_decoding(step, settings.reference_images)
scorer = FaceScorer.open(step) if decoding else None  # None until face_measure has run
confidence = step.shared("analysis.uncertainty").confidence_level
n_shown = settings.rows * settings.columns
(n_points, z_dim, whiten.summary())

# %% papermill_description=normality_tests
components = normal_fit.component_normality(z, rng, sample_size=settings.component_sample,
                                            test=settings.component_test, alpha=settings.alpha)
p_values = np.nan_to_num(np.asarray(components["p_values"], dtype=float), nan=1.0)
component_normality = record.ComponentNormality(
    test=components["test"], n_points=components["n_points"], alpha=settings.alpha,
    share_rejected=components["share_rejected"], n_rejected=int((p_values < settings.alpha).sum()),
    worst=np.argsort(p_values, kind="stable")[:5].tolist())
test = normal_fit.multivariate_normality(z, mean, covariance, rng, sample_size=settings.test_sample,
                                         n_dims=settings.test_dims, alpha=settings.alpha)
normality = record.Normality(test=test["test"], n_points=test["n_points"], statistic=test["statistic"],
                      p_value=test["p_value"], normal=test["normal"], dims=test["dims"],
                      axes_from=test["axes_from"], alpha=settings.alpha)
component_normality.share_rejected, normality

# %% papermill_description=mahalanobis
d2 = normal_fit.mahalanobis_sq(z, whiten)
summary = normal_fit.mahalanobis_summary(d2, whiten.dof)
qq = normal_fit.chi2_qq(d2, whiten.dof)
qq_figure = step.figure("mahalanobis-qq.png", figures.mahalanobis_qq(qq["observed"], qq["expected"], whiten.dof))
mahalanobis = record.Mahalanobis(
    mean=summary["mean"], std=summary["std"], expected_mean=summary["expected_mean"],
    expected_std=summary["expected_std"], dof=whiten.dof, rule=whiten.rule, relative_floor=whiten.relative_floor,
    n_regularised=whiten.n_regularised, share_beyond_p99=float(np.mean(d2 > sps.chi2.ppf(0.99, whiten.dof))),
    figure=qq_figure)
mahalanobis

# %% papermill_description=ellipses
if settings.planes:
    chosen = []
    for i, j in settings.planes:
        energy = axes.eigenvalues * (axes.eigenvectors[i] ** 2 + axes.eigenvectors[j] ** 2)
        sees = int(np.argmax(energy))
        chosen.append({"i": min(i, j), "j": max(i, j), "axis": sees, "sees_axis": sees,
                       "sees_share": float(energy[sees] / energy.sum())})
else:
    chosen = normal_fit.choose_planes(axes, n_planes=settings.n_planes)
fits = [normal_fit.plane_ellipses(z, mean, covariance, p["i"], p["j"]) for p in chosen]
planes = [record.Plane(**p, angle_deg=f["angle_deg"],
                r=float(covariance[p["i"], p["j"]] / np.sqrt(covariance[p["i"], p["i"]] * covariance[p["j"], p["j"]])))
          for p, f in zip(chosen, fits)]
ellipses = [record.EllipseShare(i=e["i"], j=e["j"], k=int(e["k"]), share=e["share"], expected_share=e["expected_share"])
            for f in fits for e in f["ellipses"]]
scatter = np.asarray(z[normal_fit.sample_rows(n_points, settings.scatter_points, rng)])
ellipse_figure = step.figure("ellipses.png", figures.ellipse_planes(scatter, fits))
[(e.i, e.j, e.k, round(e.share, 3), round(e.expected_share, 3)) for e in ellipses]

# %% papermill_description=mixtures
fit = normal_fit.fit_mixtures(z, axes, rng, k_range=settings.mixture_k, fixed_k=settings.fixed_k,
                              sample_size=settings.mixture_sample, n_dims=settings.mixture_dims)
save_mixtures(step.output, fit, tuple(sorted({fit.best_k, fit.fixed_k})))
mixture = record.Mixture(**fit.summary(), figure=step.figure("mixture-bic.png", figures.bic_curve(fit.bic, fit.best_k)))
mixture.best_k, mixture.bic

# %% papermill_description=samples
draws = {
    "normal": ("N(μ, Σ)", principal.sample_principal(axes, n_shown, rng)),
    "mixture-best": (f"mixture, K = {fit.best_k} (lowest BIC)", normal_fit.sample_mixture(fit, fit.best_k, n_shown, rng)[0]),
    "mixture-fixed": (f"mixture, K = {fit.fixed_k} (as in RAE)", normal_fit.sample_mixture(fit, fit.fixed_k, n_shown, rng)[0]),
}
samples = []  # the yardstick of decoded real z-points is post V's (statistical_points), measured once there
for name, (title, vectors) in draws.items():
    values = dict(name=name, title=title,
                  mahalanobis_mean=float(np.sqrt(normal_fit.mahalanobis_sq(vectors, whiten)).mean()))
    if decoding:
        decodes = decoding.decode(vectors)
        verdicts = scorer.verdicts(decodes) if scorer else None  # the grid frames each decode in its verdict's colour
        values["figure"] = step.figure(f"decodes-{name}.png", figures.image_grid(decodes, columns=settings.columns,
                                                                                 faces=verdicts))
        values["nearest_image_distance"], values["pixel_spread"] = decoding.scores(decodes)
        values["pixel_spread_interval"] = decoding.spread_interval(decodes, confidence)
        if scorer:
            values["face_share"] = float(np.mean(verdicts == CLEAR))
    samples.append(record.Samples(**values))
[(s.name, round(s.mahalanobis_mean, 2), s.nearest_image_distance) for s in samples]

# %%
step.save(record.NormalFitResults(
    n_points=n_points,
    z_dim=z_dim,
    has_decoder=decoding is not None,
    component_normality=component_normality,
    normality=normality,
    mahalanobis=mahalanobis,
    planes=planes,
    ellipses=ellipses,
    ellipse_figure=ellipse_figure,
    mixture=mixture,
    grid=(settings.rows, settings.columns),
    samples=samples,
    scatter_points=len(scatter),
    n_reference_images=len(decoding.reference) if decoding else None,
))

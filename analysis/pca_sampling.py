# %% [markdown]
# # Step `pca_sampling`: latent vectors drawn in the principal frame (post X)
# In the frame of post IX, vectors are drawn inside chosen Mahalanobis shells (direction uniform on
# the sphere, radius from the chi law restricted to the shell) and from N(0, lambda_k) on every
# axis, mapped back with z = mu + V diag(sqrt(lambda)) w and decoded, one grid per generator.

# %% tags=["parameters"]
run_dir: str = "build/tiny"  # a finished build; the pipeline passes this run's folder
request: dict = {}  # set by the pipeline; empty: replay the last build's request for this step

# %%
from report.notebook import open_step

step = open_step("pca_sampling", run_dir, request)

import numpy as np
from scipy import stats as sps

from report import figures
from report.cloud import open_decoding
from report.data.sources import load_zpoints
from report.face_verdicts import CLEAR
from report.facelike.scorer import FaceScorer
from report.normal_models import open_normal
from report.results.pca_sampling import PcaSamplingResults, ShellSample
from report.stats import normal_fit, principal

settings, rng = step.settings, step.rng
z = load_zpoints(step.input("latents"))
model = open_normal(step)
axes, whiten = model.axes, model.whiten
root = float(np.sqrt(whiten.dof))
data_d = np.sqrt(normal_fit.mahalanobis_sq(z, whiten))
decoding = open_decoding(step, settings.reference_images)
scorer = FaceScorer.open(step) if decoding else None  # None until face_measure has run
confidence = step.shared("analysis.uncertainty").confidence_level
n_shown = settings.rows * settings.columns
(whiten.dof, round(float(data_d.mean()), 2))

# %% papermill_description=draws
generators = []
for number, (low, high) in enumerate(settings.shells, start=1):
    vectors = principal.sample_shell(whiten, settings.n_vectors, rng, r_low=low * root, r_high=high * root)
    generators.append((dict(name=f"shell-{number}", kind="shell", low=low, high=high, r_low=low * root,
                            r_high=high * root, data_share=float(np.mean((data_d >= low * root) & (data_d < high * root)))),
                       vectors))
generators.append((dict(name="normal", kind="normal", low=None, high=None, r_low=None, r_high=None, data_share=None),
                   principal.sample_principal(axes, settings.n_vectors, rng)))
samples = []
for values, vectors in generators:
    values = dict(values, mahalanobis_mean=float(np.sqrt(normal_fit.mahalanobis_sq(vectors, whiten)).mean()),
                  distance_mean=float(np.linalg.norm(vectors - axes.mean, axis=1).mean()))
    if decoding:
        decodes = decoding.decode(vectors[:n_shown])
        verdicts = scorer.verdicts(decodes) if scorer else None  # the grid frames each decode in its verdict's colour
        values["figure"] = step.figure(f"{values['name']}.png", figures.image_grid(decodes, columns=settings.columns,
                                                                                   faces=verdicts))
        values["nearest_image_distance"], values["pixel_spread"] = decoding.scores(decodes)
        values["pixel_spread_interval"] = decoding.spread_interval(decodes, confidence)
        if scorer:
            values["face_share"] = float(np.mean(verdicts == CLEAR))
    samples.append(ShellSample(**values))
[(s.name, round(s.mahalanobis_mean, 2), s.data_share, s.nearest_image_distance) for s in samples]

# %%
step.save(PcaSamplingResults(
    n_points=len(z),
    z_dim=z.shape[1],
    has_decoder=decoding is not None,
    dof=whiten.dof,
    root_dof=root,
    grid=(settings.rows, settings.columns),
    n_vectors=settings.n_vectors,
    data_share_within_3=float(np.mean(data_d < 3)),
    expected_share_within_3=float(sps.chi2.cdf(9, whiten.dof)),
    samples=samples,
    n_reference_images=len(decoding.reference) if decoding else None,
))

# %% [markdown]
# # Step `scoreboard`: every generator on the same face measure
# Reconstructions (the ceiling), uniform vectors (V), per-component intervals (VII), path points (VI),
# N(mu, Sigma) and Gaussian mixtures (VIII), principal-frame shells (X) and N(0, I) as in RAE:
# the same number of decodes each, scored by face_measure's FaceScorer. Ranked by face coverage:
# the share of real reference images whose k-NN ball holds a decode that counts as a face (the
# number of faces and their variety at once), then by the Fréchet distance, each face coverage with its interval
# (over the decodes and over the reference images); generators whose intervals overlap share a rank group.

# %% tags=["parameters"]
run_dir: str = "build/tiny"  # a finished build; the pipeline passes this run's folder
request: dict = {}  # set by the pipeline; empty: replay the last build's request for this step

# %%
from report.notebook import open_step

step = open_step("scoreboard", run_dir, request)

import numpy as np

from report import figures, generators
from report.cloud import open_decoding
from report.data.sources import load_zpoints
from report.face_verdicts import FAINT
from report.facelike.scorer import FaceScorer
from report.normal_models import open_normal
from report.results.distributions import DistributionsResults
from report.results.intervals import IntervalsResults
from report.results.paths import PathsResults
from report.results.pca_sampling import PcaSamplingResults
from report.results.scoreboard import GeneratorScore, ScoreboardResults, rank, verdict_distances
from report.stats import normal_fit
from report.stats.coverage import coverage_interval

model = open_normal(step)
z = load_zpoints(step.input("latents"))
settings, rng = step.settings, step.rng
uncertainty = step.shared("analysis.uncertainty")
distributions = step.upstream(DistributionsResults)
intervals = step.upstream(IntervalsResults)
paths = step.upstream(PathsResults)
shells = step.upstream(PcaSamplingResults)
centre, _, half_widths = distributions.columns()
decoding = open_decoding(step, 1)
scorer = FaceScorer.open(step) if decoding else None
n = settings.n_decodes
data_d = np.sqrt(normal_fit.mahalanobis_sq(z, model.whiten))
(decoding is not None, scorer is not None, n)

# %% papermill_description=generators
real = np.asarray(z[normal_fit.sample_rows(len(z), n, rng)], dtype=np.float64)
drawn = [generators.Generator("reconstructions", "reconstructions", "ceiling", "I", real)]
drawn += generators.all_generators(
    len(real), rng, z_dim=z.shape[1], matching_b=distributions.matching_b, centre=centre, half_widths=half_widths,
    width=intervals.width, factors=intervals.factors,
    plane_paths=[(p.plane[0], p.plane[1], p.angle or 0.0) for p in paths.paths if p.plane is not None],
    extent=paths.extent, axes=model.axes, whiten=model.whiten, mixtures=model.mixtures,
    shells=[(s.low, s.high) for s in shells.samples if s.kind == "shell"])
[(g.name, g.vectors.shape) for g in drawn]

# %% papermill_description=scores
scores, examples, example_verdicts, n_reference = [], [], [], None
if scorer is not None:
    for g in drawn:
        decodes = decoding.decode(g.vectors)
        judged = scorer.scores(decodes)
        record = scorer.score_set(decodes, g.name, judged)
        reached = scorer.face_reach(judged)  # (reference images, decodes)
        n_reference = len(reached)
        interval = coverage_interval(reached, uncertainty.confidence_level)
        mahalanobis = np.sqrt(normal_fit.mahalanobis_sq(g.vectors, model.whiten))
        scores.append(dict(record, face_coverage=scorer.face_coverage(judged), face_coverage_interval=interval,
                           title=g.title, family=g.family, post=g.post, mahalanobis_mean=float(mahalanobis.mean()),
                           length_mean=float(np.linalg.norm(g.vectors, axis=1).mean()),
                           faint_share=float(np.mean(judged.verdicts == FAINT)),
                           **verdict_distances(mahalanobis, judged.verdicts, uncertainty.confidence_level)))
        examples.append(decodes[:settings.n_examples])
        example_verdicts.append(judged.verdicts[:settings.n_examples])
ranked = rank(scores, resolution=1 / n_reference if n_reference else 0.0)
[(s["rank_group"], s["name"], round(s["face_coverage"], 4), [round(x, 4) for x in s["face_coverage_interval"]],
  round(s["face_share"], 3), round(s["fd"], 2)) for s in ranked]

# %%
figure = examples_figure = None
if ranked:
    figure = step.figure("scoreboard.png", figures.scoreboard(
        [s["title"] for s in ranked], [s["face_coverage"] for s in ranked],
        "face coverage (share of real images reached\nby a decode that counts as a face)",
        intervals=[s["face_coverage_interval"] for s in ranked], groups=[s["rank_group"] for s in ranked]))
    order = {g.name: k for k, g in enumerate(drawn)}
    rows = [examples[order[s["name"]]] for s in ranked]
    row_verdicts = [example_verdicts[order[s["name"]]] for s in ranked]
    titles = [f"{s['rank_group']} · {s['name']}" if k == 0 else ""  # the group: the order within one is no ranking
              for s, row in zip(ranked, rows) for k in range(len(row))]
    examples_figure = step.figure("examples.png", figures.image_grid(np.concatenate(rows), columns=settings.n_examples,
                                                                     titles=titles, faces=np.concatenate(row_verdicts)))
step.save(ScoreboardResults(
    has_decoder=decoding is not None,
    has_face_measure=scorer is not None,
    n_decodes=len(real),
    n_reference=n_reference,
    confidence_level=uncertainty.confidence_level,
    z_dim=z.shape[1],
    data_mahalanobis_mean=float(data_d.mean()),
    generators=[GeneratorScore(**s) for s in ranked],
    primary_space=scorer.primary if scorer else None,
    figure=figure,
    examples_figure=examples_figure,
))

# %% [markdown]
# # Step `statistical_points`: decoding simple statistical z-points (post V)
# Vectors with independent components uniform in [-b, b], for several b and the b whose radii
# match the data's (post II): where each batch lies relative to the data, and what the decoder makes of it.

# %% tags=["parameters"]
run_dir: str = "build/tiny"  # a finished build; the pipeline passes this run's folder
request: dict = {}  # set by the pipeline; empty: replay the last build's request for this step

# %%
from report.notebook import open_step

step = open_step("statistical_points", run_dir, request)

import numpy as np

from report import figures, samplers, stats
from report.cloud import open_cloud, open_decoding
from report.face_verdicts import clear_share
from report.results.face_measure import FaceCount
from report.results.statistical_points import (
    AdaptedBatch,
    StatisticalPointsResults,
    UniformBatch,
    uniform_b_with_matching,
)
from report.stats import positions

settings, rng = step.settings, step.rng
cloud = open_cloud(step)
low, high = positions.component_ranges(cloud.z)
data_radii = stats.radii(cloud.z)
radius_low, radius_high = np.percentile(data_radii, [1, 99])
data_sample = cloud.sample(settings.data_sample, rng)
data_mahalanobis = cloud.mahalanobis(data_sample)
matching_b = round(cloud.distributions.matching_b, 2)
uniform_b = uniform_b_with_matching(settings.uniform_b, cloud.distributions.matching_b)
uniform_b

# %%
n_shown = settings.rows * settings.columns
decoding = open_decoding(step, settings.reference_images)
# The yardstick of posts V-X, measured once here: decodes of randomly drawn real z-points, their distance to
# the nearest training image and their share of faces; the comparison grid shows the first of them.
real_distance = real_spread = real_spread_interval = real_faces = real_face_share = real_sample = None
confidence = step.shared("analysis.uncertainty").confidence_level
if decoding:
    real_decodes = decoding.decode(cloud.sample(max(n_shown, settings.scored_decodes), rng))
    real_marks = decoding.faces(real_decodes)
    shown_marks = None if real_marks is None else real_marks[:n_shown]
    step.figure("real-reconstructions.png",
                figures.image_grid(real_decodes[:n_shown], columns=settings.columns, faces=shown_marks))
    real_distance, real_spread = decoding.scores(real_decodes)
    real_spread_interval = decoding.spread_interval(real_decodes, confidence)
    real_sample = len(real_decodes)
    real_faces = FaceCount.of(shown_marks) if shown_marks is not None else None
    real_face_share = clear_share(real_marks) if real_marks is not None else None

# %% papermill_description=batches
batches = []
for b in uniform_b:
    vectors = stats.uniform_vectors(settings.n_vectors, cloud.z_dim, b, rng)
    batch = dict(b=b, is_matching_b=b == matching_b, figure=None, **positions.batch_position(
        vectors, low, high, (radius_low, radius_high), cloud.whiten))
    if decoding:
        judged = decoding.decode(vectors[:max(n_shown, settings.scored_decodes)])
        decodes, marks = judged[:n_shown], decoding.faces(judged)
        shown_marks = None if marks is None else marks[:n_shown]
        batch["figure"] = step.figure(f"uniform-b-{b:g}.png",
                                      figures.image_grid(decodes, columns=settings.columns, faces=shown_marks))
        batch["nearest_image_distance"], batch["pixel_spread"] = decoding.scores(decodes)
        batch["pixel_spread_interval"] = decoding.spread_interval(decodes, confidence)
        if marks is not None:
            batch.update(faces=FaceCount.of(shown_marks), face_share=clear_share(marks), n_scored=len(marks))
    batches.append(UniformBatch(**batch))
[(batch.b, round(batch.mahalanobis_mean, 1)) for batch in batches]

# %% [markdown]
# The adapted generator the post sketches: centred on c, each component uniform in its own range
# c_j +/- adapted_width_stds x std_j, still independent of the others.

# %%
vectors = samplers.interval_vectors(cloud.centre, cloud.stds, settings.adapted_width_stds, settings.n_vectors, rng)
adapted = dict(width_stds=settings.adapted_width_stds, figure=None, **positions.batch_position(
    vectors, low, high, (radius_low, radius_high), cloud.whiten))
if decoding:
    judged = decoding.decode(vectors[:max(n_shown, settings.scored_decodes)])
    marks = decoding.faces(judged)
    shown_marks = None if marks is None else marks[:n_shown]
    adapted["figure"] = step.figure("adapted.png", figures.image_grid(judged[:n_shown], columns=settings.columns,
                                                                      faces=shown_marks))
    adapted["nearest_image_distance"], adapted["pixel_spread"] = decoding.scores(judged[:n_shown])
    adapted["pixel_spread_interval"] = decoding.spread_interval(judged[:n_shown], confidence)
    if marks is not None:
        adapted.update(faces=FaceCount.of(shown_marks), face_share=clear_share(marks), n_scored=len(marks))
adapted = AdaptedBatch(**adapted)
round(adapted.mahalanobis_mean, 1), adapted.face_share

# %%
step.save(StatisticalPointsResults(
    n_points=cloud.n_points,
    z_dim=cloud.z_dim,
    regularisation=cloud.regularisation,
    has_decoder=decoding is not None,
    uniform_b=uniform_b,
    matching_b=cloud.distributions.matching_b,
    data_radius_mean=float(data_radii.mean()),
    data_radius_range=(float(radius_low), float(radius_high)),
    n_vectors=settings.n_vectors,
    grid=(settings.rows, settings.columns),
    batches=batches,
    real_nearest_image_distance=real_distance,
    real_pixel_spread=real_spread,
    real_pixel_spread_interval=real_spread_interval,
    data_mahalanobis_mean=float(data_mahalanobis.mean()),
    n_data_sample=len(data_sample),
    n_reference_images=len(decoding.reference) if decoding else None,
    real_faces=real_faces,
    real_sample=real_sample,
    real_face_share=real_face_share,
    adapted=adapted,
))

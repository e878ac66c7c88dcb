# %% [markdown]
# # Step `face_measure`: is this a face? A measure outside the autoencoder (post I)
# Two feature spaces fixed by the step's seed and independent of the autoencoder: a randomly
# initialised network (never trained) and a small network trained on the training images for
# another task (the synthetic source's generating factors, else telling rotations apart). A
# sample of training images spans the real k-NN manifold in each. A third network, the structure
# judge, learns to tell training images from structure-destroyed copies of them (patches shuffled,
# phase scrambled, shifted blends of several faces, smooth colour fields), all blurred and
# colour-jittered alike. Every image gets a verdict: the judge's probability (structure) times how
# plausible its colour layout is against the training images' (colour) says whether a face is
# there, its contrast and detail against the training images' (clarity) whether it is clear:
# "clear face", "faint face" or "no face". Nothing here trains on decodes.
# Calibration: held-out real images, their reconstructions, blurred real images, decodes of
# uniform vectors (post I's b) and pixel noise, each scored like any decode, and the held-out real
# images blurred and washed out step by step. The spaces are saved for
# `report.facelike.scorer.FaceScorer`, which posts V-VII open.

# %% tags=["parameters"]
run_dir: str = "build/tiny"  # a finished build; the pipeline passes this run's folder
request: dict = {}  # set by the pipeline; empty: replay the last build's request for this step

# %%
from report.notebook import open_step

step = open_step("face_measure", run_dir, request)

import time

import numpy as np

from report import figures, model, stats
from report.data import sources
from report.errors import ReportError
from report.face_verdicts import CLEAR, NO_FACE, VERDICTS
from report.facelike import (
    blurred_images,
    factor_targets,
    knn_radii,
    noise_images,
    random_space,
    train_factor_network,
    train_rotation_network,
    trained_space,
)
from report.facelike.calibration import contrast_reduced, shares_by_verdict
from report.facelike.clarity import fit_clarity
from report.facelike.colour import fit_colour
from report.facelike.features import rotation_targets
from report.facelike.judge import (
    KINDS,
    judge_probability,
    judge_training_set,
    train_judge,
)
from report.facelike.scorer import FaceScorer, ScoredSpace, save_spaces
from report.results.encode import EncodeResults
from report.results.face_measure import (
    CALIBRATION_SETS,
    DEGRADATION_FIGURE,
    EXAMPLES_FIGURE,
    CalibrationSet,
    ClarityMeasure,
    ColourRule,
    DegradationPoint,
    FaceMeasureResults,
    FeatureSpaceRecord,
    JudgeRecord,
    ShareInterval,
    SpaceScores,
    VerdictRule,
)
from report.results.train import TrainResults
from report.stats.uncertainty import wilson_interval

settings, rng = step.settings.face_measure, step.rng
confidence = step.shared("analysis.uncertainty").confidence_level
random_seed, network_seed, noise_seed, kid_seed, judge_seed = (int(s) for s in rng.integers(0, 2**31 - 1, size=5))
images = sources.open_images(step.input("images"))
image_size = images.shape[1]

# The autoencoder's held-out rows, as the train step recorded them; the others it trained on.
held_out_rows = np.load(step.upstream_file("train", "validation-rows.npy"))
train_rows = np.setdiff1d(np.arange(len(images)), held_out_rows)
n_validation = step.upstream(TrainResults).history.n_validation
if len(held_out_rows) != n_validation:
    raise ReportError(f"face_measure: {len(held_out_rows)} held-out rows, but train held out {n_validation}")
if len(held_out_rows) <= settings.k:
    raise ReportError(f"face_measure: {len(held_out_rows)} held-out images; raise train.validation_split above "
                      f"{settings.k} images' worth to score real images the autoencoder never saw")
held_out_rows = np.sort(rng.choice(held_out_rows, size=min(settings.held_out_images, len(held_out_rows)),
                                   replace=False))
reference_rows = np.sort(rng.choice(train_rows, size=min(settings.reference_images, len(train_rows)), replace=False))
network_rows = np.sort(rng.choice(train_rows, size=min(settings.network_images, len(train_rows)), replace=False))
judge_rows = np.sort(rng.choice(train_rows, size=min(settings.judge_images, len(train_rows)), replace=False))
reference = np.asarray(images[reference_rows])
len(reference_rows), len(held_out_rows), len(network_rows)

# %% papermill_description=trained_network
seconds = {}
start = time.perf_counter()
factors_file = step.upstream_folder("data") / "factors.npz"
network_images = np.asarray(images[network_rows])
real = np.asarray(images[held_out_rows])
network_options = dict(filters=settings.network_filters, feature_dim=settings.network_feature_dim,
                       batch_size=settings.network_batch_size, learning_rate=settings.network_learning_rate)
if factors_file.is_file():
    task = "factors"
    with np.load(factors_file) as table:
        targets = factor_targets({name: table[name] for name in table.files})
    network = train_factor_network(network_images, targets[network_rows], network_seed, settings.network_epochs,
                                   **network_options)
    predicted = network.model.predict(real.astype(np.float32), verbose=0)
    residual = ((predicted - targets[held_out_rows]) ** 2).mean(axis=0)
    task_score = float(np.mean(1 - residual / targets[held_out_rows].var(axis=0).clip(min=1e-12)))  # mean R²
else:
    task = "rotation"
    network = train_rotation_network(network_images, network_seed, settings.network_epochs, **network_options)
    rotated, labels = rotation_targets(real, network_seed + 1)
    task_score = float((network.model.predict(rotated.astype(np.float32), verbose=0).argmax(axis=1) == labels).mean())
del network_images
seconds["trained_network"] = time.perf_counter() - start
task, round(task_score, 3), {name: round(values[-1], 4) for name, values in network.history.items()}

# %% papermill_description=judge
start = time.perf_counter()
judge = train_judge(np.asarray(images[judge_rows]), judge_seed, settings.judge_epochs, max_sigma=settings.blur_sigma,
                    filters=settings.judge_filters)
# Held out: the autoencoder's validation images and destroyed copies of them, softened alike.
check_images, check_labels = judge_training_set(real, judge_seed + 1, max_sigma=settings.blur_sigma)
judge_record = JudgeRecord(
    seed=judge_seed, n_images=len(judge_rows), epochs=settings.judge_epochs, filters=list(settings.judge_filters),
    max_sigma=settings.blur_sigma, kinds=list(KINDS), threshold=settings.judge_threshold,
    train_accuracy=judge.history["accuracy"][-1],
    held_out_accuracy=float(((judge_probability(judge.model, check_images) >= 0.5) == (check_labels == 1)).mean()))
del check_images, check_labels
seconds["judge"] = time.perf_counter() - start
judge_record

# %% papermill_description=reference
start = time.perf_counter()
spaces = {"random": random_space(reference, random_seed, filters=settings.random_filters),
          "trained": trained_space("trained", network, reference)}
saved, scored = {}, []
for name, space in spaces.items():
    features = space.features(reference)
    radii = knn_radii(features, settings.k)
    saved[name] = (space, features, radii)
    n_dead = int((features.std(axis=0) < 1e-6).sum())  # units constant on every reference image
    record = FeatureSpaceRecord(
        name=name,
        kind="random" if name == "random" else "trained",
        task=None if name == "random" else task,
        layer="features" if name == "random" else "pooled",
        seed=random_seed if name == "random" else network_seed,
        filters=list(settings.random_filters if name == "random" else settings.network_filters),
        n_features=features.shape[1],
        epochs=None if name == "random" else settings.network_epochs,
        final_loss=None if name == "random" else network.history["loss"][-1],
        task_score=None if name == "random" else task_score,
        n_dead=n_dead,
    )
    scored.append(ScoredSpace(record, space, features, radii))
# Clarity and colour are measured against the reference (training) images, so held-out real images test them out
# of sample.
clarity = fit_clarity(reference, settings.clarity_quantile, settings.detail_inner_sigma, settings.detail_outer_sigma,
                      settings.clarity_adaptation)
colour = fit_colour(reference, settings.colour_grid, settings.colour_quantile, settings.colour_floor,
                    components=settings.colour_components, folds=settings.colour_folds,
                    points_per_dimension=settings.colour_points_per_dimension, seed=int(rng.integers(0, 2**31 - 1)))
save_spaces(step.output, saved, network.pooled, judge.model, colour)
verdict_rule = VerdictRule(
    structure_threshold=settings.judge_threshold, clarity_threshold=settings.clarity_threshold,
    quantile=settings.clarity_quantile, detail_inner_sigma=settings.detail_inner_sigma,
    detail_outer_sigma=settings.detail_outer_sigma, adaptation=settings.clarity_adaptation, n_fitted=len(reference),
    colour=ColourRule(**colour.summary()),
    **{name: ClarityMeasure(**values) for name, values in clarity.to_dict().items() if isinstance(values, dict)})
scorer = FaceScorer(scored, k=settings.k, realism_percentile=settings.realism_percentile, primary="random",
                    kid_subsets=settings.kid_subsets, kid_subset_size=settings.kid_subset_size, seed=kid_seed,
                    judge=judge.model, judge_threshold=settings.judge_threshold,
                    clarity=clarity, clarity_threshold=settings.clarity_threshold, colour=colour)
seconds["reference"] = time.perf_counter() - start
[(s.name, s.n_features, s.n_dead) for s in (item.record for item in scored)], verdict_rule

# %% papermill_description=calibration
start = time.perf_counter()
encode = step.upstream(EncodeResults)
decoder = model.load_decoder(step.input("decoder"))
latents = sources.load_zpoints(step.input("latents"))
uniform_vectors = stats.uniform_vectors(settings.n_uniform, latents.shape[1], encode.uniform_b, rng)
sets = {
    "real": real,
    "reconstructions": model.decode_vectors(decoder, np.asarray(latents[held_out_rows])),
    "blurred": blurred_images(real, settings.blur_sigma),
    "uniform": model.decode_vectors(decoder, uniform_vectors),
    "noise": noise_images(settings.n_noise, image_size, np.random.default_rng(noise_seed)),
}
assert tuple(sets) == CALIBRATION_SETS
calibration, judged, judge_passed = [], {}, {}
for name, set_images in sets.items():
    scores = scorer.scores(set_images)
    judged[name] = scores.verdicts
    judge_passed[name] = scores.structure >= scores.judge_threshold
    by_space = scorer.score_set_by_space(set_images, name, scores)
    calibration.append(CalibrationSet(
        name=name,
        n_images=len(set_images),
        **dict(zip(("face_share", "faint_share", "no_face_share"), shares_by_verdict(scores.verdicts).values(), strict=True)),
        face_score_median=float(np.median(scores.face_score)),
        clarity_median=float(np.median(scores.clarity_score)),
        colour_median=float(np.median(scores.colour_score)),
        inside_share=float(scores.inside_every_space.mean()),
        judge_share=float(judge_passed[name].mean()),
        judge_median=float(np.median(scores.judge)),
        spaces={space: SpaceScores(realism_median=float(np.median(scores.realism[space])),
                                   **{key: value for key, value in record.items() if key not in ("name", "n_decodes")})
                for space, record in by_space.items()},
    ))
n_real_clear = int((judged["real"] == CLEAR).sum())
real_clear = ShareInterval(k=n_real_clear, n=len(real), share=n_real_clear / len(real),
                           **dict(zip(("low", "high"), wilson_interval(n_real_clear, len(real), confidence))),
                           confidence=confidence)
seconds["calibration"] = time.perf_counter() - start
[(c.name, round(c.face_share, 3), round(c.faint_share, 3), round(c.no_face_share, 3), round(c.face_score_median, 3))
 for c in calibration]

# %% papermill_description=degradations
# The held-out real images blurred, and washed out, step by step: where the verdicts move from clear to faint.
start = time.perf_counter()
degradations = []
for kind, amounts, degrade in (("blur", settings.degradation_blurs, blurred_images),
                               ("contrast", settings.degradation_contrasts, contrast_reduced)):
    for amount in amounts:
        scores = scorer.scores(degrade(real, amount))
        degradations.append(DegradationPoint(
            kind=kind, amount=amount, n_images=len(real), **shares_by_verdict(scores.verdicts),
            face_score_median=float(np.median(scores.face_score)),
            clarity_median=float(np.median(scores.clarity_score)),
            structure_median=float(np.median(scores.structure)),
            colour_median=float(np.median(scores.colour_score))))
seconds["degradations"] = time.perf_counter() - start
step.figure(DEGRADATION_FIGURE, figures.verdict_shares([
    (label, [p.amount for p in degradations if p.kind == kind],
     {word: [getattr(p, f"{key}_share") for p in degradations if p.kind == kind]
      for word, key in zip(VERDICTS, ("clear", "faint", "no_face"), strict=True)})
    for kind, label in (("blur", "Gaussian blur σ (pixels)"), ("contrast", "contrast factor"))]))
[(p.kind, p.amount, round(p.clear_share, 3), round(p.faint_share, 3), round(p.no_face_share, 3)) for p in degradations]

# %%
n_examples = min(settings.n_examples, *(len(images) for images in sets.values()))
labels = {"real": "held-out real", "reconstructions": "reconstructed", "blurred": f"blurred (σ {settings.blur_sigma:g})",
          "uniform": f"uniform, b = {encode.uniform_b:g}", "noise": "pixel noise"}
examples = figures.judged_rows([(labels[name], set_images[:n_examples], judged[name][:n_examples])
                                for name, set_images in sets.items()])
step.figure(EXAMPLES_FIGURE, examples)
# Real faces in the figure that the judge passes and the colour score turns away: the post names their places.
real_examples_lost_to_colour = [int(i) + 1 for i in np.flatnonzero(judge_passed["real"][:n_examples]
                                                                   & (judged["real"][:n_examples] == NO_FACE))]
step.save(FaceMeasureResults(
    image_size=image_size,
    k=settings.k,
    realism_percentile=settings.realism_percentile,
    rule="structure_and_clarity",
    verdict=verdict_rule,
    primary_space="random",
    kid_subsets=settings.kid_subsets,
    kid_subset_size=settings.kid_subset_size,
    n_reference=len(reference_rows),
    n_held_out=len(held_out_rows),
    blur_sigma=settings.blur_sigma,
    uniform_b=encode.uniform_b,
    spaces=[item.record for item in scored],
    judge=judge_record,
    calibration=calibration,
    real_clear=real_clear,
    degradations=degradations,
    degradation_figure=DEGRADATION_FIGURE,
    examples_figure=EXAMPLES_FIGURE,
    n_examples=n_examples,
    real_examples_lost_to_colour=real_examples_lost_to_colour,
    seconds={name: round(value, 2) for name, value in seconds.items()},
))

# %%
# What posts V-VII open must judge as the scorer in memory: same networks, arrays and rule.
check = np.concatenate([real[:20], sets["reconstructions"][:20], sets["noise"][:20]])
if not np.array_equal(FaceScorer.load(step.output).verdicts(check), scorer.verdicts(check)):
    raise ReportError("face_measure: the saved feature spaces judge differently from the ones just built")
examples

# %% [markdown]
# # Step `filaments`: fragments and filaments, or a normal cloud? (curse of high dimensionality II)
# The original saw thin, one-dimensional filaments around voids in zoomed projections and t-SNE maps.
# Every analysis here runs with the same settings and seeds on the z-points and on two null samples
# of the same size: N(mu, Sigma) as fitted in post VIII, and the principal scores with each column
# permuted on its own. Densities (KS tests), t-SNE, zoomed principal planes (Clark-Evans, quadrats),
# intrinsic dimension (Levina-Bickel, TwoNN) against scale, a k-NN two-sample test, the verdict,
# and decodes of the null samples judged by the face measure.

# %% tags=["parameters"]
run_dir: str = "build/tiny"  # a finished build; the pipeline passes this run's folder
request: dict = {}  # set by the pipeline; empty: replay the last build's request for this step

# %%
from report.notebook import open_step

step = open_step("filaments", run_dir, request)

import numpy as np

from report import figures
from report.cloud import open_decoding
from report.data.sources import load_zpoints
from report.face_verdicts import CLEAR
from report.normal_models import open_normal
from report.results.filaments import (
    AxisDensities,
    DimensionEstimate,
    Embedding,
    FaceSet,
    FilamentsResults,
    IntrinsicDimension,
    TwoSample,
    TwoSampleDetail,
    Window,
)
from report.stats import filaments, intrinsic, spatial
from report.stats._common import sample_rows
from report.stats.uncertainty import bootstrap_interval, intervals_overlap, mean_interval, wilson_interval

settings, rng = step.settings, step.rng
uncertainty = step.shared("analysis.uncertainty")
z_file = load_zpoints(step.input("latents"))
model = open_normal(step)
axes = model.axes
z = np.asarray(z_file[sample_rows(len(z_file), settings.n_points, rng)], dtype=np.float64)
n, z_dim = z.shape
samples = {"data": z, "normal": filaments.normal_null(axes, n, rng), "permuted": filaments.permuted_null(z, axes, rng)}
k = min(settings.k, n - 2)
(n, z_dim, k)

# %% papermill_description=intrinsic_dimension
dimensions = []
for name, x in samples.items():
    for size in intrinsic.subsample_sizes(n, settings.scale_steps, min(settings.smallest_scale, n)):
        part = x if size == n else x[sample_rows(n, size, rng)]
        distances, _ = intrinsic.knn_distances(part, k)
        terms = intrinsic.levina_bickel_terms(distances, k)
        interval = bootstrap_interval(terms, lambda t: 1.0 / t.mean(), uncertainty.confidence_level,
                                      uncertainty.bootstrap_resamples, rng)
        dimensions.append(DimensionEstimate(sample=name, n_points=size, levina_bickel=intrinsic.levina_bickel(distances, k),
                                            two_nn=intrinsic.two_nn(distances, settings.two_nn_discard),
                                            interval=interval))
full = {d.sample: d for d in dimensions if d.n_points == n}
scale = filaments.verdict_size(*({d.n_points: d.levina_bickel for d in dimensions if d.sample == name}
                                 for name in ("data", "normal")))
at_scale = {d.sample: d for d in dimensions if d.n_points == scale}
scale_figure = step.figure("dimension-scale.png", figures.dimension_scale([d.model_dump() for d in dimensions]))
[(d.sample, d.n_points, round(d.levina_bickel, 2), round(d.two_nn, 2)) for d in dimensions]

# %% papermill_description=two_sample
tests = []
test_rows = sample_rows(n, settings.test_points, rng)
for null in ("normal", "permuted"):
    result = filaments.knn_two_sample(z[test_rows], samples[null][test_rows], min(settings.test_k, 2 * len(test_rows) - 2),
                                      settings.permutations, rng)
    tests.append(TwoSampleDetail(null=null, n_points=len(test_rows), k=min(settings.test_k, 2 * len(test_rows) - 2),
                                 permutations=settings.permutations, **result))
verdict = filaments.verdict(at_scale["data"].levina_bickel, at_scale["normal"].levina_bickel, tests[0].p_value,
                            dimensions_apart=not intervals_overlap(at_scale["data"].interval, at_scale["normal"].interval),
                            alpha=settings.alpha, filament_max_dimension=settings.filament_max_dimension,
                            thin_max_dimension=settings.thin_max_dimension, thin_max_ratio=settings.thin_max_ratio)
[(t.null, round(t.statistic, 4), round(t.expected, 4), t.p_value) for t in tests], verdict

# %% papermill_description=densities
radii = {name: np.linalg.norm(x, axis=1) for name, x in samples.items()}
densities, axis_p = [], {}
for null in ("normal", "permuted"):
    ks, p = filaments.axis_ks(z, samples[null])
    axis_p[null] = p
    radius = filaments.axis_ks(radii["data"][:, None], radii[null][:, None])
    densities.append(AxisDensities(null=null, n_axes=z_dim, n_rejected=int(np.sum(p < settings.alpha)),
                                   expected_rejected=settings.alpha * z_dim, median_ks=float(np.median(ks)),
                                   radius_ks=float(radius[0][0]), radius_p_value=float(radius[1][0]),
                                   radius_mean=float(radii[null].mean())))
widest = np.argsort(-z.std(axis=0), kind="stable")[:min(settings.density_axes, z_dim)]
density_figure = step.figure("densities.png", figures.density_panels(samples, [int(a) for a in widest], radii,
                                                                     settings.bin_width, axis_p))
[(d.null, d.n_rejected, round(d.radius_p_value, 4)) for d in densities]

# %% papermill_description=tsne
tsne_rows = sample_rows(n, settings.tsne_points, rng)
inputs = [("latent", None)] + [(f"pc-{m}", m) for m in dict.fromkeys(min(m, z_dim) for m in settings.tsne_principal)]
embeddings, panels = [], []
for label, m in inputs:
    for name in ("data", "normal"):
        x = samples[name][tsne_rows]
        if m is not None:
            x = (x - axes.mean) @ axes.eigenvectors[:, :m]
        plane = filaments.tsne_embedding(x, perplexity=settings.tsne_perplexity,
                                         exaggeration_iter=settings.tsne_exaggeration_iter, n_iter=settings.tsne_iter,
                                         min_intervals=settings.tsne_min_intervals,
                                         ints_in_interval=settings.tsne_ints_in_interval, seed=step.seed % 2**31,
                                         neighbors=settings.tsne_neighbors, pca_dims=settings.tsne_pca_dims)
        kept_shares = spatial.knn_kept_shares(x, plane, min(settings.preservation_k, len(x) - 1))
        kept = float(kept_shares.mean())
        cells = spatial.cells_for(len(plane), settings.tsne_points_per_cell, len(plane))
        empty, expected_empty = spatial.empty_cell_share(plane, cells)
        embeddings.append(Embedding(input=label, dims=x.shape[1], sample=name, preservation=kept,
                                    preservation_interval=mean_interval(kept_shares, uncertainty.confidence_level),
                                    empty_share=empty, expected_empty_share=expected_empty))
        panels.append(dict(input=label, sample=name, points=plane, preservation=kept, empty_share=empty))
tsne_figure = step.figure("tsne.png", figures.embeddings(panels))
[(e.input, e.sample, round(e.preservation, 3), round(e.empty_share, 3)) for e in embeddings]

# %% papermill_description=windows
component_sd = z.std(axis=0)
spread = float(np.median(component_sd[component_sd > 0])) if np.any(component_sd > 0) else 1.0
window_scale = spread / settings.original_component_sd
# planes of axes the cloud spreads along (post VIII's floor: no window in an empty direction)
spread_axes = int(np.sum(axes.eigenvalues > model.record.mahalanobis.relative_floor * axes.eigenvalues[0]))
planes = [p for p in settings.planes if max(p) < spread_axes] or [(0, min(1, z_dim - 1))]
windows, zoom_figures, ripley_panels = [], {}, []
ripley_rng = rng.spawn(1)[0]  # its own stream: the envelope leaves every later draw as it was
for plane in planes:
    largest = settings.largest_window_sds * float(np.sqrt(max(axes.eigenvalues[plane[0]], 0.0)))
    half_widths = filaments.window_half_widths(largest, settings.original_half_width * window_scale, settings.n_windows)
    coords = {name: (x - axes.mean) @ axes.eigenvectors[:, list(plane)] for name, x in samples.items()}
    variances = (float(axes.eigenvalues[plane[0]]), float(axes.eigenvalues[plane[1]]))
    ratios = {}
    for half in half_widths:
        ripley_r = np.linspace(1, settings.ripley_radii, settings.ripley_radii) / settings.ripley_radii \
            * settings.ripley_max_radius * 2 * half
        inside = {name: spatial.in_window(c, np.zeros(2), half) for name, c in coords.items()}
        tested = [name for name, points in inside.items() if len(points) >= settings.min_window_points]
        curves = {name: spatial.ripley_l(spatial.thinned(inside[name], settings.ripley_max_points, ripley_rng),
                                         half, ripley_r) - ripley_r for name in tested}
        if curves:  # the envelope only where some sample is measured
            low, high = spatial.envelope(np.array([
                spatial.ripley_l(filaments.plane_normal_window(variances, n, half, settings.ripley_max_points,
                                                               ripley_rng), half, ripley_r) - ripley_r
                for _ in range(settings.ripley_envelope_samples)]))
            ripley_panels.append(dict(plane=plane, half_width=half, radii=ripley_r, low=low, high=high, curves=curves))
        for name, points in inside.items():
            ce, quadrat, excursion, at = None, None, None, None
            if name in curves:
                ce = spatial.clark_evans(points, half)
                quadrat = spatial.quadrat_test(points, half, spatial.cells_for(len(points), settings.points_per_cell,
                                                                               settings.max_cells_per_side))
                excursion, at = spatial.envelope_excursion(curves[name], low, high)
            ratios.setdefault(name, []).append(ce)
            windows.append(Window(plane=plane, sample=name, half_width=half, n_points=len(points), clark_evans=ce,
                                  chi2=quadrat["chi2"] if quadrat else None, dof=quadrat["dof"] if quadrat else 0,
                                  p_value=quadrat["p_value"] if quadrat else None,
                                  empty_share=quadrat["empty_share"] if quadrat else None,
                                  expected_empty_share=quadrat["expected_empty_share"] if quadrat else None,
                                  ripley_excursion=excursion, ripley_radius=None if at is None else float(ripley_r[at]),
                                  ripley_max_radius=float(ripley_r[-1])))
    shown = {name: coords[name][:settings.scatter_points] for name in ("data", "normal")}
    zoom_figures[f"zoom-{plane[0]}-{plane[1]}"] = step.figure(
        f"zoom-{plane[0]}-{plane[1]}.png",
        figures.zoom_windows(plane, half_widths, shown, {name: ratios[name] for name in shown}))
if ripley_panels:
    zoom_figures["ripley"] = step.figure("ripley.png", figures.ripley_envelopes(ripley_panels))
[(w.plane, w.sample, round(w.half_width, 3), w.n_points, w.clark_evans and round(w.clark_evans, 3),
  w.p_value and round(w.p_value, 4), w.ripley_excursion and round(w.ripley_excursion, 4)) for w in windows]

# %% papermill_description=faces
decoding = open_decoding(step, 1)
scorer = None
if decoding is not None:  # keras loads only where there is a decoder
    from report.facelike.scorer import FaceScorer

    scorer = FaceScorer.open(step)
faces, face_figure = [], None
if decoding is not None:
    rows, titles, judged = [], [], []
    decode_rows = sample_rows(n, settings.n_decodes, rng)
    for name, x in samples.items():
        decodes = decoding.decode(x[decode_rows])
        rows.append(decodes[:settings.n_examples])
        titles += [figures.filaments.SAMPLE_LABELS[name] if i == 0 else "" for i in range(len(rows[-1]))]
        if scorer is not None:
            verdicts = scorer.verdicts(decodes)
            is_face = verdicts == CLEAR
            judged += list(verdicts[:settings.n_examples])
            hits = int(is_face.sum())
            faces.append(FaceSet(sample=name, n_decodes=len(decodes), n_faces=hits, share=hits / len(decodes),
                                 interval=wilson_interval(hits, len(decodes), uncertainty.confidence_level)))
    face_figure = step.figure("decodes.png", figures.image_grid(np.concatenate(rows), columns=settings.n_examples,
                                                                titles=titles, faces=judged or None))
[(f.sample, f.n_faces, f.n_decodes) for f in faces]

# %%
figure_files = {"dimension-scale": scale_figure, "densities": density_figure, "tsne": tsne_figure, **zoom_figures}
if face_figure:
    figure_files["decodes"] = face_figure
step.save(FilamentsResults(
    n_points=n,
    z_dim=z_dim,
    intrinsic_dimension=IntrinsicDimension(data=at_scale["data"].levina_bickel, null=at_scale["normal"].levina_bickel,
                                           k=k),
    dimension_points=scale,
    two_sample=TwoSample(test="Schilling k-nearest-neighbour (same-sample share, permutation p-value)",
                         statistic=tests[0].statistic, p_value=tests[0].p_value),
    verdict=verdict,
    has_decoder=decoding is not None,
    has_face_measure=scorer is not None,
    alpha=settings.alpha,
    confidence_level=uncertainty.confidence_level,
    rules={"filament_max_dimension": settings.filament_max_dimension, "thin_max_dimension": settings.thin_max_dimension,
           "thin_max_ratio": settings.thin_max_ratio, "clark_evans_margin": settings.clark_evans_margin,
           "scale_flat": settings.scale_flat},
    two_nn={name: d.two_nn for name, d in full.items()},
    dimensions=dimensions,
    tests=tests,
    densities=densities,
    radius_mean=float(radii["data"].mean()),
    bin_width=settings.bin_width,
    embeddings=embeddings,
    tsne_points=len(tsne_rows),
    preservation_k=settings.preservation_k,
    windows=windows,
    window_scale=window_scale,
    ripley_envelope_samples=settings.ripley_envelope_samples,
    ripley_max_points=settings.ripley_max_points,
    ripley_max_radius_share=settings.ripley_max_radius,
    faces=faces,
    min_count_for_percent=uncertainty.min_count_for_percent,
    figures=figure_files,
))

"""The filaments page: intrinsic dimension, window statistics and the verdict against data of known structure."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from conftest import write_params

from report.params import load_params
from report.pipeline.run import run_steps
from report.pipeline.steps import steps_for
from report.stats import filaments, intrinsic, spatial
from report.stats.principal import principal_axes
from report.stats.uncertainty import bootstrap_interval, intervals_overlap

RULES = dict(alpha=0.01, filament_max_dimension=1.5, thin_max_dimension=8.0, thin_max_ratio=0.75)


def closed_curve(n: int, dims: int, rng: np.random.Generator, noise: float = 0.0) -> np.ndarray:
    """A smooth closed curve (a trigonometric knot of four frequencies, radius about 1), normal noise of sd
    `noise` on every one of `dims` coordinates, rotated at random."""
    t = rng.uniform(0, 2 * np.pi, n)
    freqs = np.arange(1, 5)
    x = np.concatenate([np.cos(np.outer(t, freqs)) / freqs, np.sin(np.outer(t, freqs)) / freqs], axis=1)
    x = np.pad(x, ((0, 0), (0, dims - x.shape[1]))) + noise * rng.standard_normal((n, dims))
    return x @ np.linalg.qr(rng.standard_normal((dims, dims)))[0]


def bent_manifold(n: int, d: int, dims: int, rng: np.random.Generator) -> np.ndarray:
    """A bent d-dimensional manifold: a d-cube mapped non-linearly into 3d - 1 coordinates, then into `dims`."""
    u = rng.uniform(-1, 1, (n, d))
    x = np.concatenate([u, np.sin(2 * u), np.cos(2 * u[:, :1]) * u[:, 1:]], axis=1)
    return x @ rng.standard_normal((x.shape[1], dims))


def correlated_normal(n: int, dims: int, rng: np.random.Generator) -> np.ndarray:
    """N(mu, Sigma) with variances spread over two and a half decades along random axes, centred off the origin."""
    rotation = np.linalg.qr(rng.standard_normal((dims, dims)))[0]
    return 1.0 + rng.standard_normal((n, dims)) * np.sqrt(np.geomspace(4.0, 0.01, dims)) @ rotation.T


def fitted_normal(x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    axes = principal_axes(x.mean(axis=0), np.cov(x, rowvar=False))
    return filaments.normal_null(axes, len(x), rng)


def judge(x: np.ndarray, rng: np.random.Generator, k: int = 10, steps: int = 5) -> tuple[float, float, dict, str]:
    """The step's verdict on x, as the notebook reaches it: dimensions at n, n/2, ... for x and its fitted
    normal, the size with the lowest ratio, the intervals there, the k-NN test on up to 2000 points."""
    null = fitted_normal(x, rng)
    terms = {}
    for size in intrinsic.subsample_sizes(len(x), steps, 200):
        rows = rng.choice(len(x), size, replace=False)
        terms[size] = [intrinsic.levina_bickel_terms(intrinsic.knn_distances(s[rows], k)[0], k) for s in (x, null)]
    size = filaments.verdict_size(*({s: 1 / t[i].mean() for s, t in terms.items()} for i in (0, 1)))
    id_data, id_null = (1 / t.mean() for t in terms[size])
    apart = not intervals_overlap(*(bootstrap_interval(t, lambda v: 1 / v.mean(), 0.95, 200, rng) for t in terms[size]))
    rows = rng.choice(len(x), min(len(x), 2000), replace=False)
    test = filaments.knn_two_sample(x[rows], null[rows], 10, 199, rng)
    return id_data, id_null, test, filaments.verdict(id_data, id_null, test["p_value"], dimensions_apart=apart, **RULES)


# --- brute-force references ---------------------------------------------------------------------------------------------

def brute_sorted_distances(x: np.ndarray) -> list[list[float]]:
    rows = []
    for i, a in enumerate(x):
        rows.append(sorted(math.dist(a, b) for j, b in enumerate(x) if j != i))
    return rows


def test_knn_distances_match_brute_force():
    x = np.random.default_rng(0).standard_normal((40, 5))
    distances, indices = intrinsic.knn_distances(x, 6)
    brute = brute_sorted_distances(x)
    assert np.allclose(distances, [row[:6] for row in brute])
    assert all(i not in row for i, row in enumerate(indices))


def test_levina_bickel_matches_its_formula_by_brute_force():
    x = np.random.default_rng(1).standard_normal((60, 4))
    k = 7
    inverse = []
    for row in brute_sorted_distances(x):
        inverse.append(sum(math.log(row[k - 1] / row[j]) for j in range(k - 1)) / (k - 1))
    expected = 1 / (sum(inverse) / len(inverse))  # MacKay-Ghahramani: the inverse of the mean inverse
    assert intrinsic.levina_bickel(intrinsic.knn_distances(x, k)[0], k) == pytest.approx(expected, rel=1e-10)


def test_two_nn_matches_its_formula_by_brute_force():
    x = np.random.default_rng(2).standard_normal((80, 3))
    mu = sorted(row[1] / row[0] for row in brute_sorted_distances(x))
    keep = int(len(mu) * 0.9)
    xs = [math.log(m) for m in mu[:keep]]
    ys = [-math.log(1 - (i + 1) / len(mu)) for i in range(keep)]
    expected = sum(a * b for a, b in zip(xs, ys)) / sum(a * a for a in xs)
    assert intrinsic.two_nn(intrinsic.knn_distances(x, 2)[0], 0.1) == pytest.approx(expected, rel=1e-10)


def test_clark_evans_matches_brute_force():
    points = np.random.default_rng(3).uniform(-1, 1, (50, 2))
    nearest = [min(math.dist(a, b) for j, b in enumerate(points) if j != i) for i, a in enumerate(points)]
    expected = (sum(nearest) / 50) / (0.5 * math.sqrt(4 / 50) + (0.0514 + 0.041 / math.sqrt(50)) * 8 / 50)
    assert spatial.clark_evans(points, 1.0) == pytest.approx(expected, rel=1e-12)


def test_two_sample_statistic_matches_brute_force():
    rng = np.random.default_rng(4)
    x, y = rng.standard_normal((15, 3)), rng.standard_normal((12, 3)) + 0.5
    pooled = np.concatenate([x, y])
    labels = [0] * 15 + [1] * 12
    same = 0
    for i, row in enumerate(pooled):
        order = sorted((math.dist(row, b), j) for j, b in enumerate(pooled) if j != i)[:3]
        same += sum(labels[j] == labels[i] for _, j in order)
    result = filaments.knn_two_sample(x, y, 3, 19, rng)
    assert result["statistic"] == pytest.approx(same / (27 * 3))
    assert 0 < result["p_value"] <= 1


# --- truth on data built for it -----------------------------------------------------------------------------------------

def test_closed_curve_has_dimension_one_and_is_called_filaments():
    rng = np.random.default_rng(5)
    x = closed_curve(2000, 64, rng)
    id_data, _, test, verdict = judge(x, rng)
    assert id_data == pytest.approx(1.0, abs=0.1)
    assert intrinsic.two_nn(intrinsic.knn_distances(x, 2)[0]) == pytest.approx(1.0, abs=0.1)
    assert test["p_value"] < 0.01 and verdict == "filaments"


def test_a_noisy_curve_is_still_filaments_at_the_coarser_scale():
    rng = np.random.default_rng(15)
    x = closed_curve(5000, 64, rng, noise=0.001)  # noise of norm 0.008 around a curve of radius about 1
    assert intrinsic.levina_bickel(intrinsic.knn_distances(x, 10)[0], 10) > 2  # all points: the noise shows
    id_data, _, test, verdict = judge(x, rng)
    assert id_data < 1.5 and test["p_value"] < 0.01 and verdict == "filaments"


@pytest.mark.parametrize("d", [3, 5])
def test_bent_manifold_has_its_dimension_and_is_a_thin_manifold(d):
    rng = np.random.default_rng(6 + d)
    x = bent_manifold(3000, d, 128, rng)
    id_data, id_null, test, verdict = judge(x, rng)
    assert id_data == pytest.approx(d, rel=0.15)
    assert intrinsic.two_nn(intrinsic.knn_distances(x, 2)[0]) == pytest.approx(d, rel=0.15)
    assert test["p_value"] < 0.01 and verdict == "thin-manifold" and id_null > 1.5 * id_data


def test_a_normal_is_not_told_apart_from_its_own_fit():
    rng = np.random.default_rng(7)
    x = correlated_normal(3000, 64, rng)
    id_data, id_null, test, verdict = judge(x, rng)
    assert test["p_value"] > 0.01 and verdict == "like-normal"
    assert id_data == pytest.approx(id_null, rel=0.1)


def test_verdict_size_takes_the_lowest_ratio():
    assert filaments.verdict_size({800: 9.0, 400: 2.0, 200: 1.1}, {800: 10.0, 400: 8.0, 200: 6.0}) == 200
    assert filaments.verdict_size({800: 10.0, 400: 8.0}, {800: 10.0, 400: 8.0}) == 800  # ties: the larger size


def test_uniform_square_is_random_and_a_line_is_not():
    rng = np.random.default_rng(8)
    square = rng.uniform(-1, 1, (1500, 2))
    assert spatial.clark_evans(square, 1.0) == pytest.approx(1.0, abs=0.05)
    quadrat = spatial.quadrat_test(square, 1.0, spatial.cells_for(1500, 2.0, 40))
    assert quadrat["p_value"] > 0.01
    assert quadrat["empty_share"] == pytest.approx(quadrat["expected_empty_share"], abs=0.05)
    t = rng.uniform(-1, 1, 1500)
    lines = np.column_stack([t, 0.5 * np.sin(4 * t) + 0.01 * rng.standard_normal(1500)])
    assert spatial.clark_evans(lines, 1.0) < 0.5
    assert spatial.quadrat_test(lines, 1.0, spatial.cells_for(1500, 2.0, 40))["p_value"] < 1e-6


def test_permuted_null_keeps_the_principal_marginals_and_loses_their_dependence():
    rng = np.random.default_rng(9)
    x = closed_curve(1000, 8, rng)
    axes = principal_axes(x.mean(axis=0), np.cov(x, rowvar=False))
    permuted = filaments.permuted_null(x, axes, rng)
    def scores(z):
        return (z - axes.mean) @ axes.eigenvectors
    assert np.allclose(np.sort(scores(x), axis=0), np.sort(scores(permuted), axis=0))
    assert intrinsic.levina_bickel(intrinsic.knn_distances(permuted, 10)[0], 10) > 3


def test_knn_preservation_is_one_for_the_identity_and_low_for_noise():
    rng = np.random.default_rng(10)
    plane = rng.standard_normal((300, 2))
    assert spatial.knn_preservation(plane, plane, 10) == 1.0
    assert spatial.knn_preservation(plane, rng.standard_normal((300, 2)), 10) < 0.2


def test_knn_kept_shares_count_each_points_shared_neighbours_by_brute_force():
    rng = np.random.default_rng(12)
    high, low = rng.standard_normal((40, 5)), rng.standard_normal((40, 2))

    def nearest(x, i, k):
        distances = np.linalg.norm(x - x[i], axis=1)
        distances[i] = np.inf
        return set(np.argsort(distances, kind="stable")[:k])

    brute = [len(nearest(high, i, 4) & nearest(low, i, 4)) / 4 for i in range(40)]
    np.testing.assert_allclose(spatial.knn_kept_shares(high, low, 4), brute)
    assert spatial.knn_preservation(high, low, 4) == pytest.approx(np.mean(brute))


def test_verdict_rules_in_order():
    rules = dict(RULES, dimensions_apart=True)
    assert filaments.verdict(1.1, 9.0, 0.5, **rules) == "like-normal"  # not rejected comes first
    assert filaments.verdict(1.1, 9.0, 0.001, **rules) == "filaments"
    assert filaments.verdict(3.0, 9.0, 0.001, **rules) == "thin-manifold"
    assert filaments.verdict(3.0, 9.0, 0.001, **dict(rules, dimensions_apart=False)) == "like-normal"
    assert filaments.verdict(8.0, 9.0, 0.001, **rules) == "like-normal"  # not well below the normal's
    assert filaments.verdict(12.0, 40.0, 0.001, **rules) == "like-normal"  # well below, but not a few


def test_window_half_widths_and_subsample_sizes():
    assert filaments.window_half_widths(4.0, 0.5, 4) == pytest.approx([4.0, 2.0, 1.0, 0.5])
    assert filaments.window_half_widths(1.0, 2.0, 3) == [1.0]
    assert intrinsic.subsample_sizes(1000, 4, 200) == [1000, 500, 250]


# --- the step on latent vectors given as a file -------------------------------------------------------------------------

ANALYSIS = {"normal_fit": {"mixture_k": [1, 2], "fixed_k": 2, "mixture_sample": 1000, "test_sample": 500,
                           "scatter_points": 300, "component_sample": 1000},
            "filaments": {"n_points": 1500, "test_points": 1000, "permutations": 199, "tsne_points": 300,
                          "tsne_exaggeration_iter": 50, "tsne_iter": 100, "scatter_points": 1500, "scale_steps": 2}}


def _zpoints_run(folder, name, z):
    np.save(folder / f"{name}.npy", z.astype(np.float32))
    path = write_params(folder, {"variant": name, "seed": 5,
                                 "data": {"source": "zpoints", "path": str(folder / f"{name}.npy")},
                                 "analysis": ANALYSIS}, name=f"{name}.yaml")
    params = load_params(path)
    run_dir = folder / "build" / name
    for sub in ("results", "notebooks", "logs", ".staging"):
        (run_dir / sub).mkdir(parents=True, exist_ok=True)
    run_steps(params, steps_for(params), run_dir, only="filaments", progress=False, echo=lambda line: None)
    return json.loads((run_dir / "results" / "filaments" / "stats.json").read_text())


def test_zpoints_curve_is_filaments_and_normal_is_like_normal(tmp_path):
    rng = np.random.default_rng(12)
    curve = _zpoints_run(tmp_path, "curve", closed_curve(1500, 24, rng) * 3.0)
    assert curve["verdict"] == "filaments" and curve["two_sample"]["p_value"] < 0.01
    assert curve["intrinsic_dimension"]["data"] == pytest.approx(1.0, abs=0.15)
    assert curve["intrinsic_dimension"]["k"] == 10 and curve["n_points"] == 1500 and curve["z_dim"] == 24
    normal = _zpoints_run(tmp_path, "normal", rng.standard_normal((1500, 24)) * np.linspace(2, 0.5, 24))
    assert normal["verdict"] == "like-normal" and normal["two_sample"]["p_value"] > 0.01
    assert normal["intrinsic_dimension"]["data"] == pytest.approx(normal["intrinsic_dimension"]["null"], rel=0.15)
    assert not normal["has_decoder"] and not normal["faces"]


# --- Ripley's L with an envelope ----------------------------------------------------------------------------------------

def brute_ripley_l(points: np.ndarray, half_width: float, radii: np.ndarray) -> np.ndarray:
    """L(r) by the definition: every ordered pair, translation weight A / ((W - |dx|)(W - |dy|))."""
    side, n = 2 * half_width, len(points)
    k = np.zeros(len(radii))
    for i in range(n):
        for j in range(n):
            if i != j:
                dx, dy = abs(points[i, 0] - points[j, 0]), abs(points[i, 1] - points[j, 1])
                k += (math.hypot(dx, dy) <= radii) * side**2 / ((side - dx) * (side - dy))
    return np.sqrt(side**2 / (n * (n - 1)) * k / math.pi)


def thomas_process(parents: int, children: int, spread: float, rng: np.random.Generator) -> np.ndarray:
    """Clustered points in [-1, 1]^2: `children` normal offsets (sd `spread`) around each uniform parent."""
    centres = rng.uniform(-1, 1, (parents, 2))
    points = np.repeat(centres, children, axis=0) + rng.normal(0, spread, (parents * children, 2))
    return points[np.all(np.abs(points) <= 1, axis=1)]


def test_ripley_l_matches_brute_force():
    rng = np.random.default_rng(21)
    radii = np.linspace(0.05, 0.6, 12)
    for points in (rng.uniform(-1, 1, (40, 2)), thomas_process(4, 12, 0.1, rng)):
        assert spatial.ripley_l(points, 1.0, radii) == pytest.approx(brute_ripley_l(points, 1.0, radii), rel=1e-12)
    assert np.all(np.isnan(spatial.ripley_l(np.zeros((1, 2)), 1.0, radii)))


def test_ripley_l_tells_random_from_clustered_and_regular_points():
    rng = np.random.default_rng(22)
    radii = np.linspace(0.02, 0.25, 24)
    null = np.array([spatial.ripley_l(rng.uniform(-1, 1, (400, 2)), 1.0, radii) - radii for _ in range(99)])
    low, high = spatial.envelope(null)
    # unbiased for random points: the mean of 99 curves lies near 0 at every radius
    assert np.abs(null.mean(axis=0)).max() < 0.01
    uniform = spatial.ripley_l(rng.uniform(-1, 1, (400, 2)), 1.0, radii) - radii
    assert np.mean((uniform >= low) & (uniform <= high)) > 0.9
    clustered = thomas_process(40, 10, 0.04, rng)
    excursion, at = spatial.envelope_excursion(spatial.ripley_l(clustered, 1.0, radii) - radii, low, high)
    assert excursion > 0.02 and at is not None
    side = np.linspace(-0.95, 0.95, 20)
    lattice = np.array([(a, b) for a in side for b in side])
    excursion, at = spatial.envelope_excursion(spatial.ripley_l(lattice, 1.0, radii) - radii, low, high)
    assert excursion < -0.02 and radii[at] < 0.1  # no neighbour closer than the lattice step: too few at short range


def test_envelope_excursion_is_signed_and_zero_inside():
    low, high = np.zeros(4), np.ones(4)
    assert spatial.envelope_excursion(np.full(4, 0.5), low, high) == (0.0, None)
    assert spatial.envelope_excursion(np.array([0.5, 1.3, 0.5, -0.1]), low, high) == (pytest.approx(0.3), 1)
    assert spatial.envelope_excursion(np.array([0.5, 1.1, -0.4, 0.5]), low, high) == (pytest.approx(-0.4), 2)
    rng = np.random.default_rng(23)
    points = rng.uniform(-1, 1, (50, 2))
    assert len(spatial.thinned(points, 20, rng)) == 20 and spatial.thinned(points, 80, rng) is points


def test_window_draws_of_the_plane_normal_match_cutting_a_full_draw():
    rng = np.random.default_rng(24)
    variances, half = (4.0, 0.25), 0.8
    full = [spatial.in_window(filaments.plane_normal(variances, 3000, rng), np.zeros(2), half) for _ in range(200)]
    quick = [filaments.plane_normal_window(variances, 3000, half, 10_000, rng) for _ in range(200)]
    assert np.mean([len(p) for p in quick]) == pytest.approx(np.mean([len(p) for p in full]), rel=0.02)
    a, b = np.concatenate(full), np.concatenate(quick)
    assert np.all(np.abs(b) <= half)
    for axis in (0, 1):  # the same truncated normal on each axis
        assert np.std(b[:, axis]) == pytest.approx(np.std(a[:, axis]), rel=0.03)
    assert len(filaments.plane_normal_window(variances, 3000, half, 50, rng)) == 50


def _check_ripley_findings(run_dir):
    from report.render.environment import out_of
    from report.results.filaments import FilamentsResults, findings

    results = FilamentsResults.model_validate_json((run_dir / "results" / "filaments" / "stats.json").read_text())
    found = findings(results, {})
    data = [w for w in results.windows if w.sample == "data" and w.ripley_excursion is not None]
    assert found.ripley_tested == len(data) > 0
    assert found.ripley_above + found.ripley_below == sum(w.ripley_excursion != 0 for w in data)
    for w in data:  # an excursion has its radius, within the measured range; inside has none
        assert (w.ripley_radius is None) == (w.ripley_excursion == 0)
        assert w.ripley_radius is None or 0 < w.ripley_radius <= w.ripley_max_radius
    assert results.ripley_envelope_samples == 99 and "ripley" in results.figures
    page = " ".join((run_dir / "site" / "filaments.html").read_text().split())
    assert found.ripley_leaves == found.ripley_above + found.ripley_below
    assert f"leaves the envelope in {out_of(found.ripley_leaves, found.ripley_tested, 'windows')}" in page


def test_tiny_build_reports_ripley_against_its_envelope(tiny_build):
    root, _ = tiny_build
    _check_ripley_findings(root / "tiny")

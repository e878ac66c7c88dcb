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


def closed_curve(n: int, dims: int, rng: np.random.Generator) -> np.ndarray:
    """A smooth closed curve (a trigonometric knot of dims/2 frequencies) rotated into `dims` dimensions."""
    t = rng.uniform(0, 2 * np.pi, n)
    freqs = np.arange(1, dims // 2 + 1)
    x = np.concatenate([np.cos(np.outer(t, freqs)) / freqs, np.sin(np.outer(t, freqs)) / freqs], axis=1)
    q, _ = np.linalg.qr(rng.standard_normal((x.shape[1], x.shape[1])))
    return x @ q


def bent_manifold(n: int, dims: int, rng: np.random.Generator) -> np.ndarray:
    """A bent 3-dimensional manifold: a 3-D cube mapped non-linearly into 7 coordinates, then into `dims`."""
    u = rng.uniform(-1, 1, (n, 3))
    x = np.column_stack([u, np.sin(2 * u[:, 0]), np.cos(2 * u[:, 1]) * u[:, 2], u[:, 0] * u[:, 1], np.sin(3 * u[:, 2])])
    return x @ rng.standard_normal((x.shape[1], dims))


def fitted_normal(x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    axes = principal_axes(x.mean(axis=0), np.cov(x, rowvar=False))
    return filaments.normal_null(axes, len(x), rng)


def judge(x: np.ndarray, rng: np.random.Generator, k: int = 10) -> tuple[float, float, dict, str]:
    null = fitted_normal(x, rng)
    terms = [intrinsic.levina_bickel_terms(intrinsic.knn_distances(s, k)[0], k) for s in (x, null)]
    id_data, id_null = (1 / t.mean() for t in terms)
    apart = not intervals_overlap(*(bootstrap_interval(t, lambda v: 1 / v.mean(), 0.95, 200, rng) for t in terms))
    test = filaments.knn_two_sample(x, null, 10, 199, rng)
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
    id_data, _id_null, test, verdict = judge(x, rng)
    assert id_data == pytest.approx(1.0, abs=0.1)
    assert intrinsic.two_nn(intrinsic.knn_distances(x, 2)[0]) == pytest.approx(1.0, abs=0.1)
    assert test["p_value"] < 0.01 and verdict == "filaments"


def test_bent_three_manifold_has_dimension_three_and_is_a_thin_manifold():
    rng = np.random.default_rng(6)
    x = bent_manifold(2000, 50, rng)
    id_data, id_null, _test, verdict = judge(x, rng)
    assert id_data == pytest.approx(3.0, abs=0.35)
    assert intrinsic.two_nn(intrinsic.knn_distances(x, 2)[0]) == pytest.approx(3.0, abs=0.35)
    assert verdict == "thin-manifold" and id_null > 1.5 * id_data


def test_a_normal_is_not_told_apart_from_its_own_fit():
    rng = np.random.default_rng(7)
    scales = np.linspace(3.0, 0.5, 20)
    x = rng.standard_normal((2000, 20)) * scales @ np.linalg.qr(rng.standard_normal((20, 20)))[0] + 1.0
    id_data, id_null, test, verdict = judge(x, rng)
    assert test["p_value"] > 0.01 and verdict == "like-normal"
    assert id_data == pytest.approx(id_null, rel=0.1)


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

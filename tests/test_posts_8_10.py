"""Posts VIII-X and the scoreboard: schemas, findings, generators, and zpoints runs that recover what was planted."""

from __future__ import annotations

import json

import numpy as np
import pytest
from conftest import write_params
from scipy import stats as sps

from report import generators
from report.face_verdicts import CLEAR, FAINT, NO_FACE
from report.params import load_params
from report.pipeline.run import run_steps
from report.pipeline.steps import steps_for
from report.results import validate_results
from report.results.normal_fit import NormalFitResults
from report.results.normal_fit import findings as normal_findings
from report.results.pca import PcaResults
from report.results.pca import findings as pca_findings
from report.results.scoreboard import ScoreboardResults, rank, verdict_distances
from report.results.scoreboard import findings as scoreboard_findings
from report.stats import normal_fit, principal

# --- a known multivariate normal and a known mixture, as zpoints files -------------------------------------------------

Z_DIM = 24
PLANTED_EIGENVALUES = np.array([20.0, 8.0, 4.0, 1.0] + [0.01] * (Z_DIM - 4))  # 90 %: 3 axes (96 %), 99 %: 4 (99.4 %)
PLANTED_MEAN = np.linspace(-1.0, 1.0, Z_DIM)
N_CLUSTERS = 3


def _rotation(rng, n):
    q, r = np.linalg.qr(rng.standard_normal((n, n)))
    return q * np.sign(np.diag(r))


def _run(folder, name, z, analysis, only):
    np.save(folder / f"{name}.npy", z.astype(np.float32))
    params_path = write_params(folder, {"variant": name, "seed": 5,
                                        "data": {"source": "zpoints", "path": str(folder / f"{name}.npy")},
                                        "analysis": analysis}, name=f"{name}.yaml")
    params = load_params(params_path)
    run_dir = folder / "build" / name
    for sub in ("results", "notebooks", "logs", ".staging"):
        (run_dir / sub).mkdir(parents=True, exist_ok=True)
    run_steps(params, steps_for(params), run_dir, only=only, progress=False, echo=lambda line: None)
    return run_dir


def _stats(run_dir, step):
    return json.loads((run_dir / "results" / step / "stats.json").read_text())


@pytest.fixture(scope="module")
def normal_run(tmp_path_factory):
    rng = np.random.default_rng(11)
    rotation = _rotation(rng, Z_DIM)
    z = PLANTED_MEAN + (rng.standard_normal((6000, Z_DIM)) * np.sqrt(PLANTED_EIGENVALUES)) @ rotation.T
    analysis = {"normal_fit": {"mixture_k": [1, 2, 3], "fixed_k": 3, "mixture_sample": 3000, "test_sample": 1000,
                               "scatter_points": 500, "component_sample": 2000},
                "pca": {"scatter_points": 500, "n_histograms": 4}}
    return _run(tmp_path_factory.mktemp("normal"), "planted-normal", z, analysis, "pca"), z


@pytest.fixture(scope="module")
def mixture_run(tmp_path_factory):
    rng = np.random.default_rng(12)
    centres = np.zeros((N_CLUSTERS, Z_DIM))
    for k in range(N_CLUSTERS):
        centres[k, k] = 12.0  # well separated: 12 standard deviations apart along their own axes
    labels = rng.integers(N_CLUSTERS, size=4500)
    z = centres[labels] + rng.standard_normal((4500, Z_DIM))
    analysis = {"normal_fit": {"mixture_k": [1, 2, 3, 4, 5], "fixed_k": 3, "mixture_sample": 3000,
                               "test_sample": 1000, "scatter_points": 500, "component_sample": 2000}}
    return _run(tmp_path_factory.mktemp("mixture"), "planted-mixture", z, analysis, "normal_fit")


def test_pca_recovers_the_planted_spectrum(normal_run):
    run_dir, _ = normal_run
    stats = _stats(run_dir, "pca")
    assert len(stats["eigenvalues"]) == Z_DIM
    assert stats["eigenvalues"] == sorted(stats["eigenvalues"], reverse=True)
    np.testing.assert_allclose(stats["eigenvalues"][:4], PLANTED_EIGENVALUES[:4], rtol=0.1)
    np.testing.assert_allclose(stats["eigenvalues"][4:], PLANTED_EIGENVALUES[4:], rtol=0.2)
    assert sum(stats["explained_variance_ratio"]) == pytest.approx(1.0)
    expected = principal.components_for(PLANTED_EIGENVALUES)
    assert stats["components_for"] == expected == {"0.9": 3, "0.99": 4}


def test_normal_fit_accepts_the_planted_normal_and_recovers_its_shape(normal_run):
    run_dir, z = normal_run
    stats = _stats(run_dir, "normal_fit")
    assert stats["n_points"] == len(z) and stats["z_dim"] == Z_DIM
    assert set(stats["normality"]) >= {"test", "n_points", "statistic", "p_value", "normal"}
    assert stats["normality"]["normal"] is True
    chi_mean, chi_std = normal_fit.chi_moments(Z_DIM)
    m = stats["mahalanobis"]
    assert m["expected_mean"] == pytest.approx(chi_mean) and m["expected_std"] == pytest.approx(chi_std)
    assert m["mean"] == pytest.approx(chi_mean, abs=0.05)
    assert m["std"] == pytest.approx(chi_std, abs=0.05)
    for e in stats["ellipses"]:
        assert e["expected_share"] == pytest.approx(-np.expm1(-e["k"] ** 2 / 2))
        assert e["share"] == pytest.approx(e["expected_share"], abs=0.025)
    assert {e["k"] for e in stats["ellipses"]} == {1, 2, 3}
    assert stats["mixture"]["best_k"] == 1


def test_mixture_is_rejected_and_bic_finds_its_clusters(mixture_run):
    stats = _stats(mixture_run, "normal_fit")
    assert stats["normality"]["normal"] is False
    assert stats["normality"]["p_value"] < 0.01
    assert sorted(stats["mixture"]["bic"], key=int) == ["1", "2", "3", "4", "5"]
    assert stats["mixture"]["best_k"] == N_CLUSTERS


def test_zpoints_posts_say_no_decoder(normal_run):
    run_dir, _ = normal_run
    stats = _stats(run_dir, "normal_fit")
    assert stats["has_decoder"] is False
    assert all(s["figure"] is None and s["nearest_image_distance"] is None for s in stats["samples"])


# --- findings on records ------------------------------------------------------------------------------------------------

def test_normal_fit_findings_follow_the_numbers(normal_run):
    run_dir, _ = normal_run
    record = validate_results(NormalFitResults, _stats(run_dir, "normal_fit"))
    found = normal_findings(record, {})
    assert found.radius == "matches" and not found.radius_spread_wider
    assert found.ellipses_match == "all"
    assert found.best_k_one and not found.best_k_at_edge
    assert found.test_reduced and found.mixture_reduced  # z_dim 24 > the 16 principal coordinates used
    heavy = record.model_copy(update={"mahalanobis": record.mahalanobis.model_copy(
        update={"mean": record.mahalanobis.expected_mean * 1.5, "std": record.mahalanobis.expected_std * 3})})
    assert normal_findings(heavy, {}).radius == "farther"
    assert normal_findings(heavy, {}).radius_spread_wider


def test_pca_findings_follow_the_spectrum(normal_run):
    run_dir, _ = normal_run
    record = validate_results(PcaResults, _stats(run_dir, "pca"))
    found = pca_findings(record, {})
    assert (found.k90, found.k99) == (3, 4)
    assert found.uncorrelated
    # where the origin lies is post IV's measurement; post IX keeps only its coordinates for the figure
    assert len(record.origin_coordinates) == Z_DIM and not hasattr(found, "origin_position")


def _generator(name, face_coverage, fd=1.0, family="independent", face_share=None, half_width=0.01, interval=None):
    return {"name": name, "title": name, "family": family, "post": "V", "n_decodes": 100,
            "face_share": face_coverage if face_share is None else face_share, "face_coverage": face_coverage,
            "face_coverage_interval": interval or (max(0.0, face_coverage - half_width), face_coverage + half_width),
            "precision": 0.5, "recall": 0.5, "density": 0.5, "coverage": 0.5, "fd": fd, "kid": 0.01,
            "mahalanobis_mean": 5.0, "length_mean": 3.0}


def _board(ranked):
    return validate_results(ScoreboardResults, {
        "has_decoder": True, "has_face_measure": True, "n_decodes": 100, "n_reference": 500, "confidence_level": 0.95,
        "z_dim": 16, "data_mahalanobis_mean": 4.0, "generators": ranked})


def test_scoreboard_ranks_by_face_coverage_then_fd_and_says_who_wins():
    ranked = rank([_generator("uniform", 0.0, 9.0), _generator("reconstructions", 0.9, family="ceiling"),
                   _generator("normal", 0.6, 2.0, "normal"), _generator("standard-normal", 0.1),
                   _generator("mixture-best", 0.6, 1.5, "mixture"),
                   _generator("intervals-0.5", 0.05, 50.0, face_share=1.0)])  # all faces, one face: collapsed
    assert [g["name"] for g in ranked] == ["reconstructions", "mixture-best", "normal", "standard-normal",
                                           "intervals-0.5", "uniform"]
    assert [g["rank"] for g in ranked] == [1, 2, 3, 4, 5, 6]
    assert [g["rank_group"] for g in ranked] == [1, 2, 2, 3, 4, 5]  # equal estimates share a group, whatever the FD
    found = scoreboard_findings(_board(ranked), {})
    assert found.ceiling_first and found.ceiling_apart and found.uniform_last and not found.ceiling_low
    assert not found.winner_alone and [g.name for g in found.leaders] == ["mixture-best", "normal"]
    assert found.winner.name == "mixture-best" and found.runner_up.name == "standard-normal"
    assert [g.name for g in found.leaders_correlated] == ["mixture-best", "normal"]
    assert found.fit_helps == "higher" and found.mixture_helps == "untold"
    assert found.gap_to_ceiling == pytest.approx(0.3)
    assert [g.name for g in found.more_faces_than_ceiling] == ["intervals-0.5"]
    assert found.uniform.name == "uniform" and not found.below_uniform_alike and not found.below_uniform_fewer_faces
    assert found.n_groups == 5 and not found.all_alike and found.top.name == "reconstructions"
    empty = _board([])
    assert scoreboard_findings(empty, {}) is None


def test_verdict_distances_are_medians_per_verdict_with_intervals():
    distances = np.array([10.0, 11.0, 12.0, 15.0, 16.0, 17.0, 30.0])
    verdicts = np.array([FAINT, FAINT, FAINT, CLEAR, CLEAR, CLEAR, NO_FACE])
    record = verdict_distances(distances, verdicts, 0.95)
    assert record["mahalanobis_faint_median"] == 11.0 and record["mahalanobis_clear_median"] == 16.0
    low, high = record["mahalanobis_faint_interval"]
    assert 10.0 <= low <= 11.0 <= high <= 12.0
    assert verdict_distances(distances[3:], verdicts[3:], 0.95)["mahalanobis_faint_interval"] is None  # no faint decode


def test_scoreboard_says_when_generators_beat_the_ceiling_by_fewer_faint_decodes():
    ceiling = _generator("reconstructions", 0.5, family="ceiling", face_share=0.8)
    ceiling.update(faint_share=0.17, mahalanobis_faint_median=11.5, mahalanobis_faint_interval=(10.4, 12.5),
                   mahalanobis_clear_median=15.3, mahalanobis_clear_interval=(15.0, 15.6))
    normal = dict(_generator("normal", 0.5, family="normal", face_share=0.96), faint_share=0.02)
    uniform = dict(_generator("uniform", 0.1, face_share=0.2), faint_share=0.0)
    found = scoreboard_findings(_board(rank([ceiling, normal, uniform])), {})
    assert [g.name for g in found.fewer_faint_than_ceiling] == ["normal"] and found.ceiling_faint_nearer
    ceiling.update(mahalanobis_faint_interval=(10.4, 15.2))  # the medians' intervals overlap: nearer cannot be told
    assert not scoreboard_findings(_board(rank([ceiling, normal, uniform])), {}).ceiling_faint_nearer
    normal.update(faint_share=0.15)  # as many faint decodes as the reconstructions: the faint ones are not why
    assert not scoreboard_findings(_board(rank([ceiling, normal, uniform])), {}).fewer_faint_than_ceiling


def test_scoreboard_groups_follow_the_intervals_and_never_decrease():
    ranked = rank([_generator("a", 0.40, interval=(0.37, 0.43)), _generator("b", 0.38, interval=(0.35, 0.41)),
                   _generator("c", 0.35, interval=(0.32, 0.365)),  # overlaps b but not a: opens group 2
                   _generator("d", 0.10, interval=(0.08, 0.12))])
    assert [g["rank_group"] for g in ranked] == [1, 1, 2, 3]
    record = _board(ranked)
    groups = [g.rank_group for g in record.generators]
    assert groups == sorted(groups)


def test_generators_one_reference_image_apart_share_a_group():
    # b's interval just reaches a's, c's (one reference image of 500 below b) just misses it.
    scores = [_generator("a", 0.400, interval=(0.370, 0.430)), _generator("b", 0.342, interval=(0.310, 0.3705)),
              _generator("c", 0.340, interval=(0.312, 0.3695))]
    assert [g["rank_group"] for g in rank(scores)] == [1, 1, 2]  # the interval rule alone splits b from c
    assert [g["rank_group"] for g in rank(scores, resolution=1 / 500)] == [1, 1, 1]


def test_scoreboard_names_a_winner_only_when_it_stands_alone():
    ceiling = _generator("reconstructions", 0.33, family="ceiling", interval=(0.30, 0.36))
    alone = [ceiling, _generator("mixture-7", 0.31, 1.0, "mixture", interval=(0.29, 0.33)),
             _generator("normal", 0.25, 2.0, "normal", interval=(0.23, 0.27)),
             _generator("uniform", 0.01, 9.0, interval=(0.005, 0.02))]
    found = scoreboard_findings(_board(rank(alone)), {})
    assert found.winner_alone and found.winner.name == "mixture-7" and found.runner_up.name == "normal"
    assert [g.name for g in found.with_ceiling] == ["mixture-7"] and not found.ceiling_apart
    assert found.mixture_helps == "higher"
    # The K = 7 / K = 10 case: one reference image apart, the tie goes to neither.
    tied = [*alone[:2], _generator("mixture-10", 0.3098, 0.5, "mixture", interval=(0.289, 0.331)), *alone[2:]]
    found = scoreboard_findings(_board(rank(tied, resolution=1 / 5000)), {})
    assert not found.winner_alone and [g.name for g in found.leaders] == ["mixture-7", "mixture-10"]
    assert [g.name for g in found.mixtures_alike] == ["mixture-10"]
    assert found.runner_up.name == "normal"
    # The reconstructions' interval must not decide who leads: normal overlaps the best new generator,
    # though not the ceiling.
    close = [ceiling, alone[1], _generator("normal", 0.285, 2.0, "normal", interval=(0.265, 0.2999)), alone[3]]
    found = scoreboard_findings(_board(rank(close)), {})
    assert not found.winner_alone and [g.name for g in found.leaders] == ["mixture-7", "normal"]
    assert [g.name for g in found.leaders_in_later_group] == ["normal"]  # Table 1 counts groups from the ceiling
    assert found.mixture_helps == "untold"
    # Nothing told apart (a tiny run: no decode is a face): one group, no winner, nothing clearly below uniform.
    nothing = [_generator(name, 0.0, fd, interval=(0.0, 0.013)) for name, fd in
               (("reconstructions", 3.0), ("normal", 1.0), ("uniform", 2.0))]
    found = scoreboard_findings(_board(rank(nothing)), {})
    assert found.all_alike and found.n_groups == 1 and found.top.name == "normal"
    assert not found.winner_alone and not found.below_uniform_fewer_faces and not found.standard_normal_below_uniform


def test_scoreboard_findings_say_why_generators_rank_below_uniform():
    collapsed = _generator("paths", 0.01, 80.0, "path", face_share=0.95, half_width=0.005)
    collapsed["recall"] = 0.02
    ranked = rank([_generator("reconstructions", 0.9, family="ceiling"),
                   _generator("uniform", 0.03, 60.0, face_share=0.12, half_width=0.005),
                   collapsed, _generator("standard-normal", 0.015, 30.0, face_share=0.03, half_width=0.005)])
    assert [g["name"] for g in ranked] == ["reconstructions", "uniform", "standard-normal", "paths"]
    record = _board(ranked)
    from types import SimpleNamespace
    upstream = {"distributions": SimpleNamespace(radius=SimpleNamespace(mean=3.0))}  # post II: the data's mean length
    found = scoreboard_findings(record, upstream)
    assert found.data_length_mean == 3.0
    assert not found.uniform_last and found.uniform.rank_group == 2 and found.last.name == "paths"
    assert [g.name for g in found.below_uniform_alike] == ["paths"] and found.below_uniform_alike_recall == 0.02
    assert [g.name for g in found.below_uniform_fewer_faces] == ["standard-normal"]
    assert found.standard_normal_below_uniform and found.standard_normal_length_ratio == pytest.approx(1.0)
    assert not found.standard_normal_below_uniform_by_scale  # as long as the data: scale is not the reason
    far = record.generators[2].model_copy(update={"length_mean": 8.0, "mahalanobis_mean": 50.0})
    farther = record.model_copy(update={"generators": [*record.generators[:2], far, record.generators[3]]})
    assert scoreboard_findings(farther, upstream).standard_normal_below_uniform_by_scale
    assert not scoreboard_findings(farther, {}).standard_normal_below_uniform_by_scale  # no post II: no scale to judge by
    # Overlapping intervals: N(0, I) cannot be told apart from uniform vectors, so it is not "below" them.
    near = record.generators[2].model_copy(update={"face_coverage_interval": (0.01, 0.026)})
    overlapping = record.model_copy(update={"generators": [*record.generators[:2], near, record.generators[3]]})
    found = scoreboard_findings(overlapping, upstream)
    assert not found.standard_normal_below_uniform and [g.name for g in found.uniform_alike] == ["standard-normal"]
    assert [g.name for g in found.below_uniform_alike] == ["paths"] and not found.below_uniform_fewer_faces


# --- generators ---------------------------------------------------------------------------------------------------------

def test_path_points_lie_on_the_paths_through_the_centre():
    rng = np.random.default_rng(0)
    centre, widths = np.arange(6.0), np.full(6, 2.0)
    points = generators.path_points(centre, widths, [(1, 3, 0.0), (2, 4, 90.0)], 0.5, 500, rng)
    moved = np.abs(points - centre) > 1e-12
    assert not moved[:, [0, 5]].any()  # only the planes' components move
    first = moved[:, 1] | moved[:, 3]
    assert not (moved[first][:, [2, 4]]).any()
    assert np.abs(points[:, 1] - 1).max() <= 1.0 + 1e-12  # reach = 0.5 x half width 2
    offset = points[~first][:, [2, 4]] - centre[[2, 4]]
    assert np.allclose(offset @ np.array([1.0, 1.0]), 0.0)  # rotated by 90 degrees: across the unrotated (1, 1)
    assert np.linalg.norm(offset, axis=1).max() <= np.sqrt(2) + 1e-9


def test_every_generator_draws_its_vectors():
    rng = np.random.default_rng(1)
    z = rng.standard_normal((2000, 8)) * np.linspace(0.5, 2, 8) + 1.0
    mean, cov = normal_fit.mean_and_covariance(z)
    axes = principal.principal_axes(mean, cov)
    whiten = principal.whitening(axes)
    mixtures = normal_fit.fit_mixtures(z, axes, rng, k_range=(1, 2), fixed_k=3, sample_size=1000)
    drawn = generators.all_generators(
        50, rng, z_dim=8, matching_b=1.5, centre=mean, half_widths=np.full(8, 2.0), width="fwhm", factors=(0.5, 1.0),
        plane_paths=[(0, 1, 0.0)], extent=1.0, axes=axes, whiten=whiten, mixtures=mixtures,
        shells=[(0.0, 0.5), (0.9, 1.1)])
    names = [g.name for g in drawn]
    assert names == ["uniform", "intervals-0.5", "intervals-1", "paths", "normal", "mixture-best", "mixture-fixed",
                     "shell-1", "shell-2", "standard-normal"]
    assert all(g.vectors.shape == (50, 8) for g in drawn)
    shell = drawn[names.index("shell-2")].vectors
    d = np.sqrt(normal_fit.mahalanobis_sq(shell, whiten))
    assert d.min() >= 0.9 * np.sqrt(8) - 1e-9 and d.max() < 1.1 * np.sqrt(8)
    assert np.abs(drawn[0].vectors).max() <= 1.5
    assert sps.normaltest(drawn[-1].vectors.ravel()).pvalue > 1e-4

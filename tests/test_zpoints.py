"""A zpoints build: posts II-IV recover what was planted in latent vectors given as a file."""

from __future__ import annotations

import json

import numpy as np
import pytest
from conftest import tiny_raw, write_params

from report.build import build_variant

PLANTED_MEANS = {3: 2.0, 11: -1.5}
PLANTED_WIDE = {7: 3.0}
PLANTED_PAIR = (20, 21, 0.8)


@pytest.fixture(scope="module")
def zpoints_build(tmp_path_factory):
    folder = tmp_path_factory.mktemp("zpoints")
    rng = np.random.default_rng(42)
    z_dim, n_points = 24, 6000
    cov = np.eye(z_dim)
    i, j, r = PLANTED_PAIR
    cov[i, j] = cov[j, i] = r
    stds = np.ones(z_dim)
    for k, std in PLANTED_WIDE.items():
        stds[k] = std
    z = rng.multivariate_normal(np.zeros(z_dim), cov, size=n_points) * stds
    for k, mean in PLANTED_MEANS.items():
        z[:, k] += mean
    np.save(folder / "z.npy", z.astype(np.float32))
    # The steps the tests below do not examine run at tiny's sizes; posts II-IV and the filaments page at their own.
    sized_as_tiny = {name: section for name, section in tiny_raw()["analysis"].items()
                     if name in ("paths", "intervals", "normal_fit", "pca", "pca_sampling", "scoreboard")}
    params = write_params(folder, {
        "variant": "planted",
        "seed": 3,
        "data": {"source": "zpoints", "path": str(folder / "z.npy")},
        "analysis": {**sized_as_tiny,
                     "correlations": {"sample_size": 1000, "scatter_points": 500},
                     "origin_slices": {"sample_size": 1000, "n_pairs": 2},
                     "statistical_points": {"n_vectors": 200},
                     "paths": {**sized_as_tiny["paths"], "scatter_points": 500},
                     "filaments": {"tsne_points": 300, "tsne_exaggeration_iter": 50, "tsne_iter": 100}},
    })
    root = folder / "build"
    outcome = build_variant(params, build_root=root, progress=False, echo=lambda line: None)
    return root / "planted", outcome, z


def _stats(run, step):
    return json.loads((run / "results" / step / "stats.json").read_text())


def test_zpoints_skips_the_image_steps(zpoints_build):
    run, outcome, _ = zpoints_build
    assert set(outcome.executed) == {"distributions", "correlations", "origin_slices", "statistical_points",
                                     "paths", "intervals", "normal_fit", "pca", "pca_sampling", "filaments", "scoreboard"}
    for number in range(1, 11):
        assert (run / "site" / f"post-{number}.html").is_file()
    assert "no decoder" in (run / "site" / "post-6.html").read_text().lower()
    for page in ("post-8.html", "post-10.html", "scoreboard.html", "filaments.html"):
        assert "no decoder" in (run / "site" / page).read_text().lower()


def test_zpoints_recovers_means_widths_and_dominant_components(zpoints_build):
    run, _, z = zpoints_build
    stats = _stats(run, "distributions")
    assert stats["n_points"] == 6000 and stats["z_dim"] == 24
    for component in stats["components"]:
        k = component["index"]
        assert component["mean"] == pytest.approx(z[:, k].mean(), abs=1e-5)
        assert component["std"] == pytest.approx(z[:, k].std(), rel=1e-4)
        expected_fwhm = 2.3548 * PLANTED_WIDE.get(k, 1.0)
        assert component["half_width"] == pytest.approx(expected_fwhm, rel=0.12)
    assert stats["dominant"] == sorted({*PLANTED_MEANS, *PLANTED_WIDE})


def test_zpoints_recovers_the_correlated_pair(zpoints_build):
    run, _, _ = zpoints_build
    stats = _stats(run, "correlations")
    i, j, r = PLANTED_PAIR
    assert [(p["i"], p["j"]) for p in stats["pairs"]] == [(i, j)]
    assert stats["pairs"][0]["r"] == pytest.approx(r, abs=0.03)
    assert stats["pairs_above"]["0.1"] == 1


def test_zpoints_closings_answer_from_the_vectors_and_say_decodes_are_unavailable(zpoints_build):
    run, _, _ = zpoints_build
    for page in [f"post-{number}.html" for number in range(1, 11)] + ["scoreboard.html"]:
        html = (run / "site" / page).read_text()
        closing = html[html.rindex("<h2>What this run shows</h2>"):]
        assert "<h2>" not in closing[len("<h2>What this run shows</h2>"):], page  # the last section
        if page in ("post-1.html", "post-5.html", "post-6.html", "post-7.html", "post-10.html", "scoreboard.html"):
            assert "decodes are unavailable" in closing, page
            assert "This run cannot tell." in closing, page


def test_zpoints_filaments_page_runs_on_the_vectors_alone(zpoints_build):
    run, _, _ = zpoints_build
    stats = _stats(run, "filaments")
    assert stats["n_points"] == 6000 and stats["z_dim"] == 24 and stats["verdict"] == "like-normal"
    assert set(stats["intrinsic_dimension"]) == {"data", "null", "k"}
    assert set(stats["two_sample"]) == {"test", "statistic", "p_value"}
    page = (run / "site" / "filaments.html").read_text()
    assert "What this run shows" in page.rsplit("<h2>", 1)[-1]

"""The closing sections ("What this run shows"): verdicts on hand-made records, and the pages of the tiny build."""

from __future__ import annotations

import re
from types import SimpleNamespace as NS

import pytest

from report import conclusions
from report.conclusions import combine, order, share
from report.conclusions.common import percent_digits
from report.params import UncertaintyParams
from report.render.environment import environment
from report.render.quantities import quantity_printer
from report.results.face_measure import FaceCount

UNCERTAINTY = UncertaintyParams()


def _grid(factor, mahalanobis, faces, n=100, spread=0.10, spread_interval=(0.09, 0.11)):
    return NS(factor=factor, mahalanobis_mean=mahalanobis, face_share=faces / n, n_scored=n, pixel_spread=spread,
              pixel_spread_interval=spread_interval)


def _intervals(grids, has_decoder=True):
    return NS(grids=grids, data_mahalanobis_mean=15.0, data_mahalanobis_p99=20.0, has_decoder=has_decoder)


def _points(real_spread=0.25, interval=(0.23, 0.27), real_faces=20, n_real=21):
    faces = FaceCount(n_decodes=n_real, n_faces=real_faces, faces=[True] * real_faces + [False] * (n_real - real_faces))
    return NS(real_pixel_spread=real_spread, real_pixel_spread_interval=interval, real_faces=faces)


def test_shares_and_means_whose_intervals_overlap_cannot_be_told_apart():
    assert order(share(10, 20, UNCERTAINTY), share(12, 20, UNCERTAINTY)) == "alike"
    assert order(share(90, 100, UNCERTAINTY), share(10, 100, UNCERTAINTY)) == "higher"
    assert order(share(10, 100, UNCERTAINTY), share(90, 100, UNCERTAINTY)) == "lower"
    assert [share(k, n, UNCERTAINTY).form for k, n in ((0, 9), (9, 9), (3, 9), (30, 90))] == ["none", "all", "count",
                                                                                              "percent"]
    # a share under 1 % of a large sample reads as a count: "3 of 500", whose interval says the rest
    assert [share(k, 500, UNCERTAINTY).form for k in (3, 4, 5, 6)] == ["count", "count", "percent", "percent"]
    assert percent_digits(0.006) == 1 and percent_digits(0.0004) == 2 and percent_digits(0.03) == 0
    assert combine(["agrees", "agrees"]) == "agrees"
    assert combine(["agrees", "cannot tell"]) == "cannot tell"
    assert combine(["agrees", "differs"]) == "differs"
    assert combine([]) == "cannot tell"


def test_post_7_says_the_decoder_minds_when_faces_fall_clearly_beyond_the_cloud():
    grids = [_grid(0.4, 12.0, 90), _grid(0.7, 18.0, 85), _grid(1.0, 30.0, 10)]
    closing = conclusions.post_7({"intervals": _intervals(grids), "statistical_points": _points()}, {}, UNCERTAINTY)
    assert closing.minds == "yes"
    assert (closing.inside.k, closing.inside.n, closing.outside.k) == (175, 200, 10)
    assert closing.first_beyond.factor == 1.0
    # grey decodes at every f, some faces at every f: the original's "contrasts ... not well defined"
    assert closing.contrast_all == "lower" and closing.relation == "agrees"


def test_post_7_cannot_tell_faces_apart_and_differs_when_contrast_is_higher():
    grids = [_grid(0.4, 12.0, 50, spread=0.4, spread_interval=(0.38, 0.42)),
             _grid(1.0, 30.0, 48, spread=0.4, spread_interval=(0.38, 0.42))]
    closing = conclusions.post_7({"intervals": _intervals(grids), "statistical_points": _points()}, {}, UNCERTAINTY)
    assert closing.minds == "no"
    assert closing.relation == "differs"


@pytest.mark.parametrize(("faces", "minds"), [(475, "no"), (50, "yes")])
def test_post_7_compares_grids_all_beyond_the_cloud_with_decoded_real_z_points(faces, minds):
    grids = [_grid(0.4, 110.0, faces, n=500), _grid(1.0, 280.0, faces - 10, n=500)]
    closing = conclusions.post_7({"intervals": _intervals(grids), "statistical_points": _points()}, {}, UNCERTAINTY)
    assert closing.inside_is_real and (closing.inside.k, closing.inside.n) == (20, 21)
    assert closing.minds == minds
    assert closing.face_trend == "alike"


def test_post_7_does_not_read_faces_when_the_measure_misses_real_decodes():
    grids = [_grid(0.4, 110.0, 0, n=500), _grid(1.0, 280.0, 0, n=500)]
    points = _points(real_faces=0, n_real=8)
    closing = conclusions.post_7({"intervals": _intervals(grids), "statistical_points": points}, {}, UNCERTAINTY)
    assert closing.minds == "unknown" and closing.blind


def test_post_7_with_contrast_like_real_decodes_cannot_tell():
    grids = [_grid(0.4, 12.0, 50, spread=0.25, spread_interval=(0.22, 0.28))]
    closing = conclusions.post_7({"intervals": _intervals(grids), "statistical_points": _points()}, {}, UNCERTAINTY)
    assert closing.minds == "never_leaves"
    assert closing.relation == "cannot tell"


def test_post_7_without_a_decoder_answers_by_position_and_says_decodes_are_unavailable():
    grids = [NS(factor=f, mahalanobis_mean=m, face_share=None, n_scored=None, pixel_spread=None,
                pixel_spread_interval=None) for f, m in ((0.4, 12.0), (1.0, 30.0))]
    closing = conclusions.post_7({"intervals": _intervals(grids, has_decoder=False)}, {}, UNCERTAINTY)
    assert not closing.decodes and closing.relation == "cannot tell"
    assert closing.n_beyond == 1


def _sample(name, kind, faces, low=None, high=None, spread=0.25, interval=(0.23, 0.27)):
    return NS(name=name, kind=kind, low=low, high=high, mahalanobis_mean=15.0, face_share=faces / 21,
              pixel_spread=spread, pixel_spread_interval=interval)


def _pca_sampling(samples, real_faces):
    """Post X's record and post V's, which measures the decoded real z-points once for every post."""
    points = NS(real_pixel_spread=0.25, real_pixel_spread_interval=(0.23, 0.27), real_face_share=real_faces / 21,
                real_sample=21)
    return {"pca_sampling": NS(grid=(3, 7), samples=samples, has_decoder=True), "statistical_points": points}


def test_post_10_names_the_best_generator_and_those_it_cannot_be_told_apart_from():
    samples = [_sample("shell-1", "shell", 20, 0.9, 1.1), _sample("shell-2", "shell", 19, 1.1, 1.3),
               _sample("normal", "normal", 2)]
    closing = conclusions.post_10(_pca_sampling(samples, 20), {}, UNCERTAINTY)
    assert closing.best.name == "shell-1"
    assert [row.name for row in closing.tied] == ["shell-2"]
    assert closing.relation == "agrees"  # as many faces as decoded real vectors
    assert closing.contrast_groups == {"alike": ["shell [0.9, 1.1) × √N", "shell [1.1, 1.3) × √N", "N(0, λₖ)"]}


def test_post_10_seeks_the_best_faces_among_decodes_with_real_contrast():
    samples = [_sample("shell-1", "shell", 21, 0.0, 0.5, spread=0.10, interval=(0.09, 0.11)),
               _sample("shell-3", "shell", 17, 0.9, 1.1), _sample("normal", "normal", 8)]
    closing = conclusions.post_10(_pca_sampling(samples, 19), {}, UNCERTAINTY)
    assert closing.best.name == "shell-3"
    assert [row.name for row in closing.grey] == ["shell-1"]
    assert [row.name for row in closing.fewer] == ["normal"]


def test_post_10_differs_when_its_best_faces_fall_clearly_short_of_real_decodes():
    samples = [_sample("shell-1", "shell", 3, 0.9, 1.1), _sample("normal", "normal", 1)]
    closing = conclusions.post_10(_pca_sampling(samples, 21), {}, UNCERTAINTY)
    assert closing.relation == "differs"


def test_post_10_says_more_faces_than_real_decodes_come_from_fewer_faint_ones():
    samples = [_sample("shell-3", "shell", 20, 0.9, 1.1), _sample("normal", "normal", 20)]
    records = _pca_sampling(samples, 15)
    records["statistical_points"].real_face_share = 0.8
    records["statistical_points"].real_sample = 500

    def board(faint):
        return NS(generators=[NS(name="reconstructions", face_share=0.8, faint_share=0.17, n_decodes=500),
                              NS(name="shell-3", face_share=0.95, faint_share=faint, n_decodes=500),
                              NS(name="normal", face_share=0.95, faint_share=faint, n_decodes=500)])

    closing = conclusions.post_10({**records, "scoreboard": board(0.03)}, {}, UNCERTAINTY)
    assert closing.scored_by_scoreboard and closing.best_above_real_by_fewer_faint
    assert "fewer of its decodes are faint" in _render(closing)
    assert not conclusions.post_10({**records, "scoreboard": board(0.15)}, {}, UNCERTAINTY).best_above_real_by_fewer_faint


def _measure(recon, uniform, n=200):
    calibration = NS(face_share=recon / n, n_images=n)
    return NS(reconstructions=calibration, uniform=NS(face_share=uniform / n, n_images=n),
              real=NS(face_share=0.95, n_images=n))


@pytest.mark.parametrize(("recon", "uniform", "relation"),
                         [(180, 5, "agrees"), (100, 95, "cannot tell"), (20, 150, "differs")])
def test_post_1_sets_reconstructions_against_random_decodes(recon, uniform, relation):
    records = {"face_measure": NS(uniform_b=1.5), "encode": NS(heldout_psnr=26.6)}
    closing = conclusions.post_1(records, {"face_measure": _measure(recon, uniform)}, UNCERTAINTY)
    assert closing.relation == relation and closing.decodes


def test_post_1_of_a_zpoints_run_says_it_cannot_tell():
    closing = conclusions.post_1({}, {}, UNCERTAINTY)
    assert closing.relation == "cannot tell" and not closing.decodes
    assert closing.original.quoted and "randomly generated vectors" in closing.original.words


@pytest.mark.parametrize(("r", "n", "relation"), [(0.6, 1000, "agrees"), (0.05, 5000, "differs"), (0.12, 100, "cannot tell")])
def test_post_3_weighs_the_strongest_correlation_against_chance(r, n, relation):
    records = {"correlations": NS(max_abs_r=r, n_points=n, n_pairs_total=120, pair_threshold=0.5)}
    finding = NS(chance_threshold=0.1, n_above_chance=3, chance_negligible=True, n_listed=1)
    assert conclusions.post_3(records, {"correlations": finding}, UNCERTAINTY).relation == relation


def test_scoreboard_names_the_generators_in_the_winners_rank_group():
    def generator(name, family, share, coverage, group):
        return NS(name=name, title=name, family=family, face_share=share, face_coverage=coverage, n_decodes=500,
                  rank_group=group)

    board = [generator("reconstructions", "ceiling", 0.92, 0.33, 1), generator("mixture", "mixture", 0.85, 0.31, 2),
             generator("shell-2", "shell", 0.9, 0.29, 2), generator("uniform", "independent", 0.12, 0.01, 5)]
    finding = NS(winner=board[1], winner_correlated=True, uniform=board[3])
    closing = conclusions.scoreboard({"scoreboard": NS(generators=board)}, {"scoreboard": finding}, UNCERTAINTY)
    assert closing.co_winners == ["shell-2"]
    assert closing.relation == "agrees" and not closing.blind


def _render(closing) -> str:
    env = environment()
    quantity = quantity_printer({"data-mahalanobis-upper": "20", "data-mahalanobis-mean": "15"})
    return env.get_template("closing.html").render(closings={closing.page: closing}, closing_page=closing.page,
                                                   quantity=quantity)


def test_a_share_of_nothing_reads_none_of_never_zero_of():
    grids = [_grid(0.4, 12.0, 0, n=21), _grid(1.0, 30.0, 0, n=21)]
    html = _render(conclusions.post_7({"intervals": _intervals(grids), "statistical_points": _points()}, {}, UNCERTAINTY))
    assert "none of 21 decodes" in html
    assert not re.search(r"\b0 of\b|at most 0\b", html)
    assert "What this run shows" in html and "This run" in html


def _closing_sections(page: str) -> list[str]:
    return re.findall(r"<h2[^>]*>(.*?)</h2>", page, flags=re.S)


def test_every_page_of_the_tiny_build_ends_with_what_this_run_shows(tiny_build):
    root, _ = tiny_build
    site = root / "tiny" / "site"
    # every page but the index and the comparison of variants: posts I-X, the scoreboard, any page added later
    pages = [path for path in sorted(site.glob("*.html")) if path.name not in ("index.html", "comparison.html")]
    assert {f"post-{n}.html" for n in range(1, 11)} | {"scoreboard.html"} <= {path.name for path in pages}
    for path in pages:
        page = path.read_text(encoding="utf-8")
        headings = _closing_sections(page)
        assert headings and headings[-1].strip() == "What this run shows", path.name
        closing = page[page.rindex("What this run shows"):page.index("</article>", page.rindex("What this run shows"))]
        text = re.sub(r"<[^>]+>", " ", closing)
        assert "This run " in text, path.name
        assert not re.search(r"\b0 of\b|at most 0\b", text), (path.name, text)
        assert not re.search(r"\d[eE][+-]?\d", text), (path.name, text)  # no scientific notation
        sentences = [s for s in re.split(r"(?<=[.:;])\s+(?=[A-Z])", text.split("The original")[0]) if s.strip()]
        assert 1 <= len(sentences) <= 5, (path.name, sentences)

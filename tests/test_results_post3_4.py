"""Posts III and IV: the results schemas of `correlations` and `origin_slices`, their findings, and the
small statistics the correlations notebook used to compute inline."""

from __future__ import annotations

import numpy as np
import pytest

from report.errors import ReportError
from report.results import correlations as corr
from report.results import origin_slices as orig
from report.results import read_results, validate_results
from report.results.correlations import CorrelationsResults
from report.results.origin_slices import OriginSlicesResults
from report.stats import abs_r_summary, heatmap_components, independent_sd, pairs_touching
from report.stats.origin import origin_verdict


class Distributions:
    """Stands in for the distributions record: findings read only its dominant components."""

    def __init__(self, dominant):
        self.dominant = list(dominant)


def _pairs(n, start=0.9):
    return [{"i": k, "j": k + 1, "r": start - 0.01 * k} for k in range(n)]


def correlations_raw(**changes) -> dict:
    """A correlations record laid out as the baseline tiny build's stats.json, plus the added fields."""
    raw = {
        "n_points": 320,
        "z_dim": 16,
        "n_pairs_total": 120,
        "pairs_above": {"0.1": 120, "0.2": 120, "0.3": 120, "0.4": 120, "0.5": 118, "0.6": 114},
        "pair_threshold": 0.3,
        "pairs": _pairs(40),
        "pairs_with_dominant": 40,
        "max_abs_r": 0.963626903113624,
        "mean_abs_r": 0.8252981339028848,
        "independent_sd": 0.05590169943749474,
        "sample": {"n_points": 100, "pairs_above": {"0.1": 120, "0.2": 120, "0.3": 120, "0.4": 119, "0.5": 116,
                                                    "0.6": 111},
                   "pairs": _pairs(40), "independent_sd": 0.1},
        "heatmap_components": list(range(15)),
        "scatter": {"pairs": [[6, 7], [0, 13]], "n_points": 300, "b": 1.3065939900077104, "b_from_parameters": False,
                    "n_uniform": 10, "chosen_index": 120, "fallback_pairs": 4},
        "sample_size": 100,
        "heatmap_pairs": 8,
        "heatmap_fallback_components": 12,
        "table_pairs": 30,
        "planes": {"base_b": 1.3, "wide_b_factor": 4.0 / 1.5, "first_axis_share": 0.9,
                   "scatter_sights": [{"sees_axis": 0, "sees_share": 0.97}, {"sees_axis": 0, "sees_share": 0.95}],
                   "scatter_view": {"b": 3.5, "n_uniform": 10, "in_view": 0.0, "inside_all": 0, "nearest_ratio": 48.0},
                   "scatter_r": [0.96, -0.95], "repeat_points": 300, "repeat_r": [0.95, -0.93],
                   "other": [{"i": 7, "j": 13, "axis": 0, "sees_axis": 0, "sees_share": 0.97},
                             {"i": 2, "j": 5, "axis": 1, "sees_axis": 1, "sees_share": 0.6}],
                   "other_r": [-0.94, 0.2], "other_points": 320,
                   "other_views": [{"b": 3.5, "n_uniform": 10, "in_view": 0.8, "inside_all": 0, "nearest_ratio": 40.0},
                                   {"b": 1.3, "n_uniform": 10, "in_view": 0.9, "inside_all": 3, "nearest_ratio": 1.5}],
                   "candidates": 8},
        "slice_filter": {"pair": [6, 7], "t": 0.49, "t_from_parameters": False, "t_stds": 3.3, "n_points": 100,
                         "stages": [{"first": 0, "last": 5, "kept": 10}, {"first": 8, "last": 15, "kept": 4}]},
    }
    for key, value in changes.items():
        raw[key] = value
    return raw


def correlations_record(**changes) -> CorrelationsResults:
    return CorrelationsResults.model_validate(correlations_raw(**changes))


def slice_raw(pair=(6, 7), all_kept=0, uniform_kept=0, expected=0.6552020976606191, n_points=320, n_uniform=50):
    return {"all_kept": all_kept, "expected_independent": expected, "expected_independent_shifted": 1.9e-20,
            "n_points": n_points, "n_uniform": n_uniform, "pair": list(pair), "pair_r": 0.963626903113624,
            "sample_kept": 0, "sample_size": 100, "t": 0.37309191461446645, "uniform_kept": uniform_kept}


def origin_raw(share=0.0, mahalanobis_share=0.040625, slices=None, **changes) -> dict:
    """An origin_slices record laid out as the baseline tiny build's stats.json, plus the added fields."""
    raw = {
        "median_std": 0.14923676584578657,
        "n_points": 320,
        "n_uniform": 50,
        "n_overview_uniform": 10,
        "origin": {
            "mahalanobis": {"data_max": 8.726544602611687, "data_mean": 3.867409724228608, "data_std": 1.1,
                            "data_upper": 6.8, "upper_percentile": 99.0, "axis": 0, "axis_sigmas": -4.3,
                            "axis_share_farther": 0.002, "border_share": 0.01, "outer_share": 0.2, "core_share": 0.5,
                            "far_sigmas": 3.0,
                            "verdict": origin_verdict(mahalanobis_share, border_share=0.01, outer_share=0.2,
                                                      core_share=0.5),
                            "origin": 5.966362366043606, "rank": 16, "share_farther": mahalanobis_share},
            "nearest_point_radius": 1.3682780494174795,
            "data_distance_mean": 0.6,
            "origin_distance": 3.0067770202812065,
            "share_farther": share,
        },
        "pairs": [[6, 7], [0, 13]],
        "pairs_from_parameters": False,
        "sample_size": 100,
        "slice_half_width": 0.37309191461446645,
        "slice_half_width_from_parameters": False,
        "slice_half_width_stds": 2.5,
        "slices": slices if slices is not None else [slice_raw((6, 7)), slice_raw((0, 13), expected=0.53)],
        "uniform_b": 1.3065939900077104,
        "uniform_b_from_parameters": False,
        "z_dim": 16,
        "zoom": 2.0,
        "zoom_half_width": 0.7461838292289329,
        "sights": [{"sees_axis": 0, "sees_share": 0.97}, {"sees_axis": 1, "sees_share": 0.6}],
        "plane_candidates": 8,
        "pairs_requested": 2,
        "planes_tried": 8,
        "first_axis_share": 0.9,
        "misleading": [],
        "regularisation": {"rule": "drop", "relative_floor": 1e-6, "n_regularised": 0, "dof": 16,
                           "largest_eigenvalue": 0.2, "smallest_eigenvalue": 1e-4, "condition": 2000.0},
    }
    raw.update(changes)
    return raw


def origin_record(*args, **kwargs) -> OriginSlicesResults:
    return OriginSlicesResults.model_validate(origin_raw(*args, **kwargs))


# --- schemas ------------------------------------------------------------------------------------


def test_correlations_schema_keeps_the_baseline_layout():
    raw = correlations_raw()
    record = validate_results(CorrelationsResults, raw)
    dumped = record.model_dump(mode="json")
    assert dumped == raw
    assert record.scatter.pairs == [(6, 7), (0, 13)]


def test_origin_slices_schema_keeps_the_baseline_layout():
    raw = origin_raw()
    record = validate_results(OriginSlicesResults, raw)
    assert record.model_dump(mode="json") == raw
    assert (record.slices[0].i, record.slices[0].j) == (6, 7)
    assert record.slices[0].kept_share == 0.0


@pytest.mark.parametrize("schema, raw", [(CorrelationsResults, correlations_raw()), (OriginSlicesResults, origin_raw())])
def test_schemas_reject_an_unknown_key(schema, raw):
    with pytest.raises(ReportError, match="surprise: unknown key"):
        validate_results(schema, {**raw, "surprise": 1})


def test_schemas_reject_a_wrong_type_and_name_the_key():
    with pytest.raises(ReportError, match="correlations results: pairs.0.r"):
        validate_results(CorrelationsResults, correlations_raw(pairs=[{"i": 0, "j": 1, "r": "strong"}]))
    bad = origin_raw()
    bad["origin"]["mahalanobis"]["rank"] = "full"
    with pytest.raises(ReportError, match="origin.mahalanobis.rank"):
        validate_results(OriginSlicesResults, bad)


def test_null_values_where_they_can_occur():
    record = origin_record(slices=[{**slice_raw(), "pair_r": None}])
    assert record.slices[0].pair_r is None
    raw = origin_raw()
    del raw["origin"]["mahalanobis"]
    assert OriginSlicesResults.model_validate(raw).origin.mahalanobis is None


# --- correlations findings ----------------------------------------------------------------------


def test_chance_is_negligible_only_with_many_vectors():
    few = corr.findings(correlations_record(), {})
    assert few.chance_sds == pytest.approx(1.0) and not few.chance_negligible  # the sample's sd 0.1 counts
    many = correlations_record(n_points=200_000, independent_sd=200_000 ** -0.5,
                               sample={**correlations_raw()["sample"], "n_points": 5000, "independent_sd": 5000 ** -0.5})
    found = corr.findings(many, {})
    assert found.chance_negligible and found.chance_sds == pytest.approx(0.1 * 5000 ** 0.5)


@pytest.mark.parametrize("n_listed, n_sample, same, expected", [
    (40, 40, True, "same_set"), (40, 45, False, "close"), (40, 47, False, "different"), (0, 2, False, "close"),
    (0, 3, False, "different"),
])
def test_sample_agreement(n_listed, n_sample, same, expected):
    assert corr.sample_agreement(n_listed, n_sample, same) == expected


@pytest.mark.parametrize("n_listed, original, expected", [
    (3, None, "not_comparable"), (441, 44, "far_more"), (440, 44, "more"), (89, 44, "more"), (88, 44, "similar"),
    (1, 44, "similar"), (0, 44, "none"),
])
def test_versus_original(n_listed, original, expected):
    assert corr.versus_original(n_listed, original) == expected


@pytest.mark.parametrize("with_dominant, n_listed, expected", [(10, 10, "all"), (6, 10, "most"), (5, 10, "few"),
                                                                (0, 0, "all")])
def test_dominant_share(with_dominant, n_listed, expected):
    assert corr.dominant_share(with_dominant, n_listed) == expected


def test_correlation_findings_of_the_tiny_layout():
    found = corr.findings(correlations_record(), {"distributions": Distributions(range(15))})
    assert not found.same_sample and found.sample_agreement == "close"
    assert found.original_listed == 44 and found.versus_original == "similar"
    assert found.original_list_count is None  # the original's list of 16 is for |r| > 0.5
    assert found.widespread and found.pattern == "widespread"
    assert found.heatmap_is_dominant and found.n_dominant == 15
    assert found.table_truncated and found.table_columns == 3
    assert [len(row) for row in found.table_rows] == [3] * 10
    assert [row.threshold for row in found.threshold_rows] == ["0.1", "0.2", "0.3", "0.4", "0.5", "0.6"]
    assert found.threshold_rows[0].original == 1456 and found.threshold_rows[3].sample_count == 119


def test_findings_without_strong_pairs_and_at_the_original_threshold():
    record = correlations_record(pairs=[], pairs_with_dominant=0, pair_threshold=0.5,
                                 pairs_above={"0.1": 3, "0.5": 0})
    found = corr.findings(record, {})
    assert found.pattern == "none" and found.versus_original == "none"
    assert found.original_list_count == 16
    assert found.table_rows == [] and found.table_columns == 0 and not found.table_truncated
    assert not found.widespread and not found.heatmap_is_dominant


def test_findings_with_a_few_strong_pairs():
    record = correlations_record(pairs=_pairs(2), pairs_with_dominant=2, pairs_above={"0.1": 12, "0.3": 2})
    found = corr.findings(record, {"distributions": Distributions([1, 2])})
    assert found.pattern == "few_strong" and found.dominant_share == "all"
    assert found.table_rows == [[corr.CorrelatedPair(**p) for p in _pairs(2)]]


def test_without_a_count_at_the_chance_threshold_the_listed_pairs_stand_in():
    found = corr.findings(correlations_record(pairs_above={"0.3": 120}), {})
    assert not found.chance_counted and found.n_above_chance == 40
    assert found.threshold_rows[0].original == 44 and found.threshold_rows[0].sample_count == 120


# --- origin_slices findings ---------------------------------------------------------------------


@pytest.mark.parametrize("share, expected", [(0.0, "border"), (0.049, "border"), (0.05, "outer"), (0.49, "outer"),
                                             (0.5, "typical"), (0.95, "typical"), (0.96, "core")])
def test_plain_position(share, expected):
    assert orig.plain_position(share) == expected


def test_the_recorded_verdict_is_the_shape_position_and_far_along_an_axis_only_inside():
    record = origin_record(mahalanobis_share=0.09)
    position = record.origin.mahalanobis
    assert orig.shape_position(position) == "outer" and orig.shape_position(None) is None
    assert orig.far_along_axis(position)  # -4.3 sigmas beyond 3.0, yet inside the cloud
    assert not orig.far_along_axis(position.model_copy(update={"axis_sigmas": 2.0}))
    assert not orig.far_along_axis(position.model_copy(update={"verdict": "border"}))


@pytest.mark.parametrize("kept, expected, verdict", [(7, 0.01, "more"), (6, 0.01, "similar"), (1, 0.02, "fewer"),
                                                     (2, 0.0125, "similar")])
def test_yardstick(kept, expected, verdict):
    counts = orig.SliceCounts.model_validate(slice_raw(all_kept=kept, n_points=320, expected=expected))
    assert orig.yardstick(counts) == verdict
    assert orig.yardstick(None) is None


def test_shares_too_small_for_a_percentage_print_scientific():
    assert [orig.scientific(x) for x in (0.0, 5e-5, 1e-4, 0.3)] == [False, True, False, False]


def test_findings_of_the_tiny_layout():
    found = orig.findings(origin_record(), {})
    assert found.plain_position == "border" and found.shape_position == "outer"
    # one place for the origin: the cloud's shape decides, plain distance only disagrees
    assert not found.at_border and found.plain_disagrees and not found.shape_border
    assert found.emptiness == "all" and found.n_empty_slices == 2 and not found.all_uniform_in
    assert found.conclusion == "empty_not_border" and found.yardstick == "fewer"
    assert found.slab_dims == 14 and not found.uniform_inside_slab and found.adapted_scale
    assert [(s.number, s.figure_overview, s.figure_slice_all) for s in found.slices] == [(1, 1, 4), (2, 5, 8)]


def test_border_by_shape_only_with_some_empty_slices():
    record = origin_record(share=0.3, mahalanobis_share=0.001,
                           slices=[slice_raw(all_kept=6, uniform_kept=50), slice_raw(all_kept=7, uniform_kept=50)])
    found = orig.findings(record, {})
    assert found.shape_position == "border" and found.border_needs_shape and found.shape_border
    assert found.emptiness == "some" and found.n_empty_slices == 1 and found.all_uniform_in
    assert found.conclusion == "border"


@pytest.mark.parametrize("share, mahalanobis, kept, conclusion", [
    (0.99, 0.99, 0, "core"), (0.6, 0.3, 0, "empty_not_border"), (0.6, 0.3, 100, "neither"),
])
def test_conclusions_away_from_the_border(share, mahalanobis, kept, conclusion):
    record = origin_record(share=share, mahalanobis_share=mahalanobis, slices=[slice_raw(all_kept=kept)])
    found = orig.findings(record, {})
    assert not found.at_border and found.conclusion == conclusion


def test_without_mahalanobis_only_the_plain_distance_counts():
    raw = origin_raw(share=0.6, slices=[slice_raw(all_kept=100)], uniform_b=0.2, uniform_b_from_parameters=True,
                     slice_half_width_from_parameters=True)
    del raw["origin"]["mahalanobis"]
    found = orig.findings(OriginSlicesResults.model_validate(raw), {})
    assert found.shape_position is None and found.conclusion == "neither" and found.emptiness == "none"
    assert found.uniform_inside_slab and not found.adapted_scale


# --- statistics the correlations notebook used to compute inline ---------------------------------


def test_abs_r_summary_ignores_constant_components():
    r = np.array([[1.0, 0.5, np.nan], [0.5, 1.0, np.nan], [np.nan, np.nan, np.nan]])
    assert abs_r_summary(r) == (0.5, 0.5)
    r = np.array([[1.0, -0.8, 0.2], [-0.8, 1.0, 0.0], [0.2, 0.0, 1.0]])
    assert abs_r_summary(r) == pytest.approx((0.8, 1.0 / 3))
    assert abs_r_summary(np.full((2, 2), np.nan)) == (0.0, 0.0)


def test_pairs_touching_counts_pairs_with_a_chosen_component():
    pairs = [{"i": 0, "j": 1}, {"i": 2, "j": 3}, {"i": 1, "j": 3}]
    assert pairs_touching(pairs, [1]) == 2 and pairs_touching(pairs, []) == 0 and pairs_touching(pairs, [0, 3]) == 3


def test_heatmap_components_fall_back_from_dominant_to_pairs_to_the_first():
    pairs = [{"i": 5, "j": 2}, {"i": 2, "j": 7}, {"i": 0, "j": 9}]
    assert heatmap_components([3, 1], pairs, 16, 8, 12) == [3, 1]
    assert heatmap_components([3], pairs, 16, 2, 12) == [2, 5, 7]
    assert heatmap_components([], [], 16, 8, 12) == list(range(12))
    assert heatmap_components([], [], 5, 8, 12) == list(range(5))


def test_independent_sd_is_one_over_root_n():
    assert independent_sd(400) == 0.05
    rng = np.random.default_rng(0)
    r = [np.corrcoef(rng.normal(size=(2, 400)))[0, 1] for _ in range(400)]
    assert 0.04 < np.std(r) < 0.06


# --- the session's tiny build -------------------------------------------------------------------


def test_tiny_build_records_read_through_the_schemas(tiny_build):
    root, _ = tiny_build
    run = root / "tiny" / "results"
    correlations = read_results(run / "correlations", CorrelationsResults)
    origin = read_results(run / "origin_slices", OriginSlicesResults)
    assert correlations.n_pairs_total == correlations.z_dim * (correlations.z_dim - 1) // 2
    assert len(origin.slices) == len(origin.pairs)
    corr.findings(correlations, {})
    orig.findings(origin, {"correlations": correlations})


def test_correlation_figures_state_what_their_numbers_show():
    f = corr.findings(correlations_record(), {"distributions": Distributions(range(15))})
    assert f.scatter_one_direction and f.scatter_sees_first and f.scatter_directions == [1]
    assert f.scatter_view.verdict == "outside"
    assert [v.verdict for v in f.other_views] == ["misleads", "among"]
    assert f.repeat_max_shift == pytest.approx(0.02)
    assert f.other_directions == [1, 2] and f.other_distinct
    assert [(row.label, row.kept, row.original) for row in f.stage_rows] == [
        ("start", 100, 5000), ("components 0–5", 10, 101), ("components 8–15", 4, 80), ("", None, 60)]
    assert f.filter_kept == 4 and f.filter_kept_share == pytest.approx(0.04)


def test_origin_findings_name_directions_counts_and_misleading_planes():
    misleading = [{"i": 3, "j": 9, "axis": 2, "sees_axis": 2, "sees_share": 0.5, "r": 0.1, "in_view": 0.9,
                   "nearest_ratio": 12.0, "n_uniform": 50, "all_kept": 0},
                  {"i": 4, "j": 8, "axis": 3, "sees_axis": 3, "sees_share": 0.4, "r": 0.0, "in_view": 0.2,
                   "nearest_ratio": 12.0, "n_uniform": 50, "all_kept": 1}]
    record = origin_record(slices=[slice_raw((6, 7), all_kept=3), slice_raw((0, 13), all_kept=3)],
                           sights=[{"sees_axis": 0, "sees_share": 0.9}, {"sees_axis": 1, "sees_share": 0.6}],
                           misleading=misleading)
    f = orig.findings(record, {})
    assert f.directions == [1, 2]
    assert not f.distinct_counts
    assert [(m.figure, m.sees, m.verdict) for m in f.misleading] == [(9, 3, "misleads"), (10, 4, "outside")]
    assert [(row.original_all, row.pair, row.all_kept) for row in f.original_rows] == [
        ("56", "(6, 7)", 3), ("39", "(0, 13)", 3), ("~70", "", None), ("–", "", None)]


def test_distinct_counts_skips_a_slab_seen_twice():
    from report.stats.planes import distinct_counts

    assert distinct_counts([{}] * 5, [136, 136, 137, 90, 12], 3) == [0, 2, 3]

"""Key statistics: what each build writes to results/key_stats.json, and the tolerance of each."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest

from report import keystats
from report.errors import ReportError

DISTRIBUTIONS = {
    "n_points": 500, "z_dim": 4,
    "radius": {"mean": 3.0, "std": 0.5, "peak": 2.9},
    "dominant": [0, 3],
    "max_abs_mean": {"index": 3, "value": -1.25},
    "max_half_width": {"index": 0, "value": 0.9},
    "dominant_rule": {"median_half_width": 0.4},
    "median_std": 0.17, "centre_radius": 2.5, "matching_b": 1.4,
}
CORRELATIONS = {"pairs_above": {"0.1": 6, "0.5": 2}, "max_abs_r": 0.8, "mean_abs_r": 0.3}
ORIGIN_SLICES = {
    "origin": {"share_farther": 0.0, "nearest_point_radius": 1.2},
    "slices": [{"all_kept": 40, "sample_kept": 4, "uniform_kept": 9}, {"all_kept": 12, "sample_kept": 1, "uniform_kept": 3}],
}


def _record(value):
    """A part of a record as the statistics read it: fields as attributes, keyed counts ("0.1") as a dict."""
    if isinstance(value, dict):
        if all(key.isidentifier() for key in value):
            return SimpleNamespace(**{key: _record(item) for key, item in value.items()})
        return {key: _record(item) for key, item in value.items()}
    return [_record(item) for item in value] if isinstance(value, list) else value


def _from_records(records: dict) -> dict:
    return keystats.from_records({step: _record(record) for step, record in records.items()})


def test_compute_takes_each_statistic_from_its_step(tmp_path):
    values = _from_records({"distributions": DISTRIBUTIONS, "correlations": CORRELATIONS,
                            "origin_slices": ORIGIN_SLICES, "train": {"final_loss": 0.5, "final_val_loss": 0.52}})
    assert values["distributions.radius.mean"] == 3.0
    assert values["distributions.radius.peak"] == 2.9
    assert values["distributions.n_dominant"] == 2
    assert values["distributions.max_abs_mean"] == 1.25  # |mean|, the sign of an axis is arbitrary
    assert values["correlations.pairs_above.0.1"] == 6
    assert values["correlations.pairs_above.0.5"] == 2
    assert values["origin_slices.slice_1.all_kept"] == 40
    assert values["origin_slices.slice_2.uniform_kept"] == 3
    assert values["train.final_val_loss"] == 0.52


def test_a_zpoints_run_has_no_training_keys_and_no_nulls(tmp_path):
    values = _from_records({"distributions": DISTRIBUTIONS, "correlations": CORRELATIONS,
                            "statistical_points": {"has_decoder": False, "batches": []}})
    assert not any(key.startswith(("train.", "encode.", "data.", "statistical_points.")) for key in values)
    assert all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values.values())


def test_write_is_sorted_flat_json_and_load_reads_it_back(tiny_copy):
    run = tiny_copy / "tiny"
    (run / "results" / "key_stats.json").unlink()
    path = keystats.write(run)
    assert path == run / "results" / "key_stats.json"
    text = path.read_text()
    assert list(json.loads(text)) == sorted(json.loads(text))
    assert keystats.load(run) == keystats.load(path) == keystats.compute(run)


def test_compute_reads_each_record_through_its_schema(tiny_copy):
    run = tiny_copy / "tiny"
    stats = run / "results" / "distributions" / "stats.json"
    record = json.loads(stats.read_text())
    record["radius"]["mean"] = "long"
    stats.write_text(json.dumps(record))
    with pytest.raises(ReportError, match=r"distributions results: radius\.mean"):
        keystats.compute(run)


def test_relative_tolerance_is_taken_around_the_expected_value():
    stat = keystats.definition("distributions.radius.mean")
    assert stat.rtol > 0 and stat.atol == 0
    assert stat.within(10.0, 10.0 * (1 + 0.99 * stat.rtol))
    assert stat.within(-10.0, -10.0 * (1 + 0.99 * stat.rtol))
    assert not stat.within(10.0, 10.0 * (1 + 1.01 * stat.rtol))


def test_counts_allow_a_few_points_across_a_threshold():
    stat = keystats.definition("correlations.pairs_above.0.3")
    assert stat.key == "correlations.pairs_above.*"
    assert stat.within(0, stat.atol)
    assert not stat.within(0, stat.atol + 1)
    assert keystats.label("correlations.pairs_above.0.3") == "pairs with |r| above 0.3"


def test_slice_counts_get_a_factor_not_a_difference():
    stat = keystats.definition("origin_slices.slice_2.all_kept")
    assert stat.factor > 1
    high, low = 100 * stat.factor + stat.atol, 100 / stat.factor - stat.atol
    assert stat.within(100, high) and stat.within(100, low)
    assert not stat.within(100, high + 1) and not stat.within(100, low - 1)
    assert stat.within(0, stat.atol) and not stat.within(0, stat.atol + 1)
    assert stat.tolerance_text == f"×/÷{stat.factor:g} ±{stat.atol:g}"


def test_sizes_and_unknown_keys_must_match_exactly():
    assert keystats.definition("distributions.z_dim").tolerance_text == "exact"
    unknown = keystats.definition("some.future.statistic")
    assert unknown is keystats.EXACT
    assert unknown.within(1.5, 1.5) and not unknown.within(1.5, 1.5000001)


def test_order_follows_the_definitions_and_numbers_within_a_family():
    keys = ["zzz.unknown", "correlations.pairs_above.0.5", "distributions.radius.mean", "origin_slices.slice_10.all_kept",
            "origin_slices.slice_2.all_kept", "correlations.pairs_above.0.1", "train.final_loss"]
    assert keystats.order(keys) == [
        "train.final_loss", "distributions.radius.mean", "correlations.pairs_above.0.1", "correlations.pairs_above.0.5",
        "origin_slices.slice_2.all_kept", "origin_slices.slice_10.all_kept", "zzz.unknown"]


def test_load_names_a_missing_folder_or_a_folder_without_key_stats(tmp_path):
    with pytest.raises(ReportError, match=f"^{tmp_path / 'nowhere'}: no such run folder$"):
        keystats.load(tmp_path / "nowhere")
    with pytest.raises(ReportError, match=f"^{tmp_path}: no results/key_stats.json"):
        keystats.load(tmp_path)
    bad = tmp_path / "bad.json"
    bad.write_text('{"distributions.radius.mean": "high"}')
    with pytest.raises(ReportError, match="distributions.radius.mean: expected a finite number"):
        keystats.load(bad)


def test_tiny_build_writes_every_key_statistic_with_a_definition(tiny_build):
    root, _ = tiny_build
    values = json.loads((root / "tiny" / "results" / "key_stats.json").read_text())
    assert values == keystats.compute(root / "tiny")
    assert [key for key in values if keystats.definition(key) is keystats.EXACT] == []
    defined = {stat.key for stat in keystats.KEY_STATS}
    covered = {keystats.definition(key).key for key in values}
    assert covered == defined  # tiny exercises every definition

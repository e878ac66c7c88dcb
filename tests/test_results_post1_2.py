"""Results schemas and findings of posts I and II: data, train, encode, distributions."""

from __future__ import annotations

import numpy as np
import pytest

from report.errors import ReportError
from report.results import jsonable, read_results, save_results, validate_results
from report.results.data import DataResults
from report.results.data import findings as data_findings
from report.results.distributions import (
    NARROW_BAND,
    TABLE_ROWS,
    DistributionsResults,
    b_band,
    origin_coverage,
)
from report.results.distributions import findings as distributions_findings
from report.results.encode import EncodeResults
from report.results.train import TrainResults
from report.stats import component_overview, pixel_std, reconstruction_error, widest_components

# --- records shaped like the tiny build's ----------------------------------------------------


def data_record(**changes) -> dict:
    record = {
        "source": "synthetic", "path": None, "n_images": 320, "image_size": 16, "skipped": 0,
        "skipped_examples": [], "n_factors": 68, "sample_grid": 32, "pca_sample": 320,
        "pca_max_components": 64, "pca_variance": 0.9, "pca_components_90": 21,
    }
    return {**record, **changes}


def train_record(**changes) -> dict:
    layer = {"name": "image", "output_shape": "(None, 16, 16, 3)", "params": 0, "type": "InputLayer"}
    total = {"name": "total", "output_shape": "", "params": 1234, "type": ""}
    record = {
        "batch_size": 32,
        "global_batch_size": 32,
        "decoder_layers": [layer, total],
        "encoder_layers": [layer, total],
        "device": {"count": 1, "cpu_cores": 2, "device": "CPU", "name": "CPU", "replicas": 1},
        "epochs": 2,
        "final_loss": 0.689,
        "final_val_loss": 0.688,
        "history": {"epoch_seconds": [1.5, 0.2], "loss": [0.692, 0.689], "n_train": 288, "n_validation": 32,
                    "train_seconds": 1.7, "val_loss": [0.691, 0.688], "mse": [0.05, 0.049],
                    "val_mse": [0.049, 0.048], "learning_rate": [0.0015, 0.0001], "best_epoch": 2, "epochs_run": 2},
        "learning_rate": 0.002,
        "loss_name": "binary_crossentropy",
        "z_dim": 16,
        "learning_rate_schedule": "cosine",
        "snapshots": [1, 2],
        "final_weights": "best",
        "origin": "trained",
        "loaded": None,
    }
    return {**record, **changes}


def encode_record(**changes) -> dict:
    record = {
        "n_points": 320, "z_dim": 16, "n_reconstructions": 8, "reconstruction_mse": 0.0444,
        "reconstruction_sample": 320, "uniform_b": 2.0, "n_random": 8, "random_radius_mean": 4.42,
        "random_image_std": 0.0394, "data_image_std": 0.2147,
        "n_heldout": 32, "heldout_mse": 0.0485, "heldout_psnr": 13.14, "heldout_ssim": 0.072,
        "n_teaser": 24, "teaser_heldout": True, "teaser_psnr": 13.2, "n_scatter": 300,
        "principal_shares": [0.3, 0.1, 0.05], "origin_principal": [-3.0, 0.5, 0.1], "origin_plane_distance": 3.2,
        "share_farther_in_plane": 0.01, "data_plane_distance_mean": 1.2,
    }
    return {**record, **changes}


def shell(b: float, share: float, z_dim: int = 4) -> dict:
    expected = b * np.sqrt(z_dim / 3)
    return {"b": b, "expected_mean": expected, "measured_mean": expected, "measured_std": 0.1,
            "share_in_data_range": share}


def distributions_record(means, widths, *, shares=(0.0, 1.0, 0.3), b_values=(0.5, 1.0, 2.0), matching_b=1.1,
                         closest_b=1.0, figure=None, mean_factor=0.5, width_factor=1.5, **changes) -> dict:
    """A record for hand-made component means and half widths, with the notebook's dominant rule."""
    means, widths = np.asarray(means, float), np.asarray(widths, float)
    median = float(np.median(widths))
    dominant = [int(j) for j in np.flatnonzero((np.abs(means) >= mean_factor * median)
                                               | (widths >= width_factor * median))]
    record = {
        "n_points": 100,
        "z_dim": len(means),
        "bin_width": 0.25,
        "half_width_bin": 0.05,
        "components": [{"index": j, "mean": m, "std": w / 2.355, "half_width": w}
                       for j, (m, w) in enumerate(zip(means, widths))],
        "dominant": dominant,
        "dominant_figure_components": dominant if figure is None else figure,
        "highlighted_components": dominant[:10],
        "dominant_rule": {"mean_factor": mean_factor, "width_factor": width_factor, "median_half_width": median,
                          "mean_threshold": mean_factor * median, "width_threshold": width_factor * median},
        "median_std": median / 2.355,
        "max_abs_mean": {"index": int(np.argmax(np.abs(means))), "value": float(means[np.argmax(np.abs(means))])},
        "max_half_width": {"index": int(np.argmax(widths)), "value": float(widths.max())},
        "share_covering_origin": float(np.mean(np.abs(means) <= widths / 2)),
        "radius": {"mean": 2.0, "std": 0.3, "peak": 1.9},
        "centre_radius": float(np.linalg.norm(means)),
        "uniform": [shell(b, s, len(means)) for b, s in zip(b_values, shares)],
        "matching_b": matching_b,
        "closest_b": closest_b,
    }
    return {**record, **changes}


def distributions(*args, **kwargs) -> DistributionsResults:
    return validate_results(DistributionsResults, distributions_record(*args, **kwargs))


# --- schemas ----------------------------------------------------------------------------------


@pytest.mark.parametrize("schema, record", [
    (DataResults, data_record()),
    (TrainResults, train_record()),
    (EncodeResults, encode_record()),
    (DistributionsResults, distributions_record([0.0, 1.0, -1.0, 0.1], [1.0, 1.0, 3.0, 1.0])),
])
def test_schema_accepts_its_record_and_writes_it_back_unchanged(schema, record, tmp_path):
    saved = save_results(tmp_path, validate_results(schema, record))
    assert jsonable(read_results(tmp_path, schema)) == jsonable(record)
    assert jsonable(saved) == jsonable(record)


@pytest.mark.parametrize("schema, record", [
    (DataResults, data_record()),
    (TrainResults, train_record()),
    (EncodeResults, encode_record()),
    (DistributionsResults, distributions_record([0.0, 1.0], [1.0, 1.0])),
])
def test_schema_rejects_an_unknown_key(schema, record):
    with pytest.raises(ReportError, match="surplus: unknown key"):
        validate_results(schema, {**record, "surplus": 1})


@pytest.mark.parametrize("schema, record, key", [
    (DataResults, data_record(n_images="many"), "n_images"),
    (DataResults, data_record(source="zpoints"), "source"),
    (TrainResults, train_record(device={"device": "CPU", "name": "CPU", "count": "one", "cpu_cores": 2}),
     "device.count"),
    (EncodeResults, encode_record(reconstruction_mse=[0.1]), "reconstruction_mse"),
    (DistributionsResults, distributions_record([0.0, 1.0], [1.0, 1.0], dominant="all"), "dominant"),
    (DistributionsResults,
     distributions_record([0.0, 1.0], [1.0, 1.0], radius={"mean": 1.0, "std": 0.1}), "radius.peak"),
])
def test_schema_rejects_a_wrong_type_and_names_the_key(schema, record, key):
    with pytest.raises(ReportError, match=f"results: {key}:"):
        validate_results(schema, record)


def test_missing_values_are_allowed_where_training_or_a_width_can_fail():
    train = validate_results(TrainResults, train_record(final_val_loss=None, final_loss=None,
                                                        history={**train_record()["history"], "val_loss": []}))
    assert train.final_val_loss is None
    record = distributions_record([0.0, 1.0], [1.0, 1.0])
    record["components"][1]["half_width"] = None
    means, _stds, widths = validate_results(DistributionsResults, record).columns()
    assert means.tolist() == [0.0, 1.0]
    assert np.isnan(widths[1]) and widths[0] == 1.0


def test_columns_give_the_components_in_index_order():
    record = distributions([0.5, -0.25, 2.0], [1.0, 2.0, 3.0])
    means, stds, widths = record.columns()
    assert means.tolist() == [0.5, -0.25, 2.0]
    assert widths.tolist() == [1.0, 2.0, 3.0]
    assert stds == pytest.approx(widths / 2.355)


# --- data findings ----------------------------------------------------------------------------


def test_data_findings_flag_skipped_files_and_a_capped_component_count():
    plain = data_findings(validate_results(DataResults, data_record()), {})
    assert not plain.has_skipped and not plain.pca_capped
    capped = data_findings(validate_results(DataResults, data_record(pca_components_90=64, skipped=3)), {})
    assert capped.has_skipped and capped.pca_capped


# --- distributions findings -------------------------------------------------------------------


@pytest.mark.parametrize("share, expected", [(0.95, "nearly_all"), (0.9, "nearly_all"), (0.6, "most"),
                                             (0.5, "most"), (0.2, "few"), (0.0, "few")])
def test_origin_coverage(share, expected):
    assert origin_coverage(share) == expected


def test_dominant_components_are_split_by_the_threshold_they_pass():
    # median width 1: |mean| >= 0.5 or width >= 1.5 is dominant
    f = distributions_findings(distributions([0.0, 0.8, -0.6, 0.1, 0.9, 0.0], [1.0, 1.0, 1.0, 2.0, 2.0, 1.0]), {})
    assert [(r.index, r.by_mean, r.by_width) for r in f.dominant_rows] == [
        (1, True, False), (2, True, False), (3, False, True), (4, True, True)]
    assert (f.n_by_mean, f.n_above, f.n_below, f.n_by_width) == (3, 2, 1, 2)
    assert f.offset_sides == "both"
    assert f.cloud == "offset"
    assert (f.n_rest, f.rest) == (2, "several")
    assert not f.table_cut and len(f.table_rows) == 4


@pytest.mark.parametrize("means, sides", [
    ([0.0, 0.8, 0.7, 0.0], "above"),
    ([0.0, -0.8, -0.7, 0.0], "below"),
    ([0.0, 0.0, 0.0, 0.0], "none"),
])
def test_offset_sides(means, sides):
    f = distributions_findings(distributions(means, [1.0, 1.0, 1.0, 3.0]), {})
    assert f.offset_sides == sides


def test_a_cloud_stretched_only_by_wide_components():
    f = distributions_findings(distributions([0.0, 0.1, 0.0, 0.0], [1.0, 1.0, 1.0, 3.0]), {})
    assert f.cloud == "stretched" and f.n_by_mean == 0 and f.n_by_width == 1
    assert (f.n_rest, f.rest) == (3, "several")


def test_alike_components_have_no_dominant_rows():
    f = distributions_findings(distributions([0.0, 0.1, -0.1, 0.0], [1.0, 1.0, 1.1, 0.9],
                                             figure=[0, 1, 2, 3]), {})
    assert f.cloud == "alike" and f.dominant_rows == []
    assert f.dominant_figure == "widest"


def test_remaining_components_one_or_none():
    one = distributions_findings(distributions([0.0, 0.8, -0.9], [1.0, 1.0, 1.0]), {})
    assert (one.n_rest, one.rest) == (1, "one")
    none = distributions_findings(distributions([2.0, 0.8, -0.9], [1.0, 1.0, 1.0]), {})
    assert (none.n_rest, none.rest) == (0, "none")


def test_dominant_figure_shows_the_widest_of_many():
    record = distributions([0.0, 0.8, -0.9, 0.7], [1.0, 1.0, 1.0, 1.0], figure=[1, 2])
    assert distributions_findings(record, {}).dominant_figure == "widest_dominant"
    record = distributions([0.0, 0.8, -0.9, 0.7], [1.0, 1.0, 1.0, 1.0])
    assert distributions_findings(record, {}).dominant_figure == "all_dominant"


def test_table_lists_at_most_table_rows_components():
    n = TABLE_ROWS + 5
    means = [1.0] * n + [0.0] * n  # the median width is 1, so the first n are dominant by their mean
    f = distributions_findings(distributions(means, [1.0] * (2 * n)), {})
    assert len(f.dominant_rows) == n
    assert f.table_cut and [r.index for r in f.table_rows] == list(range(TABLE_ROWS))


@pytest.mark.parametrize("n_fitting, band", [(0, "none"), (1, "narrow"), (NARROW_BAND, "narrow"),
                                             (NARROW_BAND + 1, "wide")])
def test_b_band(n_fitting, band):
    assert b_band(n_fitting) == band


def test_fitting_touching_and_edge_shells():
    f = distributions_findings(distributions([0.0, 0.8], [1.0, 1.0], shares=(0.0, 1.0, 0.3)), {})
    assert [u.b for u in f.fitting] == [1.0]
    assert [u.b for u in f.touching] == [1.0, 2.0]
    assert [u.b for u in f.edge] == [2.0]
    assert f.b_band == "narrow"
    assert f.closest.b == 1.0
    wide = distributions_findings(distributions([0.0, 0.8], [1.0, 1.0], shares=(0.5, 1.0, 0.9)), {})
    assert wide.b_band == "wide" and wide.edge == []
    missed = distributions_findings(distributions([0.0, 0.8], [1.0, 1.0], shares=(0.0, 0.2, 0.0)), {})
    assert missed.b_band == "none" and [u.b for u in missed.touching] == [1.0]


@pytest.mark.parametrize("matching_b, outside", [(0.4, True), (0.5, False), (1.3, False), (2.0, False),
                                                 (2.5, True)])
def test_matching_b_outside_the_tried_range(matching_b, outside):
    f = distributions_findings(distributions([0.0, 0.8], [1.0, 1.0], matching_b=matching_b), {})
    assert f.matching_outside is outside


def test_finer_width_bins():
    assert distributions_findings(distributions([0.0, 0.8], [1.0, 1.0]), {}).finer_width_bins
    same = distributions([0.0, 0.8], [1.0, 1.0], half_width_bin=0.25)
    assert not distributions_findings(same, {}).finer_width_bins


# --- reconstruction statistics ----------------------------------------------------------------


def test_reconstruction_error_of_known_differences():
    originals = np.zeros((2, 2, 2, 3), dtype=np.uint8)
    reconstructions = originals.copy()
    reconstructions[0] = 255  # half of all pixels off by 1 in [0, 1]
    error = reconstruction_error(originals, reconstructions)
    assert error["mse"] == pytest.approx(0.5)
    assert error["original_std"] == 0.0
    assert reconstruction_error(reconstructions, reconstructions)["mse"] == 0.0
    assert error["mse"] == pytest.approx(reconstruction_error(reconstructions, originals)["mse"])


def test_reconstruction_error_matches_a_slow_loop():
    rng = np.random.default_rng(3)
    a = rng.integers(0, 256, size=(5, 4, 4, 3), dtype=np.uint8)
    b = rng.integers(0, 256, size=(5, 4, 4, 3), dtype=np.uint8)
    total = sum((int(x) / 255 - int(y) / 255) ** 2 for x, y in zip(a.ravel(), b.ravel()))
    error = reconstruction_error(a, b)
    assert error["mse"] == pytest.approx(total / a.size, rel=1e-5)
    assert error["original_std"] == pytest.approx(np.std(a.astype(np.float64) / 255), rel=1e-5)


def test_reconstruction_error_rejects_different_shapes():
    with pytest.raises(ValueError, match="shapes differ"):
        reconstruction_error(np.zeros((2, 4, 4, 3), np.uint8), np.zeros((3, 4, 4, 3), np.uint8))


def test_pixel_std_of_black_and_white_halves_is_one_half():
    images = np.zeros((2, 4, 4, 3), dtype=np.uint8)
    images[1] = 255
    assert pixel_std(images) == pytest.approx(0.5)
    assert pixel_std(np.full((3, 2, 2, 3), 77, dtype=np.uint8)) == 0.0


# --- the session's tiny build -----------------------------------------------------------------


def test_tiny_build_records_read_through_their_schemas(tiny_build):
    root, _ = tiny_build
    results = root / "tiny" / "results"
    data = read_results(results / "data", DataResults)
    encode = read_results(results / "encode", EncodeResults)
    train = read_results(results / "train", TrainResults)
    record = read_results(results / "distributions", DistributionsResults)
    assert encode.n_points == data.n_images == record.n_points
    assert train.z_dim == encode.z_dim == record.z_dim
    assert encode.reconstruction_sample == min(data.n_images, 2000)
    f = distributions_findings(record, {"encode": encode})
    assert len(f.dominant_rows) == len(record.dominant)
    assert f.n_by_mean + f.n_by_width >= len(record.dominant)


# --- post II's overview of all components ------------------------------------------------------


def test_component_overview_of_known_components():
    means = [0.0, -2.0, 0.5, 0.25]
    stds = [1.0, 2.0, 3.0, 4.0]
    widths = [1.0, 2.0, 0.5, 4.0]
    overview = component_overview(means, stds, widths, 0.5, 1.5)
    assert overview["dominant_rule"] == {"mean_factor": 0.5, "width_factor": 1.5, "median_half_width": 1.5,
                                         "mean_threshold": 0.75, "width_threshold": 2.25}
    assert overview["median_std"] == 2.5
    assert overview["max_abs_mean"] == {"index": 1, "value": -2.0}  # signed, the farthest off 0
    assert overview["max_half_width"] == {"index": 3, "value": 4.0}
    # 0 inside mean +/- width / 2 for components 0 (0 <= 0.5) and 3 (0.25 <= 2), not 1 or 2 (0.5 > 0.25)
    assert overview["share_covering_origin"] == 0.5
    assert overview["centre_radius"] == pytest.approx(np.sqrt(4 + 0.25 + 0.0625))
    validate_results(DistributionsResults, {**distributions_record([0.0, 1.0], [1.0, 1.0]), **overview})


def test_widest_components_in_index_order():
    widths = [1.0, 5.0, 2.0, 4.0, 3.0]
    assert widest_components(widths, 2) == [1, 3]
    assert widest_components(widths, 2, among=[0, 2, 4]) == [2, 4]
    assert widest_components(widths, 10, among=[4, 0]) == [0, 4]


def test_encode_findings_place_the_origin_in_the_projection():
    from report.results.encode import findings as encode_findings

    projection = dict(n_teaser=24, teaser_heldout=True, teaser_psnr=26.0, n_scatter=500,
                      principal_shares=[0.3, 0.1, 0.05], origin_principal=[-3.0, 0.5, 0.1],
                      origin_plane_distance=3.2, share_farther_in_plane=0.01, data_plane_distance_mean=1.2)
    f = encode_findings(validate_results(EncodeResults, encode_record(**projection)), {})
    assert f.teaser and f.projection and f.origin_position == "border" and f.origin_beyond_mean
    assert np.isclose(f.plane_share, 0.4) and np.isclose(f.hidden_share, 0.6)
    inside = encode_findings(validate_results(EncodeResults, encode_record(
        **{**projection, "origin_plane_distance": 0.2, "share_farther_in_plane": 0.98})), {})
    assert inside.origin_position == "inside" and not inside.origin_beyond_mean
    added = ("n_teaser", "teaser_heldout", "teaser_psnr", "n_scatter", "principal_shares", "origin_principal",
             "origin_plane_distance", "share_farther_in_plane", "data_plane_distance_mean")
    bare = encode_findings(validate_results(EncodeResults, encode_record(**dict.fromkeys(added))), {})
    assert not bare.teaser and not bare.projection and bare.origin_position is None

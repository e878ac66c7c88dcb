"""Posts V-VII: the results schemas of statistical_points, paths and intervals, their findings, and their pages."""

from __future__ import annotations

import json
import math
from types import SimpleNamespace

import numpy as np
import pytest

from report import samplers
from report.errors import ReportError
from report.params import parse_params
from report.results import read_results, save_results, validate_results
from report.results.intervals import IntervalsResults, spread_matching_factor
from report.results.intervals import findings as intervals_findings
from report.results.paths import PathsResults, dominance
from report.results.paths import findings as paths_findings
from report.results.statistical_points import (
    StatisticalPointsResults,
    coverage,
    inside_level,
    trend,
    uniform_b_with_matching,
    yardstick_position,
)
from report.results.statistical_points import findings as points_findings
from report.stats import positions
from report.stats.origin import origin_verdict

YARDSTICK = 0.1


# --- records as the tiny build writes them (shortened) -------------------------------------------------------------

def batch(b, share_inside=0.3, nearest=0.1, matching=False, radius_share=0.99, mahalanobis=80.0):
    return {"b": b, "figure": f"uniform-b-{b:g}.png", "is_matching_b": matching, "mahalanobis_mean": mahalanobis,
            "nearest_image_distance": nearest, "pixel_spread": 0.03, "radius_mean": 2.3 * b,
            "share_inside_ranges": share_inside, "share_radius_in_data_range": radius_share}


def points_record(batches=None, decoder=True, **changes) -> dict:
    batches = batches or [batch(1.0, nearest=0.0978), batch(1.31, 0.29, 0.0974, matching=True),
                          batch(1.5, 0.265, 0.0978), batch(2.0, 0.218, 0.0982, radius_share=0.335)]
    if not decoder:
        batches = [{**b, "figure": None, "nearest_image_distance": None, "pixel_spread": None} for b in batches]
    record = {
        "uniform_b": [b["b"] for b in batches], "batches": batches, "data_mahalanobis_mean": 3.87,
        "data_radius_mean": 3.02, "data_radius_range": [1.48, 4.35], "grid": [2, 4], "has_decoder": decoder,
        "matching_b": 1.3066, "n_points": 320, "n_vectors": 200,
        "real_nearest_image_distance": 0.0960 if decoder else None,
        "real_pixel_spread": 0.045 if decoder else None, "z_dim": 16,
    }
    return {**record, **changes}


def path(name, plane=None, angle=None, nearest=(0.0985, 0.0968, 0.0958, 0.0956), length=3.0, decoder=True):
    return {"angle": angle, "length": length, "mahalanobis": [6.0, 4.0, 2.0, 0.0], "name": name,
            "nearest_image_distance": list(nearest) if decoder else None, "pair_r": 0.96 if plane else None,
            "pixel_spread": [0.02] * len(nearest) if decoder else None, "plane": plane,
            "projection": f"{name}-projection.png", "radius_end": 3.0, "radius_start": 0.0,
            "strip": f"{name}-strip.png" if decoder else None, "title": name}


def paths_record(decoder=True, through=(0.0962, 0.0957), **changes) -> dict:
    paths = [path("origin-centre", decoder=decoder),
             path("plane-1", [6, 7], 0.0, [through[0]] * 4, 1.8, decoder),
             path("plane-2", [0, 13], 0.0, [through[1]] * 4, 1.4, decoder),
             path("plane-1-rotated-90", [6, 7], 90.0, [through[0]] * 4, 1.8, decoder)]
    record = {"centre_radius": 3.0, "data_mahalanobis_mean": 3.87, "data_mahalanobis_p99": 6.84, "extent": 1.0,
              "has_decoder": decoder, "n_points": 320, "paths": paths, "planes": [[6, 7], [0, 13]],
              "planes_from_parameters": False, "points_per_path": 4, "z_dim": 16}
    return {**record, **changes}


def grid(factor, distance, scaled, mahalanobis=17.6, inside=1.0, nearest=0.0956, decoder=True):
    return {"distance_mean": distance, "factor": factor, "figure": f"factor-{factor:g}.png" if decoder else None,
            "mahalanobis_mean": mahalanobis, "nearest_image_distance": nearest if decoder else None,
            "pixel_spread": 0.043 if decoder else None, "scaled_distance_mean": scaled, "share_inside_ranges": inside}


def intervals_record(grids=None, decoder=True, **changes) -> dict:
    grids = grids or [grid(0.5, 0.53, 2.92, decoder=decoder),
                      grid(1.0, 1.04, 5.83, 38.4, 0.977, 0.0957, decoder=decoder)]
    record = {"data_distance_mean": 0.625, "data_mahalanobis_mean": 3.87, "data_mahalanobis_p99": 6.84,
              "data_scaled_distance_mean": 3.59, "factors": [g["factor"] for g in grids], "grid": [2, 4],
              "grids": grids, "has_decoder": decoder,
              "individuals": {"distances": [0.46, 0.54, 0.99, 1.19], "figure": "individuals.png" if decoder else None,
                              "nearest_image_distance": [0.0956, 0.0954, 0.0956, 0.0953] if decoder else None,
                              "pixel_spread": [0.04] * 4 if decoder else None},
              "n_points": 320, "width": "fwhm", "z_dim": 16}
    return {**record, **changes}


def points(**kw):
    return validate_results(StatisticalPointsResults, points_record(**kw))


def upstream(yardstick=YARDSTICK, share_farther=0.04, data_distance=0.625, dominant=(6, 7)):
    """Stand-ins for the typed records of the other steps that the findings read."""
    return {
        "statistical_points": validate_results(StatisticalPointsResults, points_record(
            real_nearest_image_distance=yardstick)),
        "origin_slices": SimpleNamespace(origin=SimpleNamespace(data_distance_mean=data_distance,
                                                                mahalanobis=SimpleNamespace(
            share_farther=share_farther, data_mean=3.87, data_upper=6.84, rank=16,
            verdict=origin_verdict(share_farther, border_share=0.01, outer_share=0.2, core_share=0.5)))),
        "distributions": SimpleNamespace(dominant=list(dominant)),
    }


# --- schemas --------------------------------------------------------------------------------------------------------

def _without_added_defaults(written, record):
    """`written` less the keys the record lacks whose value is the default None (fields added later, e.g. faces)."""
    if isinstance(written, dict) and isinstance(record, dict):
        return {k: _without_added_defaults(v, record[k]) if k in record else v
                for k, v in written.items() if k in record or v is not None}
    if isinstance(written, list) and isinstance(record, list) and len(written) == len(record):
        return [_without_added_defaults(w, r) for w, r in zip(written, record, strict=True)]
    return written


@pytest.mark.parametrize("schema, record", [
    (StatisticalPointsResults, points_record()), (StatisticalPointsResults, points_record(decoder=False)),
    (PathsResults, paths_record()), (PathsResults, paths_record(decoder=False)),
    (IntervalsResults, intervals_record()), (IntervalsResults, intervals_record(decoder=False)),
])
def test_schema_accepts_the_record_and_writes_it_back_unchanged(schema, record, tmp_path):
    written = save_results(tmp_path, validate_results(schema, record))
    back = json.loads((tmp_path / "stats.json").read_text())
    added = {"n_data_sample", "n_reference_images", "n_scatter_points"}
    assert _without_added_defaults({k: v for k, v in back.items() if k not in added}, record) == record
    assert read_results(tmp_path, schema) == written


def _without_added_defaults(written, record):
    """`written` less the keys the record lacks whose value is the default None (fields added later, e.g. faces)."""
    if isinstance(written, dict) and isinstance(record, dict):
        return {k: _without_added_defaults(v, record[k]) if k in record else v
                for k, v in written.items() if k in record or v is not None}
    if isinstance(written, list) and isinstance(record, list) and len(written) == len(record):
        return [_without_added_defaults(w, r) for w, r in zip(written, record, strict=True)]
    return written


@pytest.mark.parametrize("schema, record", [
    (StatisticalPointsResults, points_record()), (PathsResults, paths_record()),
    (IntervalsResults, intervals_record())])
def test_schema_rejects_an_unknown_key_and_a_wrong_type(schema, record):
    with pytest.raises(ReportError, match="surprise: unknown key"):
        validate_results(schema, {**record, "surprise": 1})
    with pytest.raises(ReportError, match="z_dim"):
        validate_results(schema, {**record, "z_dim": "many"})


def test_schema_rejects_an_unknown_key_inside_a_list_entry():
    record = points_record()
    record["batches"][0]["colour"] = "red"
    with pytest.raises(ReportError, match="batches.0.colour: unknown key"):
        validate_results(StatisticalPointsResults, record)


def test_the_tiny_build_records_match_their_schemas(tiny_build):
    root, _ = tiny_build
    for schema in (StatisticalPointsResults, PathsResults, IntervalsResults):
        record = read_results(root / "tiny" / "results" / schema.step, schema)
        assert record.n_data_sample and record.n_reference_images


# --- shared judgements ----------------------------------------------------------------------------------------------

def test_yardstick_position_and_trend():
    assert [yardstick_position(v, 1.0) for v in (1.2, 1.05, 0.95, 0.8)] == ["above", "level", "level", "below"]
    assert trend(1.0, 1.06) == "grows" and trend(1.0, 1.04) == "flat" and trend(1.0, 0.5) == "flat"
    assert [inside_level(s) for s in (0.99, 0.95, 0.6)] == ["virtually_all", "most", "partly"]
    assert [coverage(3, 3), coverage(1, 3), coverage(0, 3), coverage(0, 0)] == ["all", "some", "none", "none"]


def test_uniform_b_adds_the_rounded_matching_b_once():
    assert uniform_b_with_matching((1.0, 1.5, 2.0), 1.3066) == [1.0, 1.31, 1.5, 2.0]
    assert uniform_b_with_matching((1.0, 1.5), 1.499) == [1.0, 1.5]


# --- post V ---------------------------------------------------------------------------------------------------------

def test_points_findings_of_the_tiny_like_record():
    f = points_findings(points(), {})
    assert f.n_shown == 8 and f.matching.b == 1.31 and f.matching_figure == 2 and f.real_figure == 5
    assert f.far_outside_cloud and f.radius_fits == [1.0, 1.31, 1.5]
    assert f.matching_inside == "partly" and f.matching_share_outside == pytest.approx(0.71)
    assert f.outside_coverage == "all" and f.others_inside == []
    assert f.matching_position == "level" and f.above == [] and f.below_others == []
    assert f.distance_trend == "flat" and f.max_nearest_image_distance == pytest.approx(0.0982)


def test_points_findings_when_the_matching_b_stays_inside_and_large_b_leave():
    record = points(batches=[batch(1.0, 0.99, 0.08), batch(1.3, 0.96, 0.0995, matching=True),
                             batch(2.0, 0.7, 0.13, mahalanobis=4.0)])
    f = points_findings(record, {})
    assert f.matching_inside == "most" and f.others_inside == [1.0]
    assert f.outside_coverage == "some" and [b.b for b in f.outside] == [2.0]
    assert [b.b for b in f.above] == [2.0] and f.below_others == [1.0]
    assert f.distance_trend == "grows" and not f.far_outside_cloud


def test_points_findings_for_a_single_batch_above_and_without_decoder():
    single = points(batches=[batch(1.3, 0.99, 0.2, matching=True)])
    f = points_findings(single, {})
    assert f.matching_inside == "virtually_all" and f.matching_position == "above" and f.distance_trend is None
    assert f.outside_coverage == "none"
    below = points_findings(points(batches=[batch(1.3, 0.99, 0.05, matching=True)]), {})
    assert below.matching_position == "below"
    bare = points_findings(points(decoder=False), {})
    assert bare.matching_position is None and bare.above is None and bare.distance_trend is None


# --- post VI --------------------------------------------------------------------------------------------------------

def test_paths_findings_number_the_figures_with_and_without_decoder():
    f = paths_findings(validate_results(PathsResults, paths_record()), upstream())
    assert (f.to_centre.projection_figure, f.to_centre.strip_figure) == (1, 2)
    assert (f.first_plane.projection_figure, f.first_plane.strip_figure) == (3, 4)
    assert [(r.projection_figure, r.strip_figure) for r in f.rotated] == [(5, 6)]
    assert [(o.projection_figure, o.strip_figure) for o in f.other_planes] == [(7, 8)]
    bare = paths_findings(validate_results(PathsResults, paths_record(decoder=False)), upstream())
    assert [bare.to_centre.projection_figure, bare.first_plane.projection_figure, bare.rotated[0].projection_figure,
            bare.other_planes[0].projection_figure] == [1, 2, 3, 4]
    assert bare.centre_trend is None and bare.near_coverage is None


def test_paths_findings_of_the_tiny_like_record():
    f = paths_findings(validate_results(PathsResults, paths_record()), upstream())
    assert f.first_plane.dominant == "both" and f.other_planes[0].dominant == "none"
    assert f.single_width and f.centre_between_points and not f.rotated_in_turn and not f.several_other_planes
    assert f.origin_beyond_data and f.first_ends_nearer_than_data is False and f.first_end_distance == 0.9
    assert f.origin_position == "outer" and f.origin_share_minority
    assert f.centre_trend == "flat" and f.centre_falls and f.origin_position_vs_yardstick == "level"
    assert f.near_coverage == "all" and f.n_near == 3 and f.n_through == 3 and not f.all_below
    assert (f.through_min, f.through_max) == (0.0957, 0.0962)


def test_paths_findings_judgements_turn_with_the_numbers():
    record = validate_results(PathsResults, paths_record(through=(0.2, 0.05), extent=1.5, points_per_path=5))
    f = paths_findings(record, upstream(share_farther=0.6, data_distance=4.0, dominant=(0,)))
    assert not f.single_width and not f.centre_between_points
    assert f.origin_position == "core" and not f.origin_share_minority and not f.origin_beyond_data
    assert f.first_ends_nearer_than_data and f.first_plane.dominant == "none" and f.other_planes[0].dominant == "one"
    assert f.near_coverage == "some" and f.n_near == 1
    falling = paths_record()
    falling["paths"][0]["nearest_image_distance"] = [0.2, 0.15, 0.1, 0.05]
    f = paths_findings(validate_results(PathsResults, falling), upstream())
    assert f.centre_trend == "falls" and f.origin_position_vs_yardstick == "above" and not f.centre_above_yardstick
    rising = paths_record(through=(0.05, 0.06))
    rising["paths"][0]["nearest_image_distance"] = [0.05, 0.1, 0.15, 0.2]
    f = paths_findings(validate_results(PathsResults, rising), upstream())
    assert f.centre_trend == "grows" and f.origin_position_vs_yardstick == "below" and f.centre_above_yardstick
    assert f.near_coverage == "all" and f.all_below
    high = paths_findings(validate_results(PathsResults, paths_record(through=(0.2, 0.3))), upstream())
    assert high.near_coverage == "none"


def test_paths_findings_without_the_other_steps():
    f = paths_findings(validate_results(PathsResults, paths_record()), {})
    assert f.origin_position is None and f.origin_beyond_data is None and f.yardstick is None
    assert f.first_plane.dominant == "none"
    assert dominance((1, 2), {1, 2}) == "both" and dominance((1, 2), {2}) == "one"


# --- post VII -------------------------------------------------------------------------------------------------------

def test_intervals_findings_of_the_tiny_like_record():
    f = intervals_findings(validate_results(IntervalsResults, intervals_record()), upstream())
    assert f.n_shown == 8 and f.n_pool == 16 and f.individuals_figure == 3
    assert f.root_n == 4.0 and f.spread_matching_factor == pytest.approx(0.7355, abs=1e-4)
    assert f.std_per_width == pytest.approx(2.3548, abs=1e-4)
    assert f.cloud_exit == "all" and f.beyond_data == "some" and f.first_beyond.factor == 1.0
    assert f.past_root.factor == 1.0 and not f.past_root_near_spread_match
    assert f.all_inside == "some" and f.last_all_inside.factor == 0.5
    assert f.above == "none" and f.below == [] and f.distance_trend == "flat" and not f.individuals_farther
    assert f.origin_mahalanobis_data_mean == 3.87 and f.uniform_above == []


def test_intervals_findings_judgements_turn_with_the_numbers():
    grids = [grid(0.4, 0.3, 2.0, 5.0, 1.0, 0.05), grid(0.7, 0.5, 4.2, 6.0, 1.0, 0.1),
             grid(1.0, 0.7, 6.0, 9.0, 0.999, 0.2)]
    f = intervals_findings(validate_results(IntervalsResults, intervals_record(grids)), upstream())
    assert f.cloud_exit == "wide" and f.beyond_data == "some" and f.first_beyond.factor == 1.0
    assert f.past_root.factor == 0.7 and f.past_root_near_spread_match
    assert f.all_inside == "all" and f.above == "some" and f.first_above.factor == 1.0 and f.below == [0.4]
    assert f.distance_trend == "grows" and f.last_position == "above"
    inside = [grid(0.4, 0.7, 2.0, 5.0, 0.9, 0.2), grid(1.0, 0.9, 3.0, 6.0, 0.8, 0.2)]
    f = intervals_findings(validate_results(IntervalsResults, intervals_record(inside)),
                           upstream(yardstick=0.1))
    assert f.cloud_exit == "none" and f.beyond_data == "all" and f.past_root is None
    assert f.all_inside == "none" and f.above == "all"
    near = [grid(0.5, 0.3, 2.0)]
    f = intervals_findings(validate_results(IntervalsResults, intervals_record(near)), {})
    assert f.beyond_data == "none" and f.yardstick is None and f.distance_trend is None


def test_spread_matching_factor_gives_the_data_spread():
    # a uniform value on mu +/- f w has std f w / sqrt(3); a Gaussian of FWHM w has std w / 2.3548
    for width, w_per_std in (("fwhm", 2 * math.sqrt(2 * math.log(2))), ("hwhm", math.sqrt(2 * math.log(2)))):
        f = spread_matching_factor(width)
        assert f * w_per_std / math.sqrt(3) == pytest.approx(1.0)


# --- pure helpers the notebooks call --------------------------------------------------------------------------------

def test_share_in_interval_and_component_ranges():
    assert positions.share_in_interval(np.array([0.0, 1.0, 2.0, 3.0]), 1.0, 2.0) == 0.5
    low, high = positions.component_ranges(np.array([[0, 5], [2, -1]], dtype=np.float32))
    assert low.dtype == np.float64 and list(low) == [0, -1] and list(high) == [2, 5]


def test_batch_position_of_known_vectors():
    vectors = np.array([[3.0, 4.0], [0.0, 1.0]])
    from report.stats import principal

    whiten = principal.whitening(principal.principal_axes(np.zeros(2), np.eye(2)))
    result = positions.batch_position(vectors, np.array([0.0, 0.0]), np.array([1.0, 1.0]), (0.5, 2.0), whiten)
    assert result == pytest.approx({"radius_mean": 3.0, "share_inside_ranges": 0.5,
                                    "share_radius_in_data_range": 0.5, "mahalanobis_mean": 3.0})


def test_centre_distances_scale_each_component():
    plain, scaled = positions.centre_distances(np.array([[4.0, 3.0]]), np.array([1.0, -1.0]), np.array([3.0, 2.0]))
    assert plain[0] == pytest.approx(5.0) and scaled[0] == pytest.approx(math.sqrt(5.0))
    assert list(positions.std_scale(np.array([0.0, 2.0]))) == [1.0, 2.0]


def test_decode_scores_of_identical_and_flat_images():
    images = np.random.default_rng(0).integers(0, 256, size=(3, 4, 4, 3), dtype=np.uint8)
    distance, spread = positions.decode_scores(images, images)
    assert distance == pytest.approx(0.0, abs=1e-6) and spread > 0
    flat = np.full((2, 4, 4, 3), 128, dtype=np.uint8)
    assert positions.decode_scores(flat, flat)[1] == 0.0


def test_evenly_by_distance_picks_nearest_and_farthest():
    points = np.arange(10, dtype=float)[::-1, None]  # distances 9 .. 0 from the origin
    picked = samplers.evenly_by_distance(points, np.zeros(1), 4)
    assert list(points[picked, 0]) == [0.0, 3.0, 6.0, 9.0]
    assert len(samplers.evenly_by_distance(points, np.zeros(1), 20)) == 10


# --- pages ----------------------------------------------------------------------------------------------------------

ORIGIN_FINDINGS = SimpleNamespace(far_along_axis=True, root_rank=4.0)  # what the origin's place sentence reads


def any_quantity(name: str):
    """A stand-in for the site's `quantity(name)`: the shared numbers come from other steps' records."""
    from report.render.quantities import quantity_printer

    return quantity_printer({name: f"[{name}]"})(name)


@pytest.mark.parametrize("decoder", [True, False])
def test_the_pages_render_from_records_and_findings(decoder):
    from report.render.environment import environment

    sizes = {"n_reference_images": 320 if decoder else None, "n_data_sample": 320}
    records = {
        "statistical_points": validate_results(StatisticalPointsResults, points_record(decoder=decoder, **sizes)),
        "paths": validate_results(PathsResults, paths_record(decoder=decoder, n_scatter_points=300, **sizes)),
        "intervals": validate_results(IntervalsResults, intervals_record(decoder=decoder, **sizes)),
    }
    others = upstream()
    for name in ("origin_slices", "distributions"):
        records[name] = others[name]
    finders = {"statistical_points": points_findings, "paths": paths_findings, "intervals": intervals_findings}
    steps = {name: {"stats": record, "findings": finders[name](record, records) if name in finders else None,
                    "figures": {}} for name, record in records.items()}
    steps["paths"]["figures"] = {"plane-1-projection": "figures/paths/plane-1-projection.png"}
    steps["origin_slices"]["findings"] = ORIGIN_FINDINGS
    context = {"steps": steps, "has_decoder": decoder, "variant": "tiny", "quantity": any_quantity,
               "params": parse_params({"variant": "tiny", "data": {"source": "synthetic" if decoder else "zpoints",
                                                                    "path": "z.npy"}})}
    env = environment()
    for name in finders:
        page = env.get_template(f"steps/{name}.html").render(**context)
        summary = env.get_template(f"steps/{name}-summary.html").render(**context)
        assert "None" not in page and "None" not in summary, name
        if decoder:
            assert "nearest of 320 training images" in " ".join(page.split()), name
    page = env.get_template("steps/paths.html").render(**context)
    assert "figures/paths/plane-1-projection.png" in page
    assert f"Figure {3 if decoder else 2}. The path through the centre in the plane (6, 7)" in page


def test_cloud_sample_and_no_decoding_without_a_decoder():
    from report.cloud import Cloud, open_decoding

    z = np.arange(12, dtype=np.float32).reshape(6, 2)
    from report.stats import principal

    axes = principal.principal_axes(np.zeros(2), np.diag([4.0, 1.0]))
    whiten = principal.whitening(axes)
    cloud = Cloud(z=z, distributions=None, centre=np.zeros(2), stds=np.array([2.0, 1.0]), half_widths=np.ones(2),
                  correlation=np.eye(2), covariance=np.diag([4.0, 1.0]), whiten=whiten,
                  regularisation=principal.regularisation_summary(whiten, axes))
    assert (cloud.n_points, cloud.z_dim) == (6, 2)
    # Mahalanobis under the cloud's whitening: (2, 1) lies one std out along each axis
    assert cloud.mahalanobis(np.array([[2.0, 1.0]]))[0] == pytest.approx(np.sqrt(2.0))
    assert np.array_equal(cloud.sample(10, np.random.default_rng(0)), z)
    part = cloud.sample(3, np.random.default_rng(0))
    assert part.shape == (3, 2) and np.all(np.diff(part[:, 0]) > 0)
    assert open_decoding(SimpleNamespace(inputs={"latents": "z.npy"}), 10) is None


# --- core and border planes, the adapted generator ------------------------------------------------------------------

def _plane_path(name, plane, kind, mahalanobis, faces, sees_axis, change=0.03):
    record = path(name, plane, 0.0, [0.096] * 4, 1.5)
    record.update(projection=None, strip=None, row=f"{name}-row.png", kind=kind, sees_axis=sees_axis, sees_share=0.4,
                  mahalanobis=list(mahalanobis), end_change=change,
                  faces={"faces": list(faces), "n_faces": sum(faces), "n_decodes": len(faces)})
    return record


def core_border_record():
    record = paths_record()
    first = _plane_path("plane-1", [6, 7], "first", [30.0, 10.0, 10.0, 30.0], [True] * 4, 0, change=0.1)
    core = _plane_path("plane-2", [0, 13], "core", [6.0, 2.0, 2.0, 6.0], [True, True, True, False], 5)
    border = _plane_path("plane-3", [2, 9], "border", [21.0, 7.0, 7.0, 21.0], [False, True, True, False], 1)
    border2 = _plane_path("plane-4", [3, 4], "border", [24.0, 8.0, 8.0, 24.0], [True, True, True, False], 2)
    rotated = _plane_path("plane-1-rotated-90", [6, 7], "rotated", [30.0, 10.0, 10.0, 30.0], [True] * 4, 0)
    record.update(paths=[record["paths"][0], first, core, border, border2, rotated],
                  planes=[[6, 7], [0, 13], [2, 9], [3, 4]], data_mahalanobis_p99=6.84, image_pair_distance=0.3,
                  plane_candidates=8)
    return record


def test_paths_findings_contrast_core_and_border_planes_from_their_numbers():
    f = paths_findings(validate_results(PathsResults, core_border_record()), upstream())
    assert [o.path.plane for o in f.core] == [(0, 13)] and [o.path.plane for o in f.border] == [(2, 9), (3, 4)]
    core, border = f.core[0], f.border[0]
    assert not core.leaves_cloud and core.inside_reach == 1.0 and (core.n_inside, core.n_outside) == (4, 0)
    assert border.leaves_cloud and math.isclose(border.beyond, 21.0 / 6.84)
    assert math.isclose(border.inside_reach, 6.84 / 21.0) and (border.faces_inside, border.faces_outside) == (0, 2)
    assert (core.pc, border.pc) == (6, 2) and f.core_directions == [6] and f.border_directions == [2, 3]
    assert f.core_inside == "all" and f.border_outside == "all" and f.border_end_range == (21.0, 24.0)
    assert f.core_faces == (3, 4) and f.border_faces == (5, 8)
    assert math.isclose(core.change_share, 0.1) and math.isclose(f.first_plane.change_share, 0.1 / 0.3)
    # one row figure per plane path: the numbers run on by one
    assert [f.first_plane.projection_figure, f.rotated[0].projection_figure] == [3, 4]
    assert [o.projection_figure for o in f.other_planes] == [5, 6, 7]
    assert all(o.strip_figure == o.projection_figure for o in f.other_planes)


def test_paths_page_states_where_each_plane_path_ends(tmp_path):
    from report.render.environment import environment

    record = validate_results(PathsResults, core_border_record())
    findings = paths_findings(record, upstream())
    figures = {p.row.removesuffix(".png"): f"figures/paths/{p.row}" for p in record.paths if p.row}
    context = {"steps": {"paths": {"stats": record, "findings": findings, "figures": figures},
                         "origin_slices": {"stats": upstream()["origin_slices"], "findings": ORIGIN_FINDINGS}},
               "has_decoder": True,
               "params": parse_params({"variant": "tiny"}), "quantity": any_quantity}
    page = " ".join(environment().get_template("steps/paths.html").render(**context).split())
    assert "Figure 5. The core plane (0, 13)" in page and "mostly sees PC6" in page
    assert "Its ends lie at M = 21.0, 3.1 × the 99th percentile" in page
    assert "The border paths end at M = 21.0 to 24.0" in page
    # 3 of 4 core decodes against 5 of 8 border decodes: the intervals overlap
    assert findings.core_border is not None and not findings.core_border.apart
    assert "The two shares cannot be told apart: their intervals overlap" in page


def crossing_record():
    """Paths that cross the cloud along their lines (end_factor 1.5): one border row does not change, one path runs
    along PC1."""
    record = core_border_record()
    changes = {"plane-1": 0.2, "plane-2": 0.12, "plane-3": 0.01, "plane-4": 0.3, "plane-1-rotated-90": 0.08}
    for p in record["paths"][1:]:
        p.update(pixel_change=changes[p["name"]], neighbour_change=changes[p["name"]] / 3,
                 changes=changes[p["name"]] >= 0.05, reach_widths=1.2, line_reach=2.0)
    principal = _plane_path("principal-1", None, "principal", [3.9, 1.3, 1.3, 3.9], [False, True, True, True], 0)
    principal.update(plane=None, pair_r=None, principal_axis=0, shown_axes=[0, 1], pixel_change=0.5, changes=True,
                     line_reach=2.0)
    record["paths"].append(principal)
    record.update(end_factor=1.5, shell_percentile=99.0, still_change=0.05, confidence_level=0.95)
    return record


def test_paths_findings_leave_rows_that_do_not_change_out_of_the_face_counts():
    f = paths_findings(validate_results(PathsResults, crossing_record()), upstream())
    still = f.border[0]
    assert still.changes is False and still.verdict is None and still.faces_inside is None
    assert f.n_border_still == 1 and f.n_core_still == 0 and f.border_faces == (3, 4)  # plane-4 alone
    assert f.core_border.first == (3, 4) and f.core_border.second == (3, 4) and not f.core_border.apart
    assert (f.n_changing, f.n_still, f.through_changes) == (5, 1, "some")
    # 4 points at positions -1, -1/3, 1/3, 1 of a path reaching 1.5 x the cloud's reach: the outer two lie beyond it
    assert f.n_beyond_shell == 2 and (f.core[0].n_inside, f.core[0].n_outside) == (2, 2)
    # decodes within the reach against beyond it, over the changing paths through c
    assert f.inside_beyond.first == (10, 10) and f.inside_beyond.second == (7, 10)
    # figures: origin (2), first plane, rotated, along PC1, then the core and border planes
    assert [f.first_plane.projection_figure, f.rotated[0].projection_figure] == [3, 4]
    assert [o.projection_figure for o in f.principal] == [5] and f.principal[0].pc_plane == (1, 2)
    assert [o.projection_figure for o in f.other_planes] == [6, 7, 8]


def test_compare_shares_tells_apart_only_without_overlap():
    from report.results.paths import compare_shares

    apart = compare_shares((45, 50), (5, 50), 0.95)
    assert apart.apart
    assert apart.higher == "first" and apart.first_interval[0] > apart.second_interval[1]
    close = compare_shares((26, 50), (24, 50), 0.95)
    assert not close.apart and close.higher is None


def test_paths_page_says_which_rows_do_not_change():
    from report.render.environment import environment

    record = validate_results(PathsResults, crossing_record())
    findings = paths_findings(record, upstream())
    figures = {p.row.removesuffix(".png"): f"figures/paths/{p.row}" for p in record.paths if p.row}
    context = {"steps": {"paths": {"stats": record, "findings": findings, "figures": figures},
                         "origin_slices": {"stats": upstream()["origin_slices"], "findings": ORIGIN_FINDINGS}},
               "has_decoder": True, "params": parse_params({"variant": "tiny"}), "quantity": any_quantity}
    page = " ".join(environment().get_template("steps/paths.html").render(**context).split())
    assert page.count("The decodes along this path do not change") == 1
    assert "Figure 5. The path through c along PC1" in page and "(PC1, PC2)" in page
    assert "The decodes along 1 of the 2 border paths do not change" in page
    assert "Along 5 of the 6 paths through c the decodes change" in page
    assert "cannot be told apart" in page and "1.50 × that distance" in page


def test_adapted_generator_findings_compare_with_the_matching_b():
    batches = [batch(1.0, nearest=0.0978), batch(1.31, 0.29, 0.0974, matching=True)]
    batches[1].update(faces={"faces": [False] * 8, "n_faces": 0, "n_decodes": 8}, face_share=0.1, n_scored=50)
    batches[0].update(faces={"faces": [False] * 8, "n_faces": 0, "n_decodes": 8}, face_share=0.0, n_scored=50)
    adapted = {"width_stds": 1.732, "radius_mean": 3.0, "share_inside_ranges": 1.0, "share_radius_in_data_range": 1.0,
               "mahalanobis_mean": 40.0, "figure": "adapted.png", "nearest_image_distance": 0.1, "pixel_spread": 0.1,
               "faces": {"faces": [True] * 8, "n_faces": 8, "n_decodes": 8}, "face_share": 0.9, "n_scored": 50}
    record = points_record(batches=batches, adapted=adapted,
                           real_faces={"faces": [True] * 8, "n_faces": 8, "n_decodes": 8})
    f = points_findings(validate_results(StatisticalPointsResults, record), {})
    assert f.adapted_figure == 4 and f.adapted_far_outside and math.isclose(f.adapted_mahalanobis_ratio, 40 / 3.87)
    assert f.adapted_verdict == "all" and f.adapted_vs_matching == "more"
    near = points_findings(validate_results(StatisticalPointsResults, {**record, "adapted": {
        **adapted, "mahalanobis_mean": 4.0, "face_share": 0.05}}), {})
    assert not near.adapted_far_outside and near.adapted_vs_matching == "fewer"

"""`latent-report compare` on hand-made key statistics: differences, drift, missing keys, exit codes."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from report import keystats
from report.compare import SetupDifference, compare_runs, compare_stats, setup_differences
from report.errors import ReportError
from report.render.environment import roman

BASE = {
    "distributions.radius.mean": 3.0,
    "distributions.n_dominant": 12,
    "correlations.pairs_above.0.5": 40,
    "train.final_loss": 0.5,
    "origin_slices.origin.share_farther": 0.0,
}


def _run(root: Path, name: str, values: dict) -> Path:
    folder = root / name / "results"
    folder.mkdir(parents=True)
    (folder / "key_stats.json").write_text(json.dumps(values))
    return root / name


def _compare(tmp_path, a: dict, b: dict, **options) -> tuple[int, str]:
    run_a, run_b = _run(tmp_path, "a", a), _run(tmp_path, "b", b)
    out = tmp_path / "out.txt"
    with out.open("w") as handle:
        code = compare_runs(run_a, run_b, out=handle, **options)
    return code, out.read_text()


def test_identical_runs_exit_0_and_list_nothing(tmp_path):
    code, text = _compare(tmp_path, BASE, BASE)
    assert code == 0
    assert "No key statistic differs (5 compared)." in text
    assert "distributions.radius.mean" not in text


def test_a_change_within_tolerance_is_listed_but_not_drift(tmp_path):
    code, text = _compare(tmp_path, BASE, dict(BASE, **{"distributions.radius.mean": 3.03}))
    assert code == 0
    line = next(line for line in text.splitlines() if line.startswith("distributions.radius.mean"))
    assert line.split()[1:5] == ["3", "3.03", "+0.03", "+1.00"]
    assert "DRIFT" not in line
    assert "1 of 5 key statistics differ; none beyond tolerance." in text


def test_a_drift_is_marked_and_exits_1(tmp_path):
    code, text = _compare(tmp_path, BASE, dict(BASE, **{"distributions.radius.mean": 3.3, "distributions.n_dominant": 13}))
    assert code == 1
    lines = {line.split()[0]: line for line in text.splitlines() if line.startswith(("distributions", "corr"))}
    assert lines["distributions.radius.mean"].rstrip().endswith("DRIFT")
    assert "+10.00 %" in lines["distributions.radius.mean"]
    assert "DRIFT" not in lines["distributions.n_dominant"]  # one more component is within ±(2 + 10 %)
    assert "1 beyond tolerance: distributions.radius.mean." in text


def test_changed_only_by_default_and_every_key_with_all(tmp_path):
    b = dict(BASE, **{"train.final_loss": 0.6})
    _, changed = _compare(tmp_path / "1", BASE, b)
    _, every = _compare(tmp_path / "2", BASE, b, show_all=True)
    assert [key for key in BASE if key in changed] == ["train.final_loss"]
    assert all(key in every for key in BASE)


def test_keys_on_one_side_are_listed(tmp_path):
    a = dict(BASE, **{"data.n_images": 320})
    b = {k: v for k, v in BASE.items() if k != "train.final_loss"} | {"new.statistic": 1.0}
    code, text = _compare(tmp_path, a, b)
    assert code == 0
    assert "Only in A (2): data.n_images, train.final_loss" in text
    assert "Only in B (1): new.statistic" in text


def test_zero_values_and_relative_differences():
    comparison = compare_stats(
        {"origin_slices.origin.share_farther": 0.0, "distributions.n_dominant": 0, "distributions.max_abs_mean": -2.0,
         "distributions.radius.mean": 4.0},
        {"origin_slices.origin.share_farther": 0.0, "distributions.n_dominant": 3, "distributions.max_abs_mean": -1.0,
         "distributions.radius.mean": 3.0},
    )
    rows = {row.key: row for row in comparison.rows}
    assert rows["origin_slices.origin.share_farther"].delta_percent == 0.0
    assert not rows["origin_slices.origin.share_farther"].changed
    assert rows["distributions.n_dominant"].delta == 3
    assert rows["distributions.n_dominant"].delta_percent is None  # no relative change from zero
    assert rows["distributions.n_dominant"].drifted  # 3 > atol 2 + 10 % of 0
    assert rows["distributions.max_abs_mean"].delta_percent == pytest.approx(50.0)  # relative to |A|
    assert rows["distributions.radius.mean"].delta_percent == pytest.approx(-25.0)


def test_zero_reference_prints_n_a(tmp_path):
    code, text = _compare(tmp_path, {"distributions.n_dominant": 0}, {"distributions.n_dominant": 4})
    assert code == 1
    row = next(line for line in text.splitlines() if line.startswith("distributions.n_dominant"))
    assert row.split()[1:5] == ["0", "4", "+4", "n/a"]


def test_json_and_markdown_formats(tmp_path):
    b = dict(BASE, **{"distributions.radius.mean": 3.3})
    code, text = _compare(tmp_path / "j", BASE, b, output_format="json")
    report = json.loads(text)
    assert code == 1
    assert report["drifted"] == ["distributions.radius.mean"]
    assert report["rows"][0]["delta_percent"] == pytest.approx(10.0)
    assert report["compared"] == 5
    _, markdown = _compare(tmp_path / "m", BASE, b, output_format="markdown")
    assert "| Metric | A | B | Δ | Δ% | Tolerance | Drift |" in markdown
    tolerance = keystats.definition("distributions.radius.mean").tolerance_text
    assert f"| distributions.radius.mean | 3 | 3.3 | +0.3 | +10.00 % | {tolerance} | **drift** |" in markdown


def test_two_variants_in_one_build_root(tmp_path):
    a = _run(tmp_path, "synthetic-faces", dict(BASE, **{"distributions.z_dim": 256}))
    b = _run(tmp_path, "synthetic-faces-z64", dict(BASE, **{"distributions.z_dim": 64}))
    out = tmp_path / "out.txt"
    with out.open("w") as handle:
        assert compare_runs(a, b, out=handle) == 1  # sizes must match exactly
    assert "distributions.z_dim" in out.read_text()


def test_a_missing_run_or_key_stats_is_one_named_error(tmp_path):
    good = _run(tmp_path, "good", BASE)
    with pytest.raises(ReportError, match="nowhere: no such run folder"):
        compare_runs(good, tmp_path / "nowhere")
    (tmp_path / "empty").mkdir()
    with pytest.raises(ReportError, match="empty: no results/key_stats.json"):
        compare_runs(tmp_path / "empty", good)


def test_cli_exit_codes(tmp_path):
    a, b = _run(tmp_path, "a", BASE), _run(tmp_path, "b", dict(BASE, **{"train.final_loss": 0.9}))
    cli = [sys.executable, "-m", "report.cli", "compare"]
    drift = subprocess.run([*cli, str(a), str(b)], capture_output=True, text=True)
    assert drift.returncode == 1 and "DRIFT" in drift.stdout
    assert subprocess.run([*cli, str(a), str(a)], capture_output=True, text=True).returncode == 0
    missing = subprocess.run([*cli, str(a), str(tmp_path / "gone")], capture_output=True, text=True)
    assert missing.returncode == 2
    assert missing.stderr.strip() == f"latent-report: {tmp_path / 'gone'}: no such run folder"
    assert "Traceback" not in missing.stderr


def test_expected_files_compare_like_runs(tmp_path):
    expected = tmp_path / "expected.json"
    expected.write_text(keystats.dumps(BASE))
    out = tmp_path / "out.txt"
    with out.open("w") as handle:
        assert compare_runs(expected, _run(tmp_path, "run", BASE), out=handle) == 0


SETUP = {"seed": 7, "data": {"source": "synthetic", "path": None, "image_size": 16, "n_images": 320, "timeout_s": 600},
         "model": {"z_dim": 16, "batch_norm": False}, "train": {"epochs": 2}}
TITLES = {1: "Encoder", 2: "Distributions", 3: "Correlations", 4: "Origin"}


def _setup(**changes) -> dict:
    """SETUP with "section.name" settings changed."""
    setup = json.loads(json.dumps(SETUP))
    for dotted, value in changes.items():
        section, name = dotted.split(".")
        setup[section][name] = value
    return setup


def _variant(root: Path, name: str, values: dict, setup: dict | None) -> Path:
    run = _run(root, name, values)
    if setup is not None:
        (run / "manifest.json").write_text(json.dumps({"variant": name, "parameters": setup}))
    return run


def test_same_data_and_z_dim_are_comparable_whatever_the_seed_model_or_time_limits():
    assert setup_differences(SETUP, SETUP) == []
    other = _setup(**{"data.timeout_s": 60, "model.batch_norm": True, "train.epochs": 8})
    assert setup_differences(SETUP, dict(other, seed=8)) == []


def test_other_data_or_z_dim_are_not_comparable_and_say_why():
    assert setup_differences(SETUP, _setup(**{"model.z_dim": 8})) == [SetupDifference("model.z_dim", 16, 8)]
    smoke = setup_differences(SETUP, _setup(**{"data.n_images": 100, "data.image_size": 32}))
    assert [d.setting for d in smoke] == ["data.image_size", "data.n_images"]
    assert smoke[1].describe("this run") == "data.n_images 100 (this run: 320)"
    celeba = _setup(**{"data.source": "celeba", "data.path": "x", "data.chunk_size": 2048})
    assert [d.setting for d in setup_differences(SETUP, celeba)] == [
        "data.source", "data.path", "data.chunk_size"]  # the telling settings first
    older = json.loads(json.dumps(SETUP))
    del older["data"]["image_size"]  # a setting one side lacks is not known to match
    assert setup_differences(SETUP, older) == [SetupDifference("data.image_size", 16, None)]


def _neighbours(tmp_path) -> Path:
    """This run, two comparable neighbours, and three that are not (z_dim, images, no manifest)."""
    own = _variant(tmp_path, "mine", BASE, SETUP)
    _variant(tmp_path, "other", dict(BASE, **{"distributions.radius.mean": 3.6, "train.final_loss": 0.505}),
             _setup(**{"model.batch_norm": True}))
    _variant(tmp_path, "seed8", {k: v for k, v in BASE.items() if k != "train.final_loss"}, dict(SETUP, seed=8))
    _variant(tmp_path, "z8", dict(BASE, **{"distributions.radius.mean": 777.0}), _setup(**{"model.z_dim": 8}))
    _variant(tmp_path, "smoke", dict(BASE, **{"distributions.radius.mean": 888.0}), _setup(**{"data.n_images": 100}))
    _variant(tmp_path, "unknown", dict(BASE, **{"distributions.radius.mean": 999.0}), None)
    return own


def test_compare_says_when_two_run_folders_have_another_setup(tmp_path):
    a = _variant(tmp_path, "a", BASE, SETUP)
    b = _variant(tmp_path, "b", BASE, _setup(**{"model.z_dim": 8}))
    c = _variant(tmp_path, "c", BASE, dict(SETUP, seed=8))
    for other, expected in ((b, "Not comparable: B's setup differs from A's in model.z_dim 8 (A: 16)"), (c, None)):
        out = io.StringIO()
        assert compare_runs(a, other, out=out) == 0
        last = out.getvalue().strip().splitlines()[-1]
        assert last.startswith(expected) if expected else last.startswith("No key statistic differs")
    out = io.StringIO()
    compare_runs(a, b, output_format="json", out=out)
    assert json.loads(out.getvalue())["setup_differences"] == [{"setting": "model.z_dim", "a": 16, "b": 8}]


def test_comparison_page_sets_comparable_variants_beside_this_one_and_lists_the_others_with_the_reason(tmp_path):
    from report.render.comparison import comparison_context

    context = comparison_context(_neighbours(tmp_path), SETUP, TITLES)
    assert [c["variant"] for c in context["columns"]] == ["mine", "other", "seed8"]
    assert context["others"] == ["other", "seed8"]
    assert context["set_apart"] == [
        {"variant": "smoke", "reason": "data.n_images 100 (this run: 320)"},
        {"variant": "unknown", "reason": "its parameters are unknown (it has no manifest.json)"},
        {"variant": "z8", "reason": "model.z_dim 8 (this run: 16)"},
    ]
    values = {cell["value"] for group in context["groups"] for row in group["rows"] for cell in row["cells"]}
    assert not values & {777.0, 888.0, 999.0}  # their numbers are nowhere in the table


def test_comparison_page_highlights_only_values_outside_the_tolerance(tmp_path):
    from report.render.comparison import comparison_context

    context = comparison_context(_neighbours(tmp_path), SETUP, TITLES)
    rows = {row["key"]: row["cells"] for group in context["groups"] for row in group["rows"]}
    assert [c["beyond"] for c in rows["distributions.radius.mean"]] == [False, True, False]  # 3.6 is 20 % off
    assert [c["beyond"] for c in rows["train.final_loss"]] == [False, False, False]  # 0.505 is within 3 %
    assert rows["train.final_loss"][2]["value"] is None  # shown as a dash, never highlighted
    assert [(c["variant"], c["n_beyond"], c["n_shared"]) for c in context["columns"]] == [
        ("mine", 0, 5), ("other", 1, 5), ("seed8", 0, 4)]


def test_comparison_page_groups_the_statistics_by_post_with_the_scoreboard_last(tmp_path):
    from report.render.comparison import comparison_context

    values = dict(BASE, **{"scoreboard.uniform.fd": 50.0, "data.n_images": 320, "some.future.statistic": 1.0})
    context = comparison_context(_variant(tmp_path, "mine", values, SETUP), SETUP, TITLES)
    groups = [(group["heading"], [row["key"] for row in group["rows"]]) for group in context["groups"]]
    assert groups == [
        ("Post I: Encoder", ["data.n_images", "train.final_loss"]),
        ("Post II: Distributions", ["distributions.radius.mean", "distributions.n_dominant"]),
        ("Post III: Correlations", ["correlations.pairs_above.0.5"]),
        ("Post IV: Origin", ["origin_slices.origin.share_farther"]),
        ("Scoreboard", ["scoreboard.uniform.fd"]),
        ("Other statistics", ["some.future.statistic"]),
    ]


def test_every_key_statistic_has_a_label_and_every_family_names_its_member():
    for stat in keystats.KEY_STATS:
        assert stat.label.strip() and stat.label != stat.key, stat.key
        assert ("*" in stat.label) == ("*" in stat.key), stat.key
        assert stat.unit in ("", "%", "dB"), stat.key


def test_values_print_in_their_unit_to_three_significant_digits():
    from report.render.environment import key_stat

    assert key_stat(0.9609375, "intervals.widest.share_inside_ranges") == "96.1 %"
    assert key_stat(0.0, "scoreboard.uniform.face_coverage") == "0 %"
    assert key_stat(0.0000834, "paths.face_share") == "0.00834 %"
    assert key_stat(554.7116, "scoreboard.uniform.fd") == "555"
    assert key_stat(0.0455588, "encode.reconstruction_mse") == "0.0456"
    assert key_stat(13.134939, "encode.heldout_psnr") == "13.1 dB"
    assert key_stat(170_000, "data.n_images") == "170,000"
    assert key_stat(None, "data.n_images") == "–"
    assert keystats.definition("paths.face_share").tolerance_shown.startswith("±45 points")
    assert keystats.definition("encode.heldout_psnr").tolerance_shown == "±0.3 dB"
    assert keystats.definition("distributions.radius.mean").tolerance_shown == "±5 %"


def test_the_comparison_page_renders_highlights_and_the_set_apart_variants(tmp_path):
    from report.params import parse_params
    from report.render.comparison import comparison_context
    from report.render.environment import environment

    context = {"comparison": comparison_context(_neighbours(tmp_path), SETUP, TITLES), "variant": "mine",
               "posts": [], "manifest_link": "manifest.json", "params": parse_params({"seed": 7, "variant": "mine"})}
    page = environment().get_template("comparison.html").render(context, post=None, page="comparison")
    assert page.count('class="num beyond"') == 1
    assert "tolerance</em> is the run-to-run drift" in page
    assert "<code>z8</code>: model.z_dim 8 (this run: 16)." in page
    assert "777" not in page and "888" not in page
    assert "Post II: Distributions" in page and "original's<br>(CelebA, N&nbsp;=&nbsp;256)" in page


def test_rebuilding_another_variant_changes_this_sites_render_fingerprint(tmp_path):
    from report.params import load_params
    from report.render.site import _render_fingerprint

    params = load_params(Path(__file__).resolve().parents[1] / "parameters" / "tiny.yaml")
    own = _run(tmp_path, "tiny", BASE)
    before = _render_fingerprint(params, {}, own)
    assert _render_fingerprint(params, {}, own) == before
    other = _run(tmp_path, "other", BASE)
    added = _render_fingerprint(params, {}, own)
    (other / "results" / "key_stats.json").write_text(json.dumps(dict(BASE, **{"train.final_loss": 0.7})))
    assert len({before, added, _render_fingerprint(params, {}, own)}) == 3


def test_tiny_site_has_a_comparison_page_linked_from_every_page(tiny_build):
    root, _ = tiny_build
    site = root / "tiny" / "site"
    page = (site / "comparison.html").read_text()
    assert "radius mean" in page and "pairs with |r| above 0.5" in page
    assert "Post II: " in page and "tolerance</em> is the run-to-run drift" in page
    for name in ("index.html", "post-1.html", "comparison.html"):
        assert 'href="comparison.html"' in (site / name).read_text(), name


def test_tiny_statistics_group_by_post_with_labels_and_a_z_dim_neighbour_is_set_apart(tiny_build, tmp_path):
    from report.pipeline.steps import STEPS_BY_NAME
    from report.render.comparison import comparison_context
    from report.render.context import POSTS

    root, _ = tiny_build
    manifest = json.loads((root / "tiny" / "manifest.json").read_text())
    values = keystats.load(root / "tiny")
    own = _variant(tmp_path, "tiny", values, manifest["parameters"])
    z8 = json.loads(json.dumps(manifest["parameters"]))
    z8["model"]["z_dim"] = 8
    _variant(tmp_path, "tiny-z8", values, z8)
    _variant(tmp_path, "tiny-seed8", values, dict(manifest["parameters"], seed=8))
    context = comparison_context(own, manifest["parameters"], dict(POSTS))
    assert context["others"] == ["tiny-seed8"]
    assert context["set_apart"] == [{"variant": "tiny-z8", "reason": "model.z_dim 8 (this run: 16)"}]
    headings = [group["heading"] for group in context["groups"]]
    with_key_stats = {STEPS_BY_NAME[stat.step].post for stat in keystats.KEY_STATS}  # post X has none
    assert headings == [f"Post {roman(n)}: {title}" for n, title in POSTS if n in with_key_stats] + ["Scoreboard",
                                                                                                   "Filaments"]
    rows = [row for group in context["groups"] for row in group["rows"]]
    assert sorted(row["key"] for row in rows) == sorted(values)
    assert all(row["label"] != row["key"] and "*" not in row["label"] for row in rows)
    assert not any(cell["beyond"] for row in rows for cell in row["cells"])  # the same numbers: nothing highlighted


def test_another_setup_of_a_neighbour_changes_this_sites_render_fingerprint(tmp_path):
    from report.params import load_params
    from report.render.site import _render_fingerprint

    params = load_params(Path(__file__).resolve().parents[1] / "parameters" / "tiny.yaml")
    own = _run(tmp_path, "tiny", BASE)
    other = _variant(tmp_path, "other", BASE, SETUP)
    before = _render_fingerprint(params, {}, own)
    (other / "manifest.json").write_text(json.dumps({"parameters": _setup(**{"model.z_dim": 8})}))
    assert _render_fingerprint(params, {}, own) != before  # it leaves the table: the page must change

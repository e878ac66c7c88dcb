"""`latent-report compare` on hand-made key statistics: differences, drift, missing keys, exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from report import keystats
from report.compare import compare_runs, compare_stats
from report.errors import ReportError

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


def test_comparison_page_puts_this_variant_first_and_marks_values_beyond_tolerance(tmp_path):
    from report.render.comparison import comparison_context

    own = _run(tmp_path, "mine", BASE)
    _run(tmp_path, "other", dict(BASE, **{"distributions.radius.mean": 3.6, "train.final_loss": 0.505}))
    _run(tmp_path, "zpoints", {k: v for k, v in BASE.items() if k != "train.final_loss"})
    context = comparison_context(own)
    assert [c["variant"] for c in context["columns"]] == ["mine", "other", "zpoints"]
    assert context["others"] == ["other", "zpoints"]
    rows = {row["key"]: row["cells"] for row in context["rows"]}
    assert [c["beyond"] for c in rows["distributions.radius.mean"]] == [False, True, False]
    assert [c["beyond"] for c in rows["train.final_loss"]] == [False, False, False]
    assert rows["train.final_loss"][2]["value"] is None  # shown as a dash


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
    for name in ("index.html", "post-1.html", "comparison.html"):
        assert 'href="comparison.html"' in (site / name).read_text(), name

"""The face measure's record and findings (issue 10): what post I states about the calibration."""

from __future__ import annotations

import pytest

from report.errors import ReportError
from report.results import read_results, save_results, validate_results
from report.results.face_measure import (
    CALIBRATION_SETS,
    FaceMeasureResults,
    findings,
    output_files,
)


def space(name, kind, task=None, score=None):
    return {"name": name, "kind": kind, "task": task, "layer": "pooled", "seed": 1, "filters": [8, 16],
            "n_features": 16, "task_score": score}


def scores(share):
    return {"face_share": share, "realism_median": 1.0, "precision": share, "recall": 0.5, "density": 1.0,
            "coverage": 0.5, "fd": 1.0, "kid": 0.0}


def record(shares=None, trained_shares=None, task_score=0.8) -> dict:
    shares = {"real": 0.9, "reconstructions": 0.5, "blurred": 0.4, "uniform": 0.0, "noise": 0.0, **(shares or {})}
    trained = {name: max(share, 0.9) if name != "noise" else share for name, share in shares.items()}
    trained.update(trained_shares or {})
    return {
        "image_size": 16, "k": 5, "realism_percentile": 50.0, "rule": "inside_every_space_and_judge", "primary_space": "random",
        "kid_subsets": 10, "kid_subset_size": 100, "n_reference": 100, "n_held_out": 20, "blur_sigma": 1.5,
        "uniform_b": 2.0, "spaces": [space("random", "random"), space("trained", "trained", "factors", task_score)],
        "judge": {"seed": 3, "n_images": 100, "epochs": 2, "filters": [8, 16], "max_sigma": 1.5,
                  "kinds": ["shuffle", "phase", "blend", "field"], "threshold": 0.5, "train_accuracy": 0.95,
                  "held_out_accuracy": 0.9},
        "calibration": [{"name": name, "n_images": 20, "face_share": min(share, trained[name]),
                         "inside_share": min(share, trained[name]), "judge_share": share, "judge_median": share,
                         "spaces": {"random": scores(share), "trained": scores(trained[name])}}
                        for name, share in shares.items()],
        "examples_figure": "examples.png", "n_examples": 4, "seconds": {"calibration": 1.0},
    }


def test_record_round_trips_and_rejects_unknown_keys(tmp_path):
    results = validate_results(FaceMeasureResults, record())
    save_results(tmp_path, results)
    assert read_results(tmp_path, FaceMeasureResults) == results
    assert [item.name for item in results.calibration] == list(CALIBRATION_SETS)
    with pytest.raises(ReportError, match="unknown key"):
        validate_results(FaceMeasureResults, {**record(), "extra": 1})


def test_findings_when_the_calibration_holds():
    f = findings(validate_results(FaceMeasureResults, record()), {})
    assert f.holds and f.real_clarity == "clearly_faces" and f.noise_clarity == "clearly_not"
    assert f.reconstructions_above_uniform and f.blur_separates == "random_only" and f.task_learnt


@pytest.mark.parametrize(("shares", "why"), [
    ({"real": 0.6}, "real"), ({"noise": 0.2}, "noise"), ({"reconstructions": 0.0, "uniform": 0.1}, "order")])
def test_findings_say_when_it_does_not_hold(shares, why):
    f = findings(validate_results(FaceMeasureResults, record(shares)), {})
    assert not f.holds
    assert (f.real_clarity != "clearly_faces") == (why == "real")
    assert (f.noise_clarity != "clearly_not") == (why == "noise")
    assert (f.reconstructions_above_uniform is False) == (why == "order")


def test_blur_and_an_unlearnt_task():
    f = findings(validate_results(FaceMeasureResults, record({"blurred": 0.9}, {"blurred": 0.5}, task_score=0.1)), {})
    assert f.blur_separates == "trained_only" and not f.task_learnt


def test_output_files_name_both_spaces():
    files = output_files()
    assert "trained-network.keras" in files and "judge-network.keras" in files and "random-radii.npy" in files and "trained-reference.npy" in files


def test_findings_say_what_the_structure_judge_adds():
    data = record({"reconstructions": 0.85, "blurred": 0.82, "uniform": 0.1})
    for item in data["calibration"]:
        if item["name"] == "uniform":
            item["inside_share"] = 0.8  # the manifold passes most uniform decodes, the rule (with the judge) few
    f = findings(validate_results(FaceMeasureResults, data), {})
    assert f.judge_rejects_uniform and f.judge_keeps_faces and f.judge.threshold == 0.5
    f = findings(validate_results(FaceMeasureResults, record({"blurred": 0.4})), {})
    assert f.judge_rejects_uniform is False and not f.judge_keeps_faces

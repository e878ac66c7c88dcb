"""The face measure's record and findings: what post I states about the calibration and the verdicts."""

from __future__ import annotations

import pytest

from report.errors import ReportError
from report.face_verdicts import CLEAR, FAINT, NO_FACE, clear_share
from report.results import read_results, save_results, validate_results
from report.results.face_measure import (
    CALIBRATION_SETS,
    FaceCount,
    FaceMeasureResults,
    ShareInterval,
    compare_with_real,
    findings,
    output_files,
)


def space(name, kind, task=None, score=None):
    return {"name": name, "kind": kind, "task": task, "layer": "pooled", "seed": 1, "filters": [8, 16],
            "n_features": 16, "task_score": score}


def scores(share):
    return {"face_share": share, "realism_median": 1.0, "precision": share, "recall": 0.5, "density": 1.0,
            "coverage": 0.5, "fd": 1.0, "kid": 0.0}


def degradation(kind, amounts, clear):
    return [{"kind": kind, "amount": amount, "n_images": 20, "clear_share": share, "faint_share": 1 - share,
             "no_face_share": 0.0, "face_score_median": share, "clarity_median": share, "structure_median": 0.99,
             "colour_median": 1.0}
            for amount, share in zip(amounts, clear)]


def record(shares=None, faint=None, task_score=0.8, blur_clear=(0.9, 0.6, 0.3, 0.1)) -> dict:
    shares = {"real": 0.9, "reconstructions": 0.5, "blurred": 0.2, "uniform": 0.0, "noise": 0.0, **(shares or {})}
    faint = {"real": 0.05, "reconstructions": 0.3, "blurred": 0.7, "uniform": 0.1, "noise": 0.0, **(faint or {})}
    return {
        "image_size": 16, "k": 5, "realism_percentile": 50.0, "rule": "structure_and_clarity", "primary_space": "random",
        "verdict": {"structure_threshold": 0.5, "clarity_threshold": 0.5, "quantile": 0.05, "detail_inner_sigma": 0.5,
                    "detail_outer_sigma": 2.0, "adaptation": 0.25, "contrast": {"low": -2.6, "spread": 0.3},
                    "detail": {"low": -3.6, "spread": 0.3}, "n_fitted": 100,
                    "colour": {"grid": 4, "quantile": 0.98, "floor": 1.0, "components": 1, "folds": 5, "low": 180.0,
                               "spread": 20.0, "n_fitted": 100, "typical": 0.87}},
        "kid_subsets": 10, "kid_subset_size": 100, "n_reference": 100, "n_held_out": 20, "blur_sigma": 1.5,
        "uniform_b": 2.0, "spaces": [space("random", "random"), space("trained", "trained", "factors", task_score)],
        "judge": {"seed": 3, "n_images": 100, "epochs": 2, "filters": [8, 16], "max_sigma": 1.5,
                  "kinds": ["shuffle", "phase", "blend", "field"], "threshold": 0.5, "train_accuracy": 0.95,
                  "held_out_accuracy": 0.9},
        "calibration": [{"name": name, "n_images": 20, "face_share": share, "faint_share": faint[name],
                         "no_face_share": 1 - share - faint[name], "face_score_median": share, "clarity_median": share,
                         "colour_median": 1.0, "inside_share": share, "judge_share": share + faint[name], "judge_median": share,
                         "spaces": {"random": scores(share), "trained": scores(share)}}
                        for name, share in shares.items()],
        "real_clear": {"k": 18, "n": 20, "share": 0.9, "low": 0.7, "high": 0.97, "confidence": 0.95},
        "degradations": degradation("blur", (0.0, 1.0, 2.0, 3.0), blur_clear)
                        + degradation("contrast", (1.0, 0.6, 0.3), (0.9, 0.4, 0.0)),
        "degradation_figure": "verdict-shares.png",
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
    assert f.reconstructions_above_uniform and f.blurred_mostly_faint and f.task_learnt
    assert f.real_clear.k == 18 and f.verdict.clarity_threshold == 0.5


@pytest.mark.parametrize(("shares", "faint", "why"), [
    ({"real": 0.6}, {}, "real"), ({"noise": 0.0}, {"noise": 0.2}, "noise"),
    ({"reconstructions": 0.0, "uniform": 0.1}, {}, "order")])
def test_findings_say_when_it_does_not_hold(shares, faint, why):
    f = findings(validate_results(FaceMeasureResults, record(shares, faint)), {})
    assert not f.holds
    assert (f.real_clarity != "clearly_faces") == (why == "real")
    assert (f.noise_clarity != "clearly_not") == (why == "noise")  # a faint face in noise is a face seen in noise
    assert (f.reconstructions_above_uniform is False) == (why == "order")


def test_real_images_the_judge_passes_but_colour_turns_away_are_counted():
    assert findings(validate_results(FaceMeasureResults, record()), {}).real_lost_to_colour == 0
    raw = record()
    real = next(item for item in raw["calibration"] if item["name"] == "real")
    real["judge_share"] = 1.0  # all 20 pass the judge, 19 have a face (clear or faint): one lost to its colours
    assert findings(validate_results(FaceMeasureResults, raw), {}).real_lost_to_colour == 1


def test_an_unlearnt_task_and_a_blur_kept_clear():
    f = findings(validate_results(FaceMeasureResults, record({"blurred": 0.8}, {"blurred": 0.1}, task_score=0.1)), {})
    assert not f.blurred_mostly_faint and not f.task_learnt


def test_output_files_name_both_spaces():
    files = output_files()
    assert "trained-network.keras" in files and "judge-network.keras" in files and "random-radii.npy" in files and "trained-reference.npy" in files


def test_degradation_curves_say_where_half_stop_being_clear_and_whether_they_only_fall():
    f = findings(validate_results(FaceMeasureResults, record()), {})
    assert f.blur.half_clear == 2.0 and f.blur.clear_falls and f.blur.score_falls and f.blur.mostly_no_face is None
    assert f.contrast.half_clear == 0.6 and [p.amount for p in f.contrast.points] == [1.0, 0.6, 0.3]
    f = findings(validate_results(FaceMeasureResults, record(blur_clear=(0.9, 0.3, 0.6, 0.1))), {})
    assert not f.blur.clear_falls and not f.blur.score_falls


def test_face_count_and_clear_share_read_verdicts_and_bools():
    count = FaceCount.of(["clear face", "faint face", "no face", "clear face"])
    assert (count.n_faces, count.n_faint, count.n_decodes) == (2, 1, 4)
    assert count.faces == [True, False, False, True] and count.verdicts == [CLEAR, FAINT, NO_FACE, CLEAR]
    assert FaceCount.of([True, False]).verdicts == [CLEAR, NO_FACE]
    assert clear_share(["clear face", "faint face"]) == 0.5 and clear_share([True, True, False, False]) == 0.5
    with pytest.raises(ValueError, match="verdict"):
        FaceCount.of(["a face"])


def test_a_generator_is_compared_with_real_images_by_intervals():
    real = ShareInterval(k=415, n=500, share=0.83, low=0.795, high=0.861, confidence=0.95)
    assert compare_with_real(490, 500, real) == "above"
    assert compare_with_real(420, 500, real) == "alike"
    assert compare_with_real(10, 20, real) == "below"

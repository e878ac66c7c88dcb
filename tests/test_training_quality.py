"""Held-out PSNR and SSIM, the training findings, the learning-rate settings, the snapshots,
and the formation step's statistics and findings, against values known by construction."""

from __future__ import annotations

import math

import numpy as np
import pytest

from report.errors import ParameterError
from report.params import TrainParams, parse_params
from report.results import validate_results
from report.results.formation import FormationResults, Snapshot
from report.results.formation import findings as formation_findings
from report.results.train import TrainResults, last_improvement
from report.results.train import findings as train_findings
from report.stats import psnr, ssim
from report.stats.formation import course, latent_summary

# --- PSNR and SSIM ------------------------------------------------------------------------------


def test_psnr_of_known_errors():
    assert psnr(0.0) == math.inf
    assert psnr(0.0025) == pytest.approx(26.0206, abs=1e-4)  # 10 log10(400)
    assert psnr(0.01) == pytest.approx(20.0)
    assert psnr(1.0) == 0.0
    assert psnr(100.0, peak=255.0) == pytest.approx(10 * math.log10(255**2 / 100))
    with pytest.raises(ValueError):
        psnr(-1.0)


def test_ssim_of_identical_images_is_one_and_of_inverted_ones_far_below():
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, (4, 16, 16, 3), dtype=np.uint8)
    assert np.allclose(ssim(images, images), 1.0)
    assert (ssim(images, 255 - images) < 0).all()  # anti-correlated structure


def test_ssim_of_constant_images_follows_the_luminance_term():
    # Constant images have no variance: SSIM is the luminance term (2 mx my + C1) / (mx^2 + my^2 + C1).
    a = np.full((1, 12, 12, 3), 51, dtype=np.uint8)  # 0.2
    b = np.full((1, 12, 12, 3), 153, dtype=np.uint8)  # 0.6
    c1 = 0.01**2
    expected = (2 * 0.2 * 0.6 + c1) / (0.2**2 + 0.6**2 + c1)
    assert ssim(a, b)[0] == pytest.approx(expected, rel=1e-9)


def test_ssim_matches_tensorflow():
    tf = pytest.importorskip("tensorflow")
    rng = np.random.default_rng(1)
    a = rng.integers(0, 256, (3, 32, 32, 3), dtype=np.uint8)
    b = np.clip(a.astype(int) + rng.integers(-60, 60, a.shape), 0, 255).astype(np.uint8)
    expected = tf.image.ssim(tf.constant(a, tf.float32) / 255, tf.constant(b, tf.float32) / 255, 1.0).numpy()
    assert np.allclose(ssim(a, b), expected, atol=1e-5)


def test_ssim_rejects_different_shapes():
    with pytest.raises(ValueError):
        ssim(np.zeros((1, 16, 16, 3), np.uint8), np.zeros((1, 16, 16, 1), np.uint8))


# --- training settings ---------------------------------------------------------------------------


def test_plateau_needs_the_constant_schedule():
    with pytest.raises(ParameterError, match="plateau_patience"):
        parse_params({"variant": "x", "train": {"plateau_patience": 2}})
    params = parse_params({"variant": "x", "train": {"plateau_patience": 2, "learning_rate_schedule": "constant"}})
    assert params.train.plateau_patience == 2


def test_snapshot_epochs_are_sorted_and_positive():
    assert TrainParams(snapshot_epochs=(4, 1, 2, 2)).snapshot_epochs == (1, 2, 4)
    with pytest.raises(ValueError):
        TrainParams(snapshot_epochs=(0, 1))


def test_learning_rate_and_callbacks_follow_the_parameters():
    keras = pytest.importorskip("keras")
    from report.model import learning_rate, training_callbacks

    cosine = learning_rate(TrainParams(epochs=4, learning_rate=0.01, final_learning_rate_share=0.1), 10)
    assert float(cosine(0)) == pytest.approx(0.01) and float(cosine(40)) == pytest.approx(0.001)
    assert learning_rate(TrainParams(learning_rate_schedule="constant", learning_rate=0.01), 10) == 0.01
    kinds = [type(c) for c in training_callbacks(
        TrainParams(learning_rate_schedule="constant", plateau_patience=2, early_stopping_patience=3), True)]
    assert kinds == [keras.callbacks.ReduceLROnPlateau, keras.callbacks.EarlyStopping]
    assert training_callbacks(TrainParams(restore_best_weights=False), True) == []
    (keep_best,) = training_callbacks(TrainParams(epochs=5), True)
    assert keep_best.patience > 5 and keep_best.restore_best_weights  # never stops, keeps the best weights


@pytest.mark.filterwarnings("ignore:__array__ implementation doesn't accept a copy keyword")
def test_snapshots_are_kept_after_the_chosen_epochs(tmp_path):
    from report.model import Snapshots, build_autoencoder, load_encoder, snapshot_folder, train_autoencoder
    from tests.test_model import SIZE, TINY, blob_images

    encoder, decoder, autoencoder = build_autoencoder(TINY, SIZE, seed=0)
    train = TrainParams(epochs=3, batch_size=16, learning_rate=3e-3, validation_split=0.25)
    snapshots = Snapshots(encoder, decoder, (1, 3, 8), tmp_path)
    history = train_autoencoder(autoencoder, blob_images(48), train, seed=0, callbacks=[snapshots])
    assert snapshots.saved == [1, 3]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["epoch-0001", "epoch-0003"]
    assert load_encoder(snapshot_folder(tmp_path, 1) / "encoder.keras").output.shape[-1] == TINY.z_dim
    assert len(history["val_mse"]) == len(history["learning_rate"]) == history["epochs_run"] == 3
    assert history["best_epoch"] == int(np.argmin(history["val_loss"])) + 1
    assert history["learning_rate"][0] > history["learning_rate"][-1]  # cosine decay


# --- the train findings ------------------------------------------------------------------------


def test_last_improvement_is_the_relative_drop_over_the_last_epochs():
    k, drop = last_improvement([1.0, 0.8, 0.5, 0.45, 0.44, 0.44, 0.44, 0.43], share=0.25)
    assert k == 2 and drop == pytest.approx((0.44 - 0.43) / 0.44)
    assert last_improvement([0.5])[1] is None
    assert last_improvement([1.0, None, 0.5])[1] is None


def train_results(val_mse, *, n_train=900) -> TrainResults:
    from tests.test_results_post1_2 import train_record

    epochs = len(val_mse)
    history = {**train_record()["history"], "loss": [0.6] * epochs, "val_loss": [0.6 - 0.001 * i for i in range(epochs)],
               "mse": list(val_mse), "val_mse": list(val_mse), "learning_rate": [1e-3] * epochs,
               "epoch_seconds": [1.0] * epochs, "best_epoch": epochs, "epochs_run": epochs, "n_train": n_train}
    return validate_results(TrainResults, train_record(history=history, epochs=epochs))


def test_a_curve_whose_psnr_still_rises_has_not_flattened():
    rising = train_results([0.01, 0.008, 0.006, 0.005, 0.004, 0.003, 0.0025, 0.002])
    f = train_findings(rising, {})
    assert f.last_epochs == 2 and not f.flattened
    assert f.last_gain_db == pytest.approx(10 * math.log10(0.003 / 0.002))
    assert f.best_val_psnr == pytest.approx(psnr(0.002))
    flat = train_findings(train_results([0.01, 0.005, 0.003, 0.0025, 0.00250, 0.00249, 0.00249, 0.00248]), {})
    assert flat.flattened and flat.gain_per_epoch_db == pytest.approx(flat.last_gain_db / 2)
    assert flat.gain_per_epoch_db < 0.05


def test_comparison_table_counts_images_seen_and_reads_the_filters():
    f = train_findings(train_results([0.01, 0.005], n_train=1000), {})
    rows = {row.label: row for row in f.comparison}
    assert rows["images seen (epochs × training images)"].ours == "2,000"
    assert rows["epochs"].original == "24" and f.original_images_seen == 24 * 170_000
    assert f.seen_ratio == pytest.approx(24 * 170_000 / 2000)
    assert rows["latent dimension z_dim"].ours == "16"


# --- the formation statistics ------------------------------------------------------------------


def test_latent_summary_of_a_known_gaussian_cloud():
    rng = np.random.default_rng(3)
    n = 200_000
    # Components 0 and 1 correlated with r = 0.8; variances 16, 16, 1, 1 -> 90 % needs 2 directions:
    # eigenvalues 28.8, 3.2, 1, 1 (sum 34): 28.8/34 = 0.847, +3.2 = 0.941.
    a, b = rng.standard_normal(n), rng.standard_normal(n)
    z = np.column_stack([4 * a, 4 * (0.8 * a + 0.6 * b), rng.standard_normal(n), rng.standard_normal(n)])
    centre = np.array([3.0, 0.0, 0.0, 0.0])
    z = (z + centre).astype(np.float32)
    summary = latent_summary(z, (0.1, 0.5), 0.9)
    assert summary["pairs_above"] == {"0.1": 1, "0.5": 1}
    assert summary["directions"] == 2
    # The origin lies 3 from the centre along component 0: Mahalanobis 3 / (4 * 0.6) = 1.25 given the
    # correlation (conditional std of z0 given z1 is 4 * 0.6; the distance is sqrt(x^T C^-1 x)).
    cov = np.array([[16, 12.8], [12.8, 16]])
    expected = math.sqrt(np.array([3.0, 0.0]) @ np.linalg.solve(cov, np.array([3.0, 0.0])))
    assert summary["origin_mahalanobis"] == pytest.approx(expected, rel=0.02)
    # A 4-dimensional standard normal is farther than d with probability of chi2_4 > d^2: exp(-x/2)(1 + x/2).
    x = expected**2
    assert summary["origin_share_farther"] == pytest.approx(math.exp(-x / 2) * (1 + x / 2), abs=0.01)
    radius = np.linalg.norm(z.astype(np.float64), axis=1).mean()
    assert summary["radius_mean"] == pytest.approx(radius, rel=1e-5)


def _course(values):
    return course(values, change_share=0.1, settle_tolerance=0.05, settle_snapshots=3)


@pytest.mark.parametrize("values, direction, settled", [
    ([1.0, 3.0, 3.02, 3.05], "grows", True),  # the last three lie within 0.05 / 3.05 = 1.6 % < 5 %
    ([3.0, 2.0, 1.0], "shrinks", False),
    ([1.0, 1.05], "stays", None),  # too few snapshots to judge settling
    ([5.0, 5.0, 5.0], "stays", True),
    ([0.0, 0.0, 0.0], "stays", True),
    ([1.0, None, 2.0], "unknown", None),
    # The origin's distance of a run that kept moving: 17.6 -> 20.1 -> 22.2 changes by 4.6 / 22.2 = 21 %.
    ([3.0, 17.6, 20.1, 22.2], "grows", False),
])
def test_course_direction_and_settling(values, direction, settled):
    moved = _course(values)
    assert (moved["direction"], moved["settled"]) == (direction, settled)


def test_course_names_an_inner_peak_and_its_place():
    moved = _course([0.0, 0.05, 0.27, 0.15, 0.09, 0.0712])
    assert (moved["direction"], moved["turn"], moved["turn_index"], moved["turn_value"]) == ("grows", "peak", 2, 0.27)
    assert moved["recent_change"] == pytest.approx((0.15 - 0.0712) / 0.15)
    assert moved["settled"] is False


def test_course_names_the_trough_of_a_distance_that_fell_and_rose_again():
    moved = _course([52.0, 30.0, 17.6, 20.1, 22.2])  # dips 4.6 below its end: 13 % of the spread 34.4
    assert (moved["direction"], moved["turn"], moved["turn_value"], moved["settled"]) == ("shrinks", "trough", 17.6, False)


def test_course_names_a_trough_and_ignores_small_wiggles():
    assert _course([10.0, 4.0, 9.0, 10.0])["turn"] == "trough"
    assert _course([10.0, 4.0, 9.0, 10.0])["turn_value"] == 4.0
    assert _course([1.0, 1.05, 1.1, 1.2])["turn"] is None  # monotone
    assert _course([1.0, 1.25, 1.2])["turn"] is None  # 1.25 lies only 0.05 / 1.25 = 4 % above the end


def test_course_tolerance_decides_settled():
    values = [1.0, 2.0, 2.9, 3.0]  # the last three lie within 0.1 / 3.0 = 3.3 %
    assert course(values, change_share=0.1, settle_tolerance=0.05, settle_snapshots=2)["settled"] is True
    assert course(values, change_share=0.1, settle_tolerance=0.02, settle_snapshots=2)["settled"] is False
    assert course(values, change_share=0.1, settle_tolerance=0.05, settle_snapshots=3)["settled"] is False


def test_formation_findings_name_what_still_moves():
    def snap(epoch, psnr_db, pairs, final=False):
        return Snapshot(epoch=epoch, final=final, heldout_mse=10 ** (-psnr_db / 10), heldout_psnr=psnr_db,
                        pairs_above={"0.1": pairs, "0.5": pairs // 10}, directions=20, radius_mean=5.0,
                        origin_mahalanobis=30.0, origin_share_farther=0.0, origin_euclidean_share_farther=0.5)

    record = FormationResults(n_points=100, n_heldout=10, z_dim=8, thresholds=[0.5, 0.1], variance_share=0.9,
                              change_share=0.1, settle_tolerance=0.05, settle_snapshots=3,
                              snapshots=[snap(1, 18, 3000), snap(2, 21, 2500), snap(4, 24, 2000, final=True)])
    f = formation_findings(record, {})
    assert (f.first_epoch, f.last_epoch, f.n_snapshots, f.pair_keys) == (1, 4, 3, ["0.1", "0.5"])
    assert f.trends["heldout_psnr"].direction == "grows" and f.trends["pairs_above.0.1"].direction == "shrinks"
    assert f.trends["directions"].direction == "stays" and f.trends["directions"].settled
    assert f.unsettled == ["heldout_psnr", "pairs_above.0.1", "pairs_above.0.5"] and not f.all_settled
    assert "directions" in f.settled and f.settle_from_epoch == 1 and f.settle_tolerance == 0.05
    assert f.trends["pairs_above.0.5"].label == "the pairs with |r| above 0.5"


def test_formation_figure_has_one_panel_per_quantity_on_a_log_epoch_axis():
    from report.figures import formation_curves

    fig = formation_curves([1, 2, 4, 8], {"a": {"x": [1, 2, 3, 4]}, "b": {"0.1": [9, 8, 7, 6], "0.5": [3, 2, 1, None]},
                                          "c": {"y": [1, 1, 1, 1]}}, log_y=("b",))
    axes = fig.get_axes()
    assert len(axes) == 3 and all(ax.get_xscale() == "log" for ax in axes)
    assert axes[1].get_yscale() == "log" and len(axes[1].get_lines()) == 2


def test_post_one_names_the_replicas_and_the_global_batch_only_when_several_trained():
    from report.render.environment import environment
    from tests.test_results_post1_2 import train_record

    env = environment()
    texts = {}
    for replicas in (1, 2):
        device = {**train_record()["device"], "device": "GPU", "name": "GPU A, GPU B", "count": 2, "replicas": replicas}
        record = validate_results(TrainResults, train_record(device=device, global_batch_size=32 * replicas))
        findings = train_findings(record, {})
        assert findings.mirrored == (replicas > 1)
        context = {"steps": {"train": {"stats": record, "findings": findings, "figures": {"loss": "figures/train/loss.png"}}},
                   "params": {"model": {"encoder_filters": [8, 16]}}, "variant": "tiny", "has_decoder": True,
                   "post_one_figure": {"loss": 3}, "post_one_table": {"model": 1}}
        texts[replicas] = " ".join(env.get_template("steps/train.html").render(**context).split())
    assert "in batches of 32," in texts[1] and "copies of the model" not in texts[1]
    assert "in batches of 64 (32 on each of 2 copies of the model, one per GPU)," in texts[2]

# %% [markdown]
# # Step `formation`: how the latent space forms during training (post I, beyond the series)
# Encodes a sample of the images with every snapshot of encoder and decoder that `train` kept
# (after epochs 1, 2, 4, 8, ... and the final weights) and measures per snapshot the held-out
# reconstruction error and the statistics the later posts study on the final model: correlated
# pairs, principal directions for most of the variance, radius, and where the origin lies.

# %% tags=["parameters"]
run_dir: str = "build/tiny"  # a finished build; the pipeline passes this run's folder
request: dict = {}  # set by the pipeline; empty: replay the last build's request for this step

# %%
from report.notebook import open_step

step = open_step("formation", run_dir, request)

import numpy as np

from report import figures, model, stats
from report.data import sources
from report.results.formation import FormationResults, Snapshot
from report.results.train import TrainResults
from report.stats.formation import latent_summary

formation, rng = step.settings, step.rng
rule = step.shared("analysis.mahalanobis")
train = step.upstream(TrainResults)
images = sources.open_images(step.input("images"))
rows = np.sort(rng.choice(len(images), size=min(formation.sample_size, len(images)), replace=False))
sample = np.asarray(images[rows])
heldout = np.asarray(images[np.load(step.upstream_file("train", "validation-rows.npy"))])
snapshot_root = step.upstream_folder("train") / "snapshots"
final_epoch = train.history.best_epoch
# The final weights replace the snapshot of the same epoch (they are the same weights).
kept = [(epoch, model.snapshot_folder(snapshot_root, epoch), False) for epoch in train.snapshots if epoch != final_epoch]
kept = sorted([*kept, (final_epoch, snapshot_root / "final", True)])
[(epoch, folder.name) for epoch, folder, _ in kept]

# %% papermill_description=snapshots
records = []
for epoch, folder, final in kept:
    encoder, decoder = model.load_encoder(folder / "encoder.keras"), model.load_decoder(folder / "decoder.keras")
    z = model.encode_images(encoder, sample, formation.batch_size)
    if len(heldout):
        mse = stats.reconstruction_error(heldout, model.reconstruct(encoder, decoder, heldout, formation.batch_size))["mse"]
        error = {"heldout_mse": mse, "heldout_psnr": stats.psnr(mse)}
    else:
        error = {"heldout_mse": None, "heldout_psnr": None}
    records.append(Snapshot(epoch=epoch, final=final, **error,
                            **latent_summary(z, formation.thresholds, formation.variance_share,
                                            rule=rule.regularisation, relative_floor=rule.relative_floor)))
[(s.epoch, round(s.heldout_psnr or 0, 2), s.pairs_above, s.directions) for s in records]

# %%
epochs = [s.epoch for s in records]
keys = [f"{t:g}" for t in sorted(formation.thresholds)]
share = f"{100 * formation.variance_share:g} %"
curves = figures.formation_curves(epochs, {
    "held-out PSNR (dB)": {"PSNR": [s.heldout_psnr for s in records]},
    "pairs with |r| >": {k: [s.pairs_above[k] for s in records] for k in keys},
    f"directions, {share} of variance": {"directions": [s.directions for s in records]},
    "radius mean": {"radius": [s.radius_mean for s in records]},
    "origin, Mahalanobis distance": {"distance": [s.origin_mahalanobis for s in records]},
    "farther out than the origin": {
        "Mahalanobis": [s.origin_share_farther for s in records],
        "Euclidean": [s.origin_euclidean_share_farther for s in records],
    },
}, log_y=("pairs with |r| >",))
step.figure("formation.png", curves)
step.save(FormationResults(
    n_points=len(rows),
    n_heldout=len(heldout),
    z_dim=int(z.shape[1]),
    thresholds=list(formation.thresholds),
    variance_share=formation.variance_share,
    change_share=formation.change_share,
    settle_tolerance=formation.settle_tolerance,
    settle_snapshots=formation.settle_snapshots,
    snapshots=records,
))
curves

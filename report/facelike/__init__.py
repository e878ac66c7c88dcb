"""Face-likeness measured offline: feature spaces, scores, the verdict of each image and their calibration.

`features` builds feature spaces independent of the autoencoder (a random CNN, networks trained
on the real images for another task); `metrics` scores fake features against real ones (k-NN
manifold membership, realism, PRDC, Fréchet distance, KID); `calibration` makes the reference
sets (real, reconstructed, noise, blurred, washed out) and one scoreboard record per set; `judge`
trains the structure judge (real images against structure-destroyed copies): is a face there?;
`colour` measures how plausible the colour layout is against the real images' (are these a face's
colours?); `clarity` measures contrast and detail against the real images: is it clear? `scorer`
turns all three into each image's verdict: clear face, faint face or no face.
"""

from report.facelike.calibration import (
    SCOREBOARD_KEYS,
    blurred_images,
    calibration_sets,
    contrast_reduced,
    noise_images,
    score_set,
    shares_by_verdict,
)
from report.facelike.clarity import ClarityReference, clarity_scores, fit_clarity
from report.facelike.colour import ColourReference, colour_layout, colour_scores, fit_colour, srgb_to_lab
from report.facelike.features import (
    FeatureSpace,
    TrainedNetwork,
    extract_features,
    factor_targets,
    random_features,
    random_network,
    random_space,
    rotation_targets,
    train_factor_network,
    train_rotation_network,
    trained_space,
)
from report.facelike.judge import (
    StructureJudge,
    destroyed_images,
    judge_probability,
    patch_shuffle,
    phase_scramble,
    shifted_blends,
    smooth_fields,
    train_judge,
)
from report.facelike.metrics import (
    frechet_distance,
    kernel_inception_distance,
    knn_radii,
    manifold_membership,
    prdc,
    realism_score,
)

__all__ = [
    "SCOREBOARD_KEYS",
    "ClarityReference",
    "ColourReference",
    "FeatureSpace",
    "StructureJudge",
    "TrainedNetwork",
    "blurred_images",
    "calibration_sets",
    "clarity_scores",
    "colour_layout",
    "colour_scores",
    "contrast_reduced",
    "destroyed_images",
    "extract_features",
    "factor_targets",
    "fit_clarity",
    "fit_colour",
    "frechet_distance",
    "judge_probability",
    "kernel_inception_distance",
    "knn_radii",
    "manifold_membership",
    "noise_images",
    "patch_shuffle",
    "phase_scramble",
    "prdc",
    "random_features",
    "random_network",
    "random_space",
    "realism_score",
    "rotation_targets",
    "score_set",
    "shares_by_verdict",
    "shifted_blends",
    "smooth_fields",
    "srgb_to_lab",
    "train_factor_network",
    "train_judge",
    "train_rotation_network",
    "trained_space",
]

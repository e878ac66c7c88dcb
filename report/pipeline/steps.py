"""The step graph: which notebook each step runs, what it needs, and what it must leave behind.

Everything about a step is declared here, by name: its notebook `analysis/<name>.py`, its results
schema and findings `report/results/<name>.py`, its part of a post `templates/steps/<name>.html`,
the parameter sections it reads and the key of its per-cell time limit. The `report` modules a
step depends on are not listed: they are derived from what its notebook imports (see hashing).
Steps are listed in execution order.
"""

from __future__ import annotations

import importlib
import zlib
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from report.params import Params, to_jsonable, value_at
from report.results import StepResults
from report.results.face_measure import DEGRADATION_FIGURE, EXAMPLES_FIGURE
from report.results.face_measure import output_files as face_measure_files

PROJECT_ROOT = Path(__file__).resolve().parents[2]
ANALYSIS_DIR = PROJECT_ROOT / "analysis"

# Packages whose version is part of every step's hash: a new version may change the numbers.
HASHED_PACKAGES = ("numpy", "scipy", "matplotlib", "papermill", "scikit-learn", "keras", "tensorflow")


@dataclass(frozen=True)
class Step:
    """One node of the pipeline.

    Attributes:
        name: Names the notebook, the results folder, the results module and the template.
        needs: Steps whose results this one reads.
        outputs: Files the step must write besides anything else it writes.
        sections: Dotted paths of the parameters the step reads (and whose change reruns it).
        timeout: Dotted path of the step's per-cell time limit in seconds.
        post: The post the step's results appear in.
        uses_images: Skipped when the latent vectors come from a file (data.source zpoints).
        shared: Dotted paths of rules several steps read besides their own sections (a change reruns
            each of them); the notebook reads one with `step.shared(path)`.
        uses_gpu: Worth a GPU: a sweep asks for a worker's `GPU` resource for it when workers have one.
    """

    name: str
    needs: tuple[str, ...]
    outputs: tuple[str, ...]
    sections: tuple[str, ...]
    timeout: str
    post: int
    uses_images: bool = False
    shared: tuple[str, ...] = ()
    uses_gpu: bool = False

    @property
    def notebook(self) -> Path:
        return ANALYSIS_DIR / f"{self.name}.py"

    @property
    def results_module(self) -> str:
        return f"report.results.{self.name}"

    @property
    def schema(self) -> type[StepResults]:
        """The StepResults subclass of `report/results/<name>.py` whose `step` is this step."""
        module = importlib.import_module(self.results_module)
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, StepResults) and value.step == self.name:
                return value
        raise LookupError(f"{self.results_module} defines no StepResults with step = {self.name!r}")

    def section(self, params: Params) -> dict:
        """The parameters this step reads, JSON-native, keyed by dotted path."""
        return {path: _jsonable(value_at(params, path)) for path in self.sections}

    def shared_section(self, params: Params) -> dict:
        """The shared rules this step reads, JSON-native, keyed by dotted path."""
        return {path: _jsonable(value_at(params, path)) for path in self.shared}

    def timeout_seconds(self, params: Params) -> int:
        return int(value_at(params, self.timeout))

    def seed(self, params: Params) -> int:
        """A per-step seed derived from the run's seed and the step's name (adding a step shifts none)."""
        sequence = np.random.SeedSequence(entropy=params.seed, spawn_key=(zlib.crc32(self.name.encode()),))
        return int(sequence.generate_state(1)[0])


def _jsonable(value):
    return to_jsonable(value) if hasattr(value, "model_dump") else value


def _analysis(name: str, needs: tuple[str, ...], outputs: tuple[str, ...], post: int, **kwargs) -> Step:
    """A step of the latent-space analysis, reading `analysis.<name>` of the parameter file."""
    return Step(name, needs, ("stats.json", *outputs), (f"analysis.{name}",), f"analysis.{name}.timeout_s", post,
                **kwargs)


MAHALANOBIS = ("analysis.mahalanobis",)  # the regularisation of every Mahalanobis distance (posts VIII-X read normal_fit's)
UNCERTAINTY = ("analysis.uncertainty",)  # the confidence level and the printing of small shares (every post that compares numbers)

STEPS: tuple[Step, ...] = (
    Step("data", (), ("stats.json", "images.npy", "sample-grid.png"), ("data",), "data.timeout_s", 1,
         uses_images=True),
    Step("train", ("data",), ("stats.json", "encoder.keras", "decoder.keras", "loss.png", "validation-rows.npy"),
         ("model", "train", "data.image_size"), "train.timeout_s", 1, uses_images=True, uses_gpu=True),
    _analysis("encode", ("data", "train"), ("latents.npy", "reconstructions.png", "random-decodes.png"), 1,
              uses_images=True),
    _analysis("formation", ("data", "train", "encode"), ("formation.png",), 1, uses_images=True,
              shared=MAHALANOBIS),
    Step("face_measure", ("data", "train", "encode"),
         ("stats.json", EXAMPLES_FIGURE, DEGRADATION_FIGURE, *face_measure_files()),
         ("analysis.face_measure", "train.validation_split"), "analysis.face_measure.timeout_s", 1,
         uses_images=True, shared=UNCERTAINTY),
    _analysis("distributions", ("encode",),
              ("component-histograms.png", "dominant-histograms.png", "radius-histograms.png"), 2),
    _analysis("correlations", ("encode", "distributions"),
              ("correlation.npy", "correlation-heatmap.png", "pair-scatter.png"), 3),
    _analysis("origin_slices", ("encode", "distributions", "correlations"), (), 4, shared=MAHALANOBIS),
    _analysis("statistical_points", ("data", "encode", "train", "distributions", "correlations", "face_measure"), (),
              5, shared=MAHALANOBIS + UNCERTAINTY),
    _analysis("paths", ("data", "encode", "train", "distributions", "correlations", "face_measure"), (),
              6, shared=MAHALANOBIS + UNCERTAINTY),
    _analysis("intervals", ("data", "encode", "train", "distributions", "correlations", "face_measure"), (),
              7, shared=MAHALANOBIS + UNCERTAINTY),
    _analysis("normal_fit", ("data", "encode", "train", "face_measure"),
              ("mean.npy", "covariance.npy", "mixtures.npz", "mahalanobis-qq.png", "ellipses.png", "mixture-bic.png"), 8,
              shared=MAHALANOBIS + UNCERTAINTY),
    _analysis("pca", ("encode", "normal_fit"), ("spectrum.png", "principal-histograms.png",
                                                "principal-scatter.png"), 9),
    _analysis("pca_sampling", ("data", "encode", "train", "face_measure", "normal_fit", "pca"), (), 10, shared=UNCERTAINTY),
    # Not posts of the series: pages of their own (post numbers 11 and 12 have no entry in render.context.POSTS).
    _analysis("filaments", ("data", "encode", "train", "face_measure", "normal_fit"), (), 12, shared=UNCERTAINTY),
    _analysis("scoreboard", ("data", "encode", "train", "distributions", "paths", "intervals", "normal_fit",
                             "pca_sampling", "face_measure"), (), 11, shared=UNCERTAINTY),
)

STEPS_BY_NAME = {step.name: step for step in STEPS}


TRAINING_ONLY = ("formation",)  # steps that need the snapshots of a training run: none for a model trained elsewhere
TRAINING_OUTPUTS = ("loss.png",)  # outputs of `train` that only a training run makes


def steps_for(params: Params) -> list[Step]:
    """The steps that run for this parameter file: no image steps for latent vectors given as a file, and
    no training snapshots (formation) nor loss curve for an autoencoder loaded from model.encoder_path."""
    steps = [s for s in STEPS if not (s.uses_images and params.data.source == "zpoints")]
    if params.model.loaded:
        steps = [replace(s, outputs=tuple(o for o in s.outputs if o not in TRAINING_OUTPUTS)) if s.name == "train" else s
                 for s in steps if s.name not in TRAINING_ONLY]
    return steps

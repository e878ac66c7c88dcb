"""The step graph: which notebook each step runs, what it needs, and what it must leave behind.

A step's notebook lives in `analysis/<name>.py` (jupytext percent format), writes into
`results/<name>/`, and serves one or more posts. Steps are listed in execution order.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from report.params import Params, to_jsonable

PROJECT_ROOT = Path(__file__).resolve().parents[2]
ANALYSIS_DIR = PROJECT_ROOT / "analysis"

# Packages whose version is part of every step's hash: a new version may change the numbers.
HASHED_PACKAGES = ("numpy", "scipy", "matplotlib", "papermill", "scikit-learn", "keras", "tensorflow")


@dataclass(frozen=True)
class Step:
    """One node of the pipeline."""

    name: str
    needs: tuple[str, ...]
    outputs: tuple[str, ...]
    modules: tuple[str, ...]
    posts: tuple[int, ...]
    uses_images: bool = False  # skipped when data.source is zpoints

    @property
    def notebook(self) -> Path:
        return ANALYSIS_DIR / f"{self.name}.py"

    def section(self, params: Params) -> dict:
        """The parameter sub-tree this step depends on, JSON-native, keyed by its dotted path."""
        if self.name == "data":
            return {"data": to_jsonable(params.data)}
        if self.name == "train":
            return {"model": to_jsonable(params.model), "train": to_jsonable(params.train),
                    "data.image_size": params.data.image_size}
        return {f"analysis.{self.name}": to_jsonable(getattr(params.analysis, self.name))}

    def timeout(self, params: Params) -> int:
        if self.name == "data":
            return params.data.timeout_s
        if self.name == "train":
            return params.train.timeout_s
        return getattr(params.analysis, self.name).timeout_s

    def seed(self, params: Params) -> int:
        """A per-step seed derived from the run's seed and the step's name (adding a step shifts none)."""
        sequence = np.random.SeedSequence(entropy=params.seed, spawn_key=(zlib.crc32(self.name.encode()),))
        return int(sequence.generate_state(1)[0])


STEPS: tuple[Step, ...] = (
    Step("data", (), ("stats.json", "images.npy", "sample-grid.png"),
         ("report.data", "report.figures", "report.results"), (1,), uses_images=True),
    Step("train", ("data",), ("stats.json", "encoder.keras", "decoder.keras", "loss.png"),
         ("report.model", "report.data.sources", "report.figures", "report.results"), (1,), uses_images=True),
    Step("encode", ("data", "train"),
         ("stats.json", "latents.npy", "reconstructions.png", "random-decodes.png"),
         ("report.model", "report.data.sources", "report.samplers", "report.figures", "report.results"), (1,),
         uses_images=True),
    Step("distributions", ("encode",),
         ("stats.json", "component-histograms.png", "dominant-histograms.png", "radius-histograms.png"),
         ("report.stats", "report.figures", "report.results", "report.data.sources"), (2,)),
    Step("correlations", ("encode", "distributions"),
         ("stats.json", "correlation-heatmap.png", "pair-scatter.png"),
         ("report.stats", "report.figures", "report.results", "report.data.sources"), (3,)),
    Step("origin_slices", ("encode", "distributions", "correlations"),
         ("stats.json",),
         ("report.stats", "report.figures", "report.results", "report.data.sources"), (4,)),
    Step("statistical_points", ("encode", "train", "distributions", "correlations"),
         ("stats.json",),
         ("report.stats", "report.samplers", "report.model", "report.figures", "report.results",
          "report.data.sources"), (5,)),
    Step("paths", ("encode", "train", "distributions", "correlations"),
         ("stats.json",),
         ("report.stats", "report.samplers", "report.model", "report.figures", "report.results",
          "report.data.sources"), (6,)),
    Step("intervals", ("encode", "train", "distributions", "correlations"),
         ("stats.json",),
         ("report.stats", "report.samplers", "report.model", "report.figures", "report.results",
          "report.data.sources"), (7,)),
)


def steps_for(params: Params) -> list[Step]:
    """The steps that run for this parameter file (no image steps for latent vectors given as a file)."""
    return [s for s in STEPS if not (s.uses_images and params.data.source == "zpoints")]

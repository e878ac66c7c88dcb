"""A sweep file read into its variants: one parameter document per combination of the varied values."""

from __future__ import annotations

import copy
import itertools
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from report.errors import ParameterError
from report.params import Params, SweepFile, parse_params, parse_sweep, read_yaml

UNSAFE_NAME_CHARACTERS = re.compile(r"[^A-Za-z0-9_.-]+")
SWEEP_FILE_PREFIX = "study-"  # parameters/study-*.yaml are sweep files, every other parameters/*.yaml a variant
PARAMETERS_FOLDER = "parameters"  # build/<sweep>/parameters/<variant>.yaml, the file each variant is built from


@dataclass(frozen=True)
class Variant:
    """One variant of a sweep: its name, the varied values, its parameters and where it builds."""

    name: str
    values: dict
    params: Params
    document: dict
    run_dir: Path
    params_path: Path


@dataclass(frozen=True)
class Sweep:
    """A validated sweep file and its variants, with every path resolved."""

    path: Path
    spec: SweepFile
    base_path: Path
    root: Path
    variants: tuple[Variant, ...]
    base_variant: str = ""  # the `variant` of the base parameter file

    @property
    def name(self) -> str:
        return self.spec.sweep

    @property
    def varied(self) -> list[str]:
        return list(self.spec.vary)


def is_sweep_file(path: Path) -> bool:
    """Whether a file of parameters/ is a sweep file (by name), not one variant's parameters."""
    return Path(path).name.startswith(SWEEP_FILE_PREFIX)


def value_text(value) -> str:
    """A varied value as it appears in a variant's name: 7, 0.002, true, relu."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def short_keys(keys: list[str]) -> dict[str, str]:
    """Each dotted key's last part, or the whole key where two keys share a last part."""
    last = [key.rsplit(".", 1)[-1] for key in keys]
    return {key: short if last.count(short) == 1 else key for key, short in zip(keys, last, strict=True)}


def variant_name(values: dict) -> str:
    """The build folder's name of a variant, e.g. `seed-7_z_dim-16`, from its values in sweep order."""
    names = short_keys(list(values))
    parts = [f"{names[key]}-{value_text(value)}" for key, value in values.items()]
    return UNSAFE_NAME_CHARACTERS.sub("-", "_".join(parts)).strip("-") or "variant"


def set_dotted(document: dict, key: str, value, where: str) -> None:
    """Set `a.b.c` in a nested parameter document, creating sections as needed."""
    *sections, last = key.split(".")
    node = document
    for depth, part in enumerate(sections):
        child = node.setdefault(part, {})
        if not isinstance(child, dict):
            raise ParameterError(f"{where}: vary.{key}: {'.'.join(sections[:depth + 1])} is a value, not a section")
        node = child
    node[last] = value


def _base_document(sweep_path: Path, spec: SweepFile) -> tuple[Path, dict]:
    base_path = (sweep_path.parent / spec.base).resolve()
    if not base_path.is_file():
        raise ParameterError(f"{sweep_path}: base: no such parameter file {spec.base}")
    document = read_yaml(base_path)
    if not isinstance(document, dict):
        raise ParameterError(f"{base_path}: expected a mapping of keys at the top level")
    return base_path, document


def _variant(sweep_path: Path, base: dict, values: dict, root: Path) -> Variant:
    name = variant_name(values)
    document = copy.deepcopy(base)
    for key, value in values.items():
        set_dotted(document, key, value, str(sweep_path))
    document["variant"] = name
    params = parse_params(document, f"{sweep_path} (variant {name})")
    return Variant(name, dict(values), params, document, root / name, root / PARAMETERS_FOLDER / f"{name}.yaml")


def check_names(path: Path, spec: SweepFile) -> None:
    """The step of `only` and the statistics of `figure_stats` must exist (a typo would silently show less)."""
    from report import keystats
    from report.pipeline.steps import STEPS_BY_NAME

    if spec.only is not None and spec.only not in STEPS_BY_NAME:
        raise ParameterError(f"{path}: only: no step {spec.only!r} (steps: {', '.join(STEPS_BY_NAME)})")
    unknown = [key for key in spec.figure_stats if keystats.definition(key) is keystats.EXACT]
    if unknown:
        raise ParameterError(f"{path}: figure_stats: {unknown[0]!r} is not a key statistic")


def load_sweep(path: Path | str, build_root: Path | str = Path("build")) -> Sweep:
    """Read and validate a sweep file and every variant's parameters (unknown keys refused by the schema)."""
    path = Path(path)
    spec = parse_sweep(read_yaml(path, "sweep file"), path)
    check_names(path, spec)
    base_path, base = _base_document(path, spec)
    root = (Path(build_root) / spec.sweep).resolve()
    combinations = itertools.product(*spec.vary.values())
    variants = tuple(_variant(path, base, dict(zip(spec.vary, combo, strict=True)), root) for combo in combinations)
    names = [v.name for v in variants]
    twice = sorted({name for name in names if names.count(name) > 1})
    if twice:
        raise ParameterError(f"{path}: vary: two variants would share the folder {twice[0]} (values that print alike)")
    return Sweep(path, spec, base_path, root, variants, str(base.get("variant", "")))


def write_parameter_files(sweep: Sweep) -> None:
    """Write each variant's parameter file (its manifest names it), untouched when unchanged."""
    from report.pipeline.atomic import write_text

    for variant in sweep.variants:
        variant.params_path.parent.mkdir(parents=True, exist_ok=True)
        text = (f"# Variant {variant.name} of sweep {sweep.name} ({sweep.path}), from {sweep.base_path.name}\n"
                + yaml.safe_dump(variant.document, sort_keys=False))
        if not variant.params_path.is_file() or variant.params_path.read_text(encoding="utf-8") != text:
            write_text(variant.params_path, text)

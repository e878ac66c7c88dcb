"""The parameter schema: valid files load, each kind of invalid one names its key."""

from pathlib import Path

import pytest

from report.errors import ParameterError
from report.params import Params, load_params, parse_params
from report.sweep.spec import is_sweep_file

PARAMETERS = Path(__file__).resolve().parents[1] / "parameters"


@pytest.mark.parametrize("path", sorted(p for p in PARAMETERS.glob("*.yaml") if not is_sweep_file(p)),
                         ids=lambda p: p.stem)
def test_every_shipped_parameter_file_is_valid(path):
    params = load_params(path)
    assert params.variant == path.stem


def test_defaults_fill_every_section():
    params = parse_params({"variant": "v"})
    assert params.data.source == "synthetic"
    assert params.analysis.distributions.bin_width == 0.25
    assert params.analysis.correlations.pair_threshold == 0.5


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        ({"variant": "v", "model": {"z_dimm": 3}}, "model.z_dimm: unknown key"),
        ({"variant": "v", "colour": 1}, "colour: unknown key"),
        ({"variant": "v", "train": {"epochs": "many"}}, "train.epochs"),
        ({"variant": "v", "train": {"epochs": 0}}, "train.epochs"),
        ({"variant": "v", "train": {"learning_rate": -1}}, "train.learning_rate"),
        ({"variant": "v", "data": {"source": "imagenet"}}, "data.source"),
        ({"variant": "v", "data": {"source": "folder"}}, "data.path is required"),
        ({"variant": "v", "data": {"image_size": 30}}, "data.image_size 30"),
        ({"variant": "v", "model": {"encoder_filters": [8, 16]}}, "model.encoder_kernel_sizes"),
        ({"variant": "v", "analysis": {"correlations": {"pair_threshold": 1.5}}},
         "analysis.correlations.pair_threshold"),
        ({"variant": "v", "analysis": {"correlations": {"thresholds": [0.1, 2]}}},
         "analysis.correlations.thresholds"),
        ({"seed": 1}, "variant: required key is missing"),
        ({"variant": "../up"}, "variant"),
    ],
)
def test_invalid_values_name_their_key(raw, fragment):
    with pytest.raises(ParameterError) as err:
        parse_params(raw, "bad.yaml")
    message = str(err.value)
    assert message.startswith("bad.yaml: ")
    assert fragment in message
    assert "\n" not in message


def test_unreadable_yaml_and_missing_file(tmp_path):
    broken = tmp_path / "broken.yaml"
    broken.write_text("variant: [x\n")
    with pytest.raises(ParameterError, match="not valid YAML"):
        load_params(broken)
    with pytest.raises(ParameterError, match="no such parameter file"):
        load_params(tmp_path / "absent.yaml")
    listed = tmp_path / "list.yaml"
    listed.write_text("- a\n- b\n")
    with pytest.raises(ParameterError, match="mapping"):
        load_params(listed)


def test_parameters_are_frozen():
    params = Params(variant="v")
    with pytest.raises(Exception):
        params.seed = 3

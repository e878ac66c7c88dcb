"""An autoencoder trained elsewhere: the checks of its two Keras files, and a whole report built from them.

The model here is unlike the project's: 30 x 30 images (not divisible by 8), one stride-3 convolution,
a dense bottleneck of 12 and an upsampling decoder, trained for a few steps on 200 face images written
to a folder, which the build reads as `data.source: folder`.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import numpy as np
import pytest
import yaml
from conftest import tiny_raw, write_params

from report.errors import ParameterError, ReportError
from report.params import load_params

SIZE, Z_DIM, N_IMAGES = 30, 12, 200
CUSTOM_MODULE = '''
import keras


class Doubling(keras.layers.Layer):
    """Multiplies by two: a layer Keras does not know by name."""

    def call(self, x):
        return 2 * x
'''


def small_autoencoder(size: int = SIZE, z_dim: int = Z_DIM, final: str = "sigmoid", custom=None):
    """A dense-bottleneck autoencoder: Conv2D(stride 3) -> Dense(z_dim) -> Dense -> UpSampling2D(3) -> Conv2D."""
    import keras

    image = keras.Input(shape=(size, size, 3))
    x = keras.layers.Conv2D(8, 3, strides=3, padding="same", activation="relu")(image)
    x = keras.layers.Flatten()(x)
    if custom is not None:
        x = custom()(x)
    z = keras.layers.Dense(z_dim, name="code")(x)
    encoder = keras.Model(image, z, name="bottleneck_encoder")
    side = -(-size // 3)
    z_in = keras.Input(shape=(z_dim,))
    y = keras.layers.Dense(side * side * 8, activation="relu")(z_in)
    y = keras.layers.Reshape((side, side, 8))(y)
    y = keras.layers.UpSampling2D(3)(y)
    y = keras.layers.Conv2D(3, 3, padding="same", activation=final)(y)
    decoder = keras.Model(z_in, y, name="upsampling_decoder")
    return encoder, decoder


def save_pair(folder: Path, encoder, decoder, stem: str = "") -> tuple[Path, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = folder / f"{stem}encoder.keras", folder / f"{stem}decoder.keras"
    encoder.save(paths[0])
    decoder.save(paths[1])
    return paths


def params_file(folder: Path, encoder: Path, decoder: Path, image_folder: Path | None = None, **model) -> Path:
    """The tiny parameter file with the model's files in place of the ladders, reading a folder of images."""
    raw = tiny_raw()
    raw["variant"] = "own"
    raw["data"] = {**{k: v for k, v in raw["data"].items() if k not in ("n_images",)},
                   "source": "folder", "path": str(image_folder or folder), "image_size": SIZE}
    raw["model"] = {"encoder_path": str(encoder), "decoder_path": str(decoder), **model}
    return write_params(folder, raw)


@pytest.fixture(scope="module")
def own_files(tmp_path_factory):
    """200 face images as PNG files, and an autoencoder trained on them for a few steps, saved as two .keras files."""
    import keras
    from PIL import Image

    from report.data.synthetic import generate_faces

    folder = tmp_path_factory.mktemp("own-model")
    images, _ = generate_faces(N_IMAGES, SIZE, np.random.default_rng(3))
    image_folder = folder / "photos"
    image_folder.mkdir()
    for i, image in enumerate(images):
        Image.fromarray(image).save(image_folder / f"face-{i:03d}.png")
    keras.utils.set_random_seed(5)
    encoder, decoder = small_autoencoder()
    autoencoder = keras.Model(encoder.input, decoder(encoder.output))
    autoencoder.compile(optimizer=keras.optimizers.Adam(0.003), loss="mse")
    x = images.astype("float32") / 255
    autoencoder.fit(x, x, epochs=3, batch_size=32, verbose=0)
    encoder_path, decoder_path = save_pair(folder / "models", encoder, decoder)
    return {"folder": folder, "images": image_folder, "encoder": encoder_path, "decoder": decoder_path}


@pytest.fixture(scope="module")
def own_build(own_files):
    """The report built from the saved autoencoder (nothing trained), once for this module."""
    from report.build import build_variant

    path = params_file(own_files["folder"], own_files["encoder"], own_files["decoder"], own_files["images"])
    root = own_files["folder"] / "build"
    outcome = build_variant(path, build_root=root, progress=False, echo=lambda line: None)
    return {"root": root, "run": root / "own", "outcome": outcome, "params": path}


def _stats(run: Path, step: str) -> dict:
    return json.loads((run / "results" / step / "stats.json").read_text())


def test_report_analyses_the_loaded_model(own_build, own_files):
    run = own_build["run"]
    train = _stats(run, "train")
    assert train["origin"] == "loaded" and train["z_dim"] == Z_DIM and train["history"]["epochs_run"] == 0
    assert train["loaded"]["encoder"]["sha256"] == hashlib.sha256(own_files["encoder"].read_bytes()).hexdigest()
    assert train["loaded"]["encoder"]["model_name"] == "bottleneck_encoder"
    assert [row["type"] for row in train["encoder_layers"]][:3] == ["InputLayer", "Conv2D", "Flatten"]
    assert _stats(run, "distributions")["z_dim"] == Z_DIM
    assert _stats(run, "encode")["n_points"] == N_IMAGES
    assert not (run / "results" / "formation").exists()  # no snapshots of a training run


def test_post_one_names_the_files_and_says_training_happened_elsewhere(own_build, own_files):
    page = (own_build["run"] / "site" / "post-1.html").read_text()
    digest = hashlib.sha256(own_files["decoder"].read_bytes()).hexdigest()
    assert "encoder.keras" in page and digest in page and "bottleneck_encoder" in page
    assert "trained elsewhere" in page and "Training took" not in page
    assert "PSNR" in page and "SSIM" in page


def test_later_posts_show_decodes(own_build):
    site = own_build["run"] / "site"
    for number in (5, 6, 7):
        page = (site / f"post-{number}.html").read_text()
        assert "<img" in page and "no decoder" not in page


def test_sample_sizes_are_reduced_to_the_data(own_build):
    run = own_build["run"]
    assert _stats(run, "data")["n_images"] == N_IMAGES
    assert _stats(run, "normal_fit")["n_points"] == N_IMAGES


def test_second_build_runs_nothing(own_build):
    from report.build import build_variant

    outcome = build_variant(own_build["params"], build_root=own_build["root"], progress=False, echo=lambda line: None)
    assert outcome.executed == []


def test_fingerprint_follows_the_files_bytes_not_their_path(own_files, tmp_path):
    from report.pipeline import hashing
    from report.pipeline.run import fingerprint
    from report.pipeline.steps import STEPS_BY_NAME

    def train_print(encoder: Path) -> dict:
        params = load_params(params_file(tmp_path, encoder, own_files["decoder"], own_files["images"]))
        cache = hashing.DigestCache(tmp_path / "digests.json")
        parts = fingerprint(STEPS_BY_NAME["train"], params, tmp_path / "run", {}, cache, {})
        return {key: parts[key] for key in ("parameters", "upstream")}

    copy = tmp_path / "elsewhere" / "renamed.keras"
    copy.parent.mkdir()
    copy.write_bytes(own_files["encoder"].read_bytes())
    assert train_print(copy) == train_print(own_files["encoder"])
    import keras

    encoder = keras.models.load_model(own_files["encoder"], compile=False)
    encoder.get_layer("code").set_weights([w + 1 for w in encoder.get_layer("code").get_weights()])
    encoder.save(copy)
    assert train_print(copy)["upstream"] != train_print(own_files["encoder"])["upstream"]


# The checks, each with its one-line message.

@pytest.fixture(scope="module")
def models(tmp_path_factory):
    """Small untrained models, each saved once: the good pair and the faulty variants."""
    import keras

    folder = tmp_path_factory.mktemp("models")
    paths = {}
    paths["encoder"], paths["decoder"] = save_pair(folder, *small_autoencoder())
    paths["tanh_encoder"], paths["tanh_decoder"] = save_pair(folder, *small_autoencoder(final="tanh"), stem="tanh-")
    image = keras.Input(shape=(SIZE, SIZE, 3))
    flat = keras.layers.Flatten()(image)
    vae = keras.Model(image, [keras.layers.Dense(Z_DIM, name="mean")(flat), keras.layers.Dense(Z_DIM, name="log_var")(flat)])
    paths["vae"] = folder / "vae.keras"
    vae.save(paths["vae"])
    spatial = keras.Model(image, keras.layers.Conv2D(4, 3, strides=3)(image))
    paths["spatial"] = folder / "spatial.keras"
    spatial.save(paths["spatial"])
    module = folder / "my_layers.py"
    module.write_text(CUSTOM_MODULE)
    namespace: dict = {}
    exec(compile(CUSTOM_MODULE, str(module), "exec"), namespace)
    paths["custom_encoder"], _ = save_pair(folder, *small_autoencoder(custom=namespace["Doubling"]), stem="custom-")
    paths["module"] = module
    paths["not_keras"] = folder / "notes.keras"
    paths["not_keras"].write_text("these are notes, not a model")
    return paths


def _check(folder: Path, encoder, decoder, image_size: int = SIZE, **model):
    from report.own_model import check_parameters

    path = params_file(folder, encoder, decoder, folder)
    raw = yaml.safe_load(path.read_text())
    raw["data"]["image_size"] = image_size
    raw["model"].update(model)
    return check_parameters(load_params(write_params(folder, raw)))


def test_the_good_pair_passes_with_its_latent_dimension(models, tmp_path):
    own = _check(tmp_path, models["encoder"], models["decoder"])
    assert own.z_dim == Z_DIM and not own.several_outputs


def test_wrong_image_size_states_both_sizes(models, tmp_path):
    with pytest.raises(ParameterError, match=r"encoder\.keras: the encoder takes 30x30 images but data\.image_size "
                                             r"is 32 .*set data\.image_size: 30"):
        _check(tmp_path, models["encoder"], models["decoder"], image_size=32)


def test_missing_file_is_named(models, tmp_path):
    with pytest.raises(ParameterError, match=r"nowhere\.keras: no such file \(model\.encoder_path\)"):
        _check(tmp_path, tmp_path / "nowhere.keras", models["decoder"])


def test_a_file_that_is_not_keras_is_refused(models, tmp_path):
    with pytest.raises(ParameterError, match=r"notes\.keras: not a Keras model file .*\(model\.decoder_path\)"):
        _check(tmp_path, models["encoder"], models["not_keras"])


def test_only_one_file_is_an_error(models, tmp_path):
    raw = tiny_raw()
    raw["model"] = {"encoder_path": str(models["encoder"])}
    with pytest.raises(ParameterError, match="model.encoder_path is given without model.decoder_path"):
        load_params(write_params(tmp_path, raw))


def test_z_dim_given_and_different_is_an_error(models, tmp_path):
    with pytest.raises(ParameterError, match=r"model\.z_dim is 64 but the encoder's latent dimension is 12"):
        _check(tmp_path, models["encoder"], models["decoder"], z_dim=64)


def test_several_outputs_take_the_first_and_say_so(models, tmp_path):
    from report.own_model import describe

    own = _check(tmp_path, models["vae"], models["decoder"])
    assert own.output_index == 0 and own.several_outputs
    assert "output 0 of 2 taken as the latent vector" in describe(own)
    with pytest.raises(ParameterError, match=r"model\.encoder_output is 2 but the encoder has 2 output\(s\): "
                                             r"0: \(None, 12\); 1: \(None, 12\)"):
        _check(tmp_path, models["vae"], models["decoder"], encoder_output=2)


def test_an_output_that_is_not_flat_is_refused(models, tmp_path):
    with pytest.raises(ParameterError, match=r"latent vector must be flat, \(None, N\), but the output has shape "
                                             r"\(None, 10, 10, 4\)"):
        _check(tmp_path, models["spatial"], models["decoder"])


def test_decoder_input_must_match_the_latent_dimension(models, tmp_path):
    import keras

    other = keras.Sequential([keras.Input((5,)), keras.layers.Dense(SIZE * SIZE * 3),
                              keras.layers.Reshape((SIZE, SIZE, 3))])
    other.save(tmp_path / "five.keras")
    with pytest.raises(ParameterError, match=r"five\.keras: the decoder takes inputs of shape \(None, 5\) but the "
                                             r"encoder gives latent vectors of shape \(None, 12\)"):
        _check(tmp_path, models["encoder"], tmp_path / "five.keras")


def test_tanh_decoder_needs_the_stated_range(models, tmp_path):
    with pytest.raises(ParameterError, match=r"tanh-decoder\.keras: the decoder ends in tanh, whose values lie in "
                                             r"\[-1, 1\], but model\.output_range is \[0, 1\]; set "
                                             r"model\.output_range: \[-1, 1\]"):
        _check(tmp_path, models["tanh_encoder"], models["tanh_decoder"])
    own = _check(tmp_path, models["tanh_encoder"], models["tanh_decoder"], output_range=[-1, 1])
    z = np.zeros((2, Z_DIM), dtype="float32")
    raw, wrapped = own.decoder.predict_on_batch(z), own.wrapped_decoder.predict_on_batch(z)
    np.testing.assert_allclose(wrapped, (raw + 1) / 2, atol=1e-6)


def test_decodes_outside_the_range_are_refused(models):
    from report.errors import DataError
    from report.own_model import check_decoded_range

    own = type("Own", (), {"output_range": (0.0, 1.0), "decoder_path": models["decoder"]})()
    check_decoded_range(own, (-0.05, 1.04), tolerance=0.1, n_images=8)
    with pytest.raises(DataError, match=r"decoder\.keras: the decodes of 8 images take values in \[-0\.97, 0\.99\], "
                                        r"outside model\.output_range \[0, 1\].*set model\.output_range: \[-1, 1\]"):
        check_decoded_range(own, (-0.97, 0.99), tolerance=0.1, n_images=8)


def test_custom_layers_are_named_and_then_found(models, tmp_path):
    with pytest.raises(ParameterError, match=r"custom-encoder\.keras: the model needs the custom object 'Doubling'.*"
                                             r"model\.custom_objects_module"):
        _check(tmp_path, models["custom_encoder"], models["decoder"])
    own = _check(tmp_path, models["custom_encoder"], models["decoder"], custom_objects_module=str(models["module"]))
    assert own.z_dim == Z_DIM


def test_relative_paths_are_taken_from_the_current_folder(models, tmp_path):
    from report.pipeline.run import model_files

    cwd = os.getcwd()
    os.chdir(models["encoder"].parent)
    try:
        own = _check(tmp_path, "encoder.keras", "decoder.keras")
        params = load_params(tmp_path / "params.yaml")
        assert model_files(params)["encoder_path"] == models["encoder"].resolve()
    finally:
        os.chdir(cwd)
    assert own.encoder_path == models["encoder"].resolve()


def test_validate_prints_one_line(models, tmp_path, capsys):
    from report.cli import main

    path = params_file(tmp_path, models["encoder"], models["decoder"], tmp_path)
    assert main(["validate", str(path)]) == 0
    assert "latent dimension 12" in capsys.readouterr().out
    raw = yaml.safe_load(path.read_text())
    raw["data"]["image_size"] = 64
    assert main(["validate", str(write_params(tmp_path, raw))]) == 2
    error = capsys.readouterr().err.strip()
    assert len(error.splitlines()) == 1 and "30x30" in error and "64" in error
    assert issubclass(ParameterError, ReportError)


def test_an_encoder_open_in_height_and_width_takes_the_image_size(tmp_path):
    import keras

    image = keras.Input(shape=(None, None, 3))
    pooled = keras.layers.GlobalAveragePooling2D()(keras.layers.Conv2D(6, 3, padding="same")(image))
    encoder = keras.Model(image, keras.layers.Dense(300)(pooled), name="open_encoder")
    z = keras.Input(shape=(300,))
    decoder = keras.Model(z, keras.layers.Reshape((22, 22, 3))(keras.layers.Dense(22 * 22 * 3, activation="sigmoid")(z)))
    encoder_path, decoder_path = save_pair(tmp_path / "open", encoder, decoder)
    own = _check(tmp_path, encoder_path, decoder_path, image_size=22)
    assert own.z_dim == 300 and own.encoder_input == "(None, None, None, 3)"
    assert own.wrapped_encoder.predict_on_batch(np.zeros((2, 22, 22, 3), "float32")).shape == (2, 300)


def test_later_steps_load_custom_layers_through_the_record_beside_the_models(models, tmp_path):
    from report import model
    from report.errors import DataError
    from report.own_model import load_autoencoder, write_loading

    params = load_params(params_file(tmp_path, models["custom_encoder"], models["decoder"], tmp_path,
                                     custom_objects_module=str(models["module"])))
    own = load_autoencoder(params.model, SIZE)
    model.save_models(own.wrapped_encoder, own.wrapped_decoder, tmp_path / "train")
    with pytest.raises(DataError, match="cannot load the encoder"):
        model.load_encoder(tmp_path / "train" / "encoder.keras")
    write_loading(tmp_path / "train", params.model)
    assert model.load_encoder(tmp_path / "train" / "encoder.keras").output.shape[-1] == Z_DIM

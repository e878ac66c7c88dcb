"""An autoencoder trained elsewhere: read the user's two Keras files, check them against the parameters,
and wrap them so that the rest of the pipeline sees the contract of the project's own models.

The contract (report/model.py): the encoder maps (n, s, s, 3) float images in [0, 1] to (n, N) latent
vectors, the decoder maps (n, N) back to (n, s, s, 3) in [0, 1]. A loaded encoder may take another pixel
range or return several outputs (a VAE's mean, log-variance and sample); the wrappers scale the pixels
into `model.output_range` and back, and pick `model.encoder_output`. Every check fails with one line that
names the file and the fact (a ParameterError), before any step runs.
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.util
import json
import os
import re
import sys
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from report.errors import DataError, ParameterError
from report.params import ModelParams


@contextlib.contextmanager
def native_stderr_silenced():
    """Send what native code writes to file descriptor 2 (TensorFlow's start-up and device notes) nowhere, so a
    check that fails prints its one line alone; Python's own errors are raised as usual."""
    sys.stderr.flush()
    saved = os.dup(2)
    try:
        with open(os.devnull, "wb") as devnull:
            os.dup2(devnull.fileno(), 2)
            yield
    finally:
        sys.stderr.flush()
        os.dup2(saved, 2)
        os.close(saved)


os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
with native_stderr_silenced():
    import keras

LOADING_FILE = "loading.json"  # beside the saved models: how to load them again (custom objects, safe mode)
# The pixel range an output activation bounds its values to; a decoder ending in one of these states its range.
ACTIVATION_RANGES = {"sigmoid": (0.0, 1.0), "tanh": (-1.0, 1.0), "hard_sigmoid": (0.0, 1.0)}
_CUSTOM_BASES = ("layers.Layer", "Model", "losses.Loss", "metrics.Metric", "initializers.Initializer",
                 "regularizers.Regularizer", "constraints.Constraint")


def resolve(path: str | Path) -> Path:
    """A path of the parameter file as the build reads it: relative paths from the current folder (as data.path)."""
    return Path(path).expanduser().resolve()


def _range_text(pair) -> str:
    return f"[{pair[0]:g}, {pair[1]:g}]"


def _shape_text(shape) -> str:
    return "(" + ", ".join("None" if d is None else str(int(d)) for d in shape) + ")"


def import_custom_objects(spec: str | None) -> dict:
    """The custom objects of `model.custom_objects_module`: a .py file or an importable module name.

    Its CUSTOM_OBJECTS dict when it has one; otherwise every Keras layer, model, loss, metric,
    initializer, regularizer or constraint class it defines. Importing it also registers the classes
    decorated with keras.saving.register_keras_serializable.
    """
    if not spec:
        return {}
    key = "model.custom_objects_module"
    looks_like_file = spec.endswith(".py") or "/" in spec or "\\" in spec
    try:
        if looks_like_file:
            path = resolve(spec)
            if not path.is_file():
                raise ParameterError(f"{path}: no such Python file ({key})")
            name = f"_latent_report_custom_{abs(hash(str(path)))}"
            module_spec = importlib.util.spec_from_file_location(name, path)
            module = importlib.util.module_from_spec(module_spec)
            sys.modules[name] = module
            module_spec.loader.exec_module(module)
        else:
            module = importlib.import_module(spec)
    except ParameterError:
        raise
    except Exception as err:  # the user's code may fail in any way; say where and how, in one line
        first = (str(err).strip().splitlines() or [""])[0]
        raise ParameterError(f"{spec}: cannot import the custom objects module ({key}): "
                             f"{type(err).__name__}{': ' + first if first else ''}") from None
    objects = getattr(module, "CUSTOM_OBJECTS", None)
    if objects is not None:
        if not isinstance(objects, dict):
            raise ParameterError(f"{spec}: CUSTOM_OBJECTS must be a dict of names to classes or functions ({key})")
        return dict(objects)
    bases = tuple(_keras_attr(name) for name in _CUSTOM_BASES)
    return {name: value for name, value in vars(module).items()
            if isinstance(value, type) and issubclass(value, bases) and value.__module__ == module.__name__}


def _keras_attr(dotted: str):
    value = keras
    for part in dotted.split("."):
        value = getattr(value, part)
    return value


def _load_error(path: Path, key: str, err: Exception, safe_mode: bool) -> ParameterError:
    text = " ".join(str(err).split())
    unknown = re.search(r"Could not locate (?:class|function) '([^']+)'", text) or re.search(
        r"Unknown (?:layer|object|class)[^'\"]*['\"]([^'\"]+)['\"]", text)
    if unknown:
        return ParameterError(f"{path}: the model needs the custom object '{unknown.group(1)}', which Keras does not "
                              f"know ({key}); name a Python file or module that defines it in "
                              "model.custom_objects_module")
    if "Lambda" in text and safe_mode:
        return ParameterError(f"{path}: the model has a Lambda layer, whose Python code Keras loads only with "
                              f"model.safe_mode: false ({key}); set it only for a file you trust")
    if "File not found" in text or "zip" in text.lower():
        return ParameterError(f"{path}: not a Keras model file; save the model with model.save('name.keras') ({key})")
    first = text[:300]
    return ParameterError(f"{path}: Keras cannot load this model ({key}): {type(err).__name__}: {first}")


def load_keras_file(path: str | Path, key: str, custom_objects: dict | None = None, safe_mode: bool = True):
    """The Keras model in a .keras (or legacy .h5) file; ParameterError naming the file and what is wrong."""
    path = resolve(path)
    if not path.exists():
        raise ParameterError(f"{path}: no such file ({key})")
    if path.is_dir():
        raise ParameterError(f"{path}: a folder, not a Keras model file ({key})")
    try:
        with path.open("rb") as handle:
            head = handle.read(8)
    except OSError as err:
        raise ParameterError(f"{path}: cannot read the file ({key}): {err.strerror or err}") from None
    is_zip, is_hdf5 = zipfile.is_zipfile(path), head.startswith(b"\x89HDF")
    if not (is_zip or is_hdf5):
        raise ParameterError(f"{path}: not a Keras model file (a .keras file is a zip archive written by "
                             f"model.save('name.keras')) ({key})")
    if is_zip:
        with zipfile.ZipFile(path) as archive:
            if "config.json" not in archive.namelist():
                raise ParameterError(f"{path}: a zip archive but not a Keras model file (no config.json inside) ({key})")
    suffix_path = path
    if is_zip and path.suffix != ".keras":  # Keras reads a zip only under the .keras suffix
        raise ParameterError(f"{path}: a Keras model file must be named *.keras ({key})")
    try:
        loaded = keras.models.load_model(suffix_path, custom_objects=custom_objects or None, compile=False,
                                         safe_mode=safe_mode)
    except Exception as err:  # Keras raises ValueError, TypeError, KeyError ... for files it cannot rebuild
        raise _load_error(path, key, err, safe_mode) from None
    if not isinstance(loaded, keras.Model):
        raise ParameterError(f"{path}: holds a {type(loaded).__name__}, not a Keras model ({key})")
    return loaded


def _single_input_shape(model, path: Path, key: str, what: str) -> tuple:
    try:
        inputs = model.inputs
    except (AttributeError, ValueError):
        inputs = None
    if not inputs:
        raise ParameterError(f"{path}: the {what} has no defined input shape; save a functional or Sequential model "
                             f"built on keras.Input ({key})")
    if len(inputs) != 1:
        raise ParameterError(f"{path}: the {what} has {len(inputs)} inputs; it must take one ({key})")
    return tuple(inputs[0].shape)


def _call(model, inputs, refusal: str):
    """`model(inputs)`, or a one-line ParameterError: `refusal` and the first 200 characters of Keras's reason."""
    try:
        return model(inputs)
    except Exception as err:
        first = " ".join(str(err).split())[:200]
        raise ParameterError(f"{refusal}: {first}") from None


def _outputs(result) -> list[tuple[str, object]]:
    """(label, tensor) of every output of a model call: one, a list or tuple, or a dict."""
    if isinstance(result, dict):
        return [(f"'{name}'", tensor) for name, tensor in result.items()]
    if isinstance(result, list | tuple):
        return [(str(i), tensor) for i, tensor in enumerate(result)]
    return [("0", result)]


def _final_activation(model) -> str | None:
    """The name of the activation of the layer that makes the model's output, where it has one."""
    layers = getattr(model, "layers", [])
    if not layers:
        return None
    activation = getattr(layers[-1], "activation", None)
    name = getattr(activation, "__name__", None)
    return name if isinstance(name, str) else None


@dataclass
class LoadedAutoencoder:
    """The user's two models, the wrappers that keep the project's contract, and what the checks found."""

    encoder: keras.Model  # as loaded
    decoder: keras.Model
    wrapped_encoder: keras.Model  # [0, 1] images -> the chosen latent output
    wrapped_decoder: keras.Model  # latent vectors -> [0, 1] images
    z_dim: int
    encoder_path: Path
    decoder_path: Path
    encoder_input: str  # e.g. "(None, 24, 24, 3)"
    encoder_outputs: list[str] = field(default_factory=list)  # "label: shape" of every encoder output
    output_index: int = 0
    output_range: tuple[float, float] = (0.0, 1.0)
    final_activation: str | None = None

    @property
    def several_outputs(self) -> bool:
        return len(self.encoder_outputs) > 1


def load_autoencoder(model: ModelParams, image_size: int, declared_z_dim: int | None = None) -> LoadedAutoencoder:
    """Load and check the encoder and decoder of `model.encoder_path` and `model.decoder_path`.

    Args:
        model: The model section (both paths given).
        image_size: data.image_size; the encoder must take (image_size, image_size, 3) images.
        declared_z_dim: model.z_dim where the parameter file states it; it must equal the encoder's.

    Raises:
        ParameterError: one line naming the file, the key and the fact that does not fit.
    """
    custom = import_custom_objects(model.custom_objects_module)
    encoder_path, decoder_path = resolve(model.encoder_path), resolve(model.decoder_path)
    encoder = load_keras_file(encoder_path, "model.encoder_path", custom, model.safe_mode)
    decoder = load_keras_file(decoder_path, "model.decoder_path", custom, model.safe_mode)
    low, high = model.output_range
    s = image_size

    shape = _single_input_shape(encoder, encoder_path, "model.encoder_path", "encoder")
    if len(shape) != 4:
        raise ParameterError(f"{encoder_path}: the encoder takes inputs of shape {_shape_text(shape)}, not images "
                             f"(None, {s}, {s}, 3) (model.encoder_path)")
    height, width, channels = shape[1:]
    if (height is not None and height != s) or (width is not None and width != s):
        hint = f"; set data.image_size: {height}" if height == width and height is not None else ""
        raise ParameterError(f"{encoder_path}: the encoder takes {height}x{width} images but data.image_size is "
                             f"{s} (model.encoder_path){hint}")
    if channels is not None and channels != 3:
        raise ParameterError(f"{encoder_path}: the encoder takes images with {channels} channels, not 3 (RGB) "
                             "(model.encoder_path)")

    image = keras.Input(shape=(s, s, 3), name="own_image")
    scaled = image if (low, high) == (0.0, 1.0) else keras.layers.Rescaling(
        high - low, offset=low, name="to_output_range")(image)
    result = _call(encoder, scaled, f"{encoder_path}: the encoder cannot take {s}x{s} RGB images (model.encoder_path)")
    outputs = _outputs(result)
    listed = [f"{label}: {_shape_text(tensor.shape)}" for label, tensor in outputs]
    index = 0 if model.encoder_output is None else model.encoder_output
    if index >= len(outputs):
        raise ParameterError(f"{encoder_path}: model.encoder_output is {index} but the encoder has "
                             f"{len(outputs)} output(s): {'; '.join(listed)}")
    latent = outputs[index][1]
    latent_shape = tuple(latent.shape)
    if len(latent_shape) != 2 or latent_shape[1] is None:
        which = f"output {outputs[index][0]} of {len(outputs)} (model.encoder_output chooses)" if len(outputs) > 1 \
            else "the output"
        raise ParameterError(f"{encoder_path}: the encoder's latent vector must be flat, (None, N), but {which} has "
                             f"shape {_shape_text(latent_shape)} (model.encoder_path)")
    z_dim = int(latent_shape[1])
    if declared_z_dim is not None and declared_z_dim != z_dim:
        raise ParameterError(f"{encoder_path}: model.z_dim is {declared_z_dim} but the encoder's latent dimension "
                             f"is {z_dim}; leave model.z_dim out, it comes from the model")
    wrapped_encoder = keras.Model(image, latent, name="own_encoder")

    shape = _single_input_shape(decoder, decoder_path, "model.decoder_path", "decoder")
    if len(shape) != 2 or (shape[1] is not None and shape[1] != z_dim):
        raise ParameterError(f"{decoder_path}: the decoder takes inputs of shape {_shape_text(shape)} but the "
                             f"encoder gives latent vectors of shape (None, {z_dim}) (model.decoder_path)")
    z = keras.Input(shape=(z_dim,), name="own_z")
    decoded = _call(decoder, z, f"{decoder_path}: the decoder cannot take latent vectors of {z_dim} components "
                                "(model.decoder_path)")
    decoded_outputs = _outputs(decoded)
    if len(decoded_outputs) != 1:
        raise ParameterError(f"{decoder_path}: the decoder has {len(decoded_outputs)} outputs; it must make one "
                             "batch of images (model.decoder_path)")
    pixels = decoded_outputs[0][1]
    if tuple(pixels.shape[1:]) != (s, s, 3):
        raise ParameterError(f"{decoder_path}: the decoder makes outputs of shape {_shape_text(pixels.shape)}, not "
                             f"the images' (None, {s}, {s}, 3) (model.decoder_path)")
    activation = _final_activation(decoder)
    bounded = ACTIVATION_RANGES.get(activation or "")
    if bounded is not None and bounded != (low, high):
        raise ParameterError(f"{decoder_path}: the decoder ends in {activation}, whose values lie in "
                             f"{_range_text(bounded)}, but model.output_range is {_range_text((low, high))}; "
                             f"set model.output_range: {_range_text(bounded)}")
    if (low, high) != (0.0, 1.0):
        pixels = keras.layers.Rescaling(1 / (high - low), offset=-low / (high - low), name="to_unit_range")(pixels)
    wrapped_decoder = keras.Model(z, pixels, name="own_decoder")
    return LoadedAutoencoder(
        encoder=encoder, decoder=decoder, wrapped_encoder=wrapped_encoder, wrapped_decoder=wrapped_decoder,
        z_dim=z_dim, encoder_path=encoder_path, decoder_path=decoder_path,
        encoder_input=_shape_text(encoder.inputs[0].shape), encoder_outputs=listed, output_index=index,
        output_range=(low, high), final_activation=activation)


def check_parameters(params) -> LoadedAutoencoder | None:
    """The checks of a parameter file that names a model trained elsewhere (None when it names none)."""
    if not params.model.loaded:
        return None
    declared = params.model.z_dim if "z_dim" in params.model.model_fields_set else None
    with native_stderr_silenced():
        return load_autoencoder(params.model, params.data.image_size, declared)


def describe(own: LoadedAutoencoder | None) -> str:
    """One line about a loaded autoencoder: its files, input, latent dimension and the output taken."""
    if own is None:
        return ""
    chosen = f", output {own.output_index} of {len(own.encoder_outputs)} taken as the latent vector" \
        if own.several_outputs else ""
    return (f"encoder {own.encoder_path.name} takes {own.encoder_input}, latent dimension {own.z_dim}{chosen}; "
            f"decoder {own.decoder_path.name}")


def decoded_range(own: LoadedAutoencoder, images: np.ndarray, batch_size: int) -> tuple[float, float]:
    """(min, max) of the loaded decoder's raw output (before scaling) over the reconstructions of `images` (uint8)."""
    low, high = np.inf, -np.inf
    for start in range(0, len(images), batch_size):
        batch = np.asarray(images[start:start + batch_size], dtype=np.float32) / np.float32(255)
        out = np.asarray(own.decoder.predict_on_batch(own.wrapped_encoder.predict_on_batch(batch)))
        low, high = min(low, float(out.min())), max(high, float(out.max()))
    return low, high


def check_decoded_range(own: LoadedAutoencoder, observed: tuple[float, float], tolerance: float, n_images: int) -> None:
    """DataError when the decodes leave model.output_range by more than `tolerance` of its width."""
    low, high = own.output_range
    margin = tolerance * (high - low)
    if observed[0] < low - margin or observed[1] > high + margin:
        guess = next((r for r in ((0.0, 1.0), (-1.0, 1.0), (0.0, 255.0))
                      if observed[0] >= r[0] - tolerance * (r[1] - r[0]) and observed[1] <= r[1] + tolerance * (r[1] - r[0])),
                     None)
        hint = f"; set model.output_range: {_range_text(guess)}" if guess and guess != (low, high) else ""
        raise DataError(f"{own.decoder_path}: the decodes of {n_images} images take values in "
                        f"[{observed[0]:.3g}, {observed[1]:.3g}], outside model.output_range {_range_text((low, high))} "
                        f"(model.decoder_path){hint}")


def write_loading(folder: Path, model: ModelParams) -> None:
    """Record beside the saved models what loading them needs (custom objects, safe mode), for every later step."""
    module = model.custom_objects_module
    if module and (module.endswith(".py") or "/" in module or "\\" in module):
        module = str(resolve(module))
    (Path(folder) / LOADING_FILE).write_text(json.dumps({"custom_objects_module": module,
                                                         "safe_mode": model.safe_mode}, indent=1))


def loading_options(model_file: Path) -> dict:
    """keras.models.load_model keywords for a model saved by a loaded-model run (from LOADING_FILE beside it)."""
    record = Path(model_file).parent / LOADING_FILE
    if not record.is_file():
        return {}
    options = json.loads(record.read_text(encoding="utf-8"))
    return {"custom_objects": import_custom_objects(options.get("custom_objects_module")) or None,
            "safe_mode": bool(options.get("safe_mode", True))}

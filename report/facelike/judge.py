"""A structure judge: a small CNN that tells real images from structure-destroyed copies of them.

The k-NN manifold of a feature space asks whether an image's features lie among the real ones;
at 32 x 32 a soft colour mush made of face parts (what decodes of uniform latent vectors look
like) passes it as easily as a face. The judge asks a narrower question: are the parts where a
face keeps them? It is trained on the real training images only, never on anything an
autoencoder made:

- real (label 1): training images, each randomly blurred (Gaussian, sigma up to the calibration
  blur) and colour-jittered, so softness and colour are no cue;
- structure destroyed (label 0), made from real images and put through the same blur and jitter:
  `patch_shuffle` (the image cut into g x g patches, permuted), `phase_scramble` (same amplitude
  spectrum, random phase), `shifted_blends` (a weighted mean of several real images, each shifted,
  turned and flipped: colours and part shapes of faces, in no face's arrangement) and
  `smooth_fields` (low-frequency colour fields).

`train_judge` fits the network (seeded); `judge_probability` gives each image's probability of
being real. The scorer (report.facelike.scorer) counts an image as a face when it lies inside the
real k-NN manifold AND its judge probability reaches a stated threshold.

Images are uint8 (n, s, s, 3) throughout; the destroying functions are pure NumPy, seeded by the
Generator passed in.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field

import keras
import numpy as np
import scipy.ndimage

from report.facelike.features import _check_images, _layer_seeds, _rescale, extract_features

log = logging.getLogger(__name__)

JUDGE_FILTERS = (16, 32, 64)  # stride-2 convolution widths of the judge
JUDGE_DENSE = 32  # width of its hidden dense layer
SHUFFLE_GRIDS = (2, 4, 8)  # patch-shuffle grids (g x g patches)
BLEND_IMAGES = (2, 4)  # a blend mixes between these many real images (inclusive)
FIELD_GRID = 4  # smooth fields: random colours on a FIELD_GRID x FIELD_GRID grid, smoothly interpolated
KINDS = ("shuffle", "phase", "blend", "field")  # the ways of destroying structure, in equal shares
JITTER = 0.1  # colour jitter: per-channel gain in [1 - JITTER, 1 + JITTER], offset within +-JITTER x 255


def _to_uint8(values: np.ndarray) -> np.ndarray:
    return np.clip(np.rint(values), 0, 255).astype(np.uint8)


def patch_shuffle(images: np.ndarray, grid: int, rng: np.random.Generator) -> np.ndarray:
    """Cut each image into grid x grid equal patches and put them back in a random order.

    Every image gets its own permutation; the output is a permutation of the input's patches
    (pixel values unchanged). The image size must be a multiple of `grid`.
    """
    images = _check_images(images)
    n, s = len(images), images.shape[1]
    if grid < 1 or s % grid:
        raise ValueError(f"patch_shuffle: image size {s} is not a multiple of grid {grid}")
    p = s // grid
    # (n, grid, p, grid, p, 3) -> (n, grid*grid, p, p, 3)
    patches = images.reshape(n, grid, p, grid, p, 3).transpose(0, 1, 3, 2, 4, 5).reshape(n, grid * grid, p, p, 3)
    order = np.argsort(rng.random((n, grid * grid)), axis=1)
    shuffled = np.take_along_axis(patches, order[:, :, None, None, None], axis=1)
    return shuffled.reshape(n, grid, grid, p, p, 3).transpose(0, 1, 3, 2, 4, 5).reshape(images.shape)


def random_phase(size: int, rng: np.random.Generator) -> np.ndarray:
    """A random phase field (size, size) of a real image: the phase of white noise's 2-D FFT.

    It is odd under (u, v) -> (-u, -v), so adding it to a real image's phase keeps the image real;
    at the self-conjugate frequencies (the mean and the Nyquist rows/columns' corners) it is 0, so
    the mean colour is kept.
    """
    phase = np.angle(np.fft.fft2(rng.standard_normal((size, size))))
    half = [0] if size % 2 else [0, size // 2]
    for u in half:
        for v in half:
            phase[u, v] = 0.0
    return phase


def phase_scramble_float(images: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Randomise the Fourier phase of each image, keeping its amplitude spectrum exactly (float64).

    One random phase field per image, shared by its three channels (colours stay correlated as in
    the image). Returns float64 (n, s, s, 3), unclipped: per channel |FFT| equals the input's.
    """
    x = np.asarray(images, dtype=np.float64)
    if x.ndim != 4 or x.shape[1] != x.shape[2]:
        raise ValueError(f"phase_scramble: expected images (n, s, s, c), got shape {x.shape}")
    spectrum = np.fft.fft2(x, axes=(1, 2))
    phases = np.stack([random_phase(x.shape[1], rng) for _ in range(len(x))])[..., None]
    return np.real(np.fft.ifft2(spectrum * np.exp(1j * phases), axes=(1, 2)))


def phase_scramble(images: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """`phase_scramble_float` rounded and clipped to uint8 images."""
    return _to_uint8(phase_scramble_float(_check_images(images), rng))


def shifted_blends(images: np.ndarray, n_out: int, rng: np.random.Generator,
                   n_blend: tuple[int, int] = BLEND_IMAGES) -> np.ndarray:
    """Weighted means of several real images, each shifted, turned and flipped at random.

    Each output mixes m in [n_blend[0], n_blend[1]] images drawn from `images`; each is flipped
    left-right with probability 1/2, turned by a random multiple of 90 degrees and rolled
    cyclically by up to a quarter of the size in each direction; weights are Dirichlet(1, ..., 1).
    """
    images = _check_images(images)
    s = images.shape[1]
    out = np.empty((n_out, s, s, 3), dtype=np.float64)
    for i in range(n_out):
        m = int(rng.integers(n_blend[0], n_blend[1] + 1))
        weights = rng.dirichlet(np.ones(m))
        mix = np.zeros((s, s, 3))
        for w, row in zip(weights, rng.integers(0, len(images), size=m), strict=True):
            part = images[row]
            if rng.random() < 0.5:
                part = part[:, ::-1]
            part = np.rot90(part, k=int(rng.integers(0, 4)))
            shift = rng.integers(-(s // 4), s // 4 + 1, size=2)
            mix += w * np.roll(part, tuple(int(v) for v in shift), axis=(0, 1))
        out[i] = mix
    return _to_uint8(out)


def smooth_fields(images: np.ndarray, n_out: int, rng: np.random.Generator, grid: int = FIELD_GRID) -> np.ndarray:
    """Low-frequency colour fields with the real images' colour statistics.

    Random colours on a grid x grid lattice (per channel the real images' pixel mean and std),
    interpolated cubically to the image size.
    """
    images = _check_images(images)
    s = images.shape[1]
    pixels = images.reshape(-1, 3).astype(np.float64)
    mean, std = pixels.mean(axis=0), pixels.std(axis=0)
    coarse = mean + std * rng.standard_normal((n_out, grid, grid, 3))
    fields = scipy.ndimage.zoom(coarse, (1, s / grid, s / grid, 1), order=3, mode="nearest", grid_mode=True)
    return _to_uint8(fields)


def destroyed_images(images: np.ndarray, n_out: int, rng: np.random.Generator, *,
                     grids: Sequence[int] = SHUFFLE_GRIDS) -> tuple[np.ndarray, np.ndarray]:
    """n_out structure-destroyed images made from `images`, KINDS in equal shares (shuffled order).

    Returns (uint8 images (n_out, s, s, 3), kind index (n_out,) into KINDS).
    """
    images = _check_images(images)
    s = images.shape[1]
    grids = [g for g in grids if s % g == 0 and g > 1] or [2]
    kinds = rng.permutation(np.arange(n_out) % len(KINDS))
    out = np.empty((n_out, s, s, 3), dtype=np.uint8)
    for k, kind in enumerate(KINDS):
        chosen = np.flatnonzero(kinds == k)
        if not len(chosen):
            continue
        if kind == "shuffle":
            sources = images[rng.integers(0, len(images), size=len(chosen))]
            grid_of = rng.choice(grids, size=len(chosen))
            for g in set(grid_of.tolist()):
                out[chosen[grid_of == g]] = patch_shuffle(sources[grid_of == g], int(g), rng)
        elif kind == "phase":
            out[chosen] = phase_scramble(images[rng.integers(0, len(images), size=len(chosen))], rng)
        elif kind == "blend":
            out[chosen] = shifted_blends(images, len(chosen), rng)
        else:
            out[chosen] = smooth_fields(images, len(chosen), rng)
    return out, kinds


def soften(images: np.ndarray, max_sigma: float, rng: np.random.Generator) -> np.ndarray:
    """Random Gaussian blur (sigma uniform in [0, max_sigma] per image) and colour jitter (JITTER)."""
    x = np.asarray(images, dtype=np.float64)
    sigmas = rng.uniform(0, max_sigma, size=len(x))
    for i, sigma in enumerate(sigmas):
        if sigma > 0.05:
            x[i] = scipy.ndimage.gaussian_filter(x[i], sigma=(sigma, sigma, 0))
    gain = rng.uniform(1 - JITTER, 1 + JITTER, size=(len(x), 1, 1, 3))
    offset = rng.uniform(-JITTER, JITTER, size=(len(x), 1, 1, 1)) * 255
    return _to_uint8(x * gain + offset)


def judge_training_set(images: np.ndarray, seed: int, *, max_sigma: float,
                       grids: Sequence[int] = SHUFFLE_GRIDS) -> tuple[np.ndarray, np.ndarray]:
    """Real images (label 1) and as many structure-destroyed ones (label 0), all softened alike.

    Returns (uint8 images (2n, s, s, 3) in a shuffled order, float32 labels (2n,)).
    """
    images = _check_images(images)
    rng = np.random.default_rng(seed)
    fakes, _ = destroyed_images(images, len(images), rng, grids=grids)
    both = soften(np.concatenate([images, fakes]), max_sigma, rng)
    labels = np.concatenate([np.ones(len(images)), np.zeros(len(fakes))]).astype(np.float32)
    order = rng.permutation(len(both))
    return both[order], labels[order]


@dataclass
class StructureJudge:
    """The trained judge: `model` maps uint8-valued images to P(real structure) (n, 1)."""

    model: keras.Model
    history: dict[str, list[float]] = field(default_factory=dict)

    def probability(self, images: np.ndarray) -> np.ndarray:
        """float (n,): each image's probability of being a real image rather than a destroyed one."""
        return judge_probability(self.model, images)


def judge_network(image_size: int, seed: int, *, filters: Sequence[int] = JUDGE_FILTERS,
                  dense: int = JUDGE_DENSE) -> keras.Model:
    """Stride-2 3x3 ReLU convolutions, flatten (where things are matters), a ReLU dense layer, a sigmoid."""
    seeds = _layer_seeds(seed, len(filters) + 2)
    images = keras.Input(shape=(image_size, image_size, 3), name="image")
    x = _rescale()(images)
    for i, width in enumerate(filters, start=1):
        x = keras.layers.Conv2D(width, 3, strides=2, padding="same", activation="relu",
                                kernel_initializer=keras.initializers.HeNormal(seed=seeds[i - 1]),
                                name=f"judge_conv_{i}")(x)
    x = keras.layers.Flatten(name="flatten")(x)
    x = keras.layers.Dense(dense, activation="relu", kernel_initializer=keras.initializers.HeNormal(seed=seeds[-2]),
                           name="judge_dense")(x)
    out = keras.layers.Dense(1, activation="sigmoid", kernel_initializer=keras.initializers.GlorotUniform(
        seed=seeds[-1]), name="judge")(x)
    return keras.Model(images, out, name="structure_judge")


def train_judge(images: np.ndarray, seed: int, epochs: int, *, max_sigma: float,
                filters: Sequence[int] = JUDGE_FILTERS, dense: int = JUDGE_DENSE, batch_size: int = 128,
                learning_rate: float = 1e-3, grids: Sequence[int] = SHUFFLE_GRIDS) -> StructureJudge:
    """Train the structure judge on real training images (see the module). Seeded throughout.

    Args:
        images: uint8 (n, s, s, 3), real training images only.
        seed: Fixes the destroyed images, the softening, the initial weights and the batch order.
        epochs: Passes over the 2n images.
        max_sigma: Largest Gaussian blur (pixels) applied to real and destroyed images alike.
    """
    images = _check_images(images)
    x, y = judge_training_set(images, seed, max_sigma=max_sigma, grids=grids)
    model = judge_network(images.shape[1], seed, filters=filters, dense=dense)
    keras.utils.set_random_seed(seed)
    model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss="binary_crossentropy", metrics=["accuracy"])
    fitted = model.fit(x.astype(np.float32), y, epochs=epochs, batch_size=batch_size, shuffle=True, verbose=0)
    history = {name: [float(v) for v in values] for name, values in fitted.history.items()}
    log.info("trained the structure judge for %d epochs: %s", epochs, {k: v[-1] for k, v in history.items()})
    return StructureJudge(model, history)


def judge_probability(model: keras.Model, images: np.ndarray) -> np.ndarray:
    """float64 (n,): the judge's probability that each uint8 image (n, s, s, 3) has real structure."""
    return extract_features(model, images)[:, 0].astype(np.float64)

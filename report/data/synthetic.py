"""Procedural cartoon faces: the default data source of the report, a stand-in for CelebA.

Every image is drawn from about seventy independent generating factors (head shape, pose, skin,
lighting, hair, eyes, brows, nose, mouth, ears, clothes, glasses, background and image
processing), so that the autoencoder's latent space is not ruled by a handful of them. The
factors of every image are returned with it, as CelebA's attribute table is.

Shapes are signed-distance functions on the pixel grid with a one-pixel smooth edge, composited
back to front in colour planes in [0, 1]. Everything is vectorised over the images of a chunk;
the factors of all images are drawn first, so the result depends only on the generator's state
and not on the chunk size. Pure numpy, no I/O and no global state.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

# Generating factors: (name, low, high, kind).
#   uniform: float drawn uniformly in [low, high)
#   flag:    int, 1 with probability `high` and 0 otherwise (low unused)
# Horizontal face-part sizes are in units of the face half-width, vertical ones in units of the
# face half-height; pose values are in image units, where the image spans [-1, 1].
FACTOR_TABLE: tuple[tuple[str, float, float, str], ...] = (
    # pose and head shape
    ("face_x", -0.12, 0.12, "uniform"),
    ("face_y", -0.02, 0.12, "uniform"),
    ("face_scale", 0.82, 1.08, "uniform"),
    ("face_tilt", -0.3, 0.3, "uniform"),  # radians
    ("face_yaw", -1.0, 1.0, "uniform"),  # features shift sideways
    ("face_width", 0.40, 0.54, "uniform"),  # half-width
    ("face_height", 0.54, 0.68, "uniform"),  # half-height
    ("jaw_taper", 0.0, 0.4, "uniform"),  # narrowing of the lower face
    ("chin_length", 0.88, 1.12, "uniform"),  # lower half-height / upper half-height
    ("neck_width", 0.38, 0.6, "uniform"),
    # skin and lighting
    ("skin_tone", 0.0, 1.0, "uniform"),  # dark to light
    ("skin_warmth", -1.0, 1.0, "uniform"),  # olive to rosy
    ("skin_texture", 0.0, 0.08, "uniform"),
    ("cheek_blush", 0.0, 1.0, "uniform"),
    ("light_angle", -np.pi, np.pi, "uniform"),  # direction of the light in the image plane
    ("light_strength", 0.1, 0.65, "uniform"),
    # hair
    ("hair_lightness", 0.0, 1.0, "uniform"),  # black, brown, blond
    ("hair_redness", 0.0, 1.0, "uniform"),
    ("hair_grey", 0.0, 1.0, "uniform"),  # mixed in as its fourth power
    ("hair_volume", 0.03, 0.3, "uniform"),  # extra width beyond the face
    ("hair_top", 0.06, 0.32, "uniform"),  # extra height above the head
    ("hair_length", -0.35, 1.25, "uniform"),  # lowest point of the hair
    ("hair_side", 0.0, 0.3, "uniform"),  # strands in front of the sides of the face
    ("hair_texture", 0.0, 0.25, "uniform"),
    ("fringe_depth", 0.12, 0.62, "uniform"),  # how far the hairline comes down the forehead
    ("fringe_sweep", -0.6, 0.6, "uniform"),  # slope of the hairline (side parting)
    ("fringe_curve", -0.6, 1.4, "uniform"),
    # ears
    ("ear_size", 0.7, 1.3, "uniform"),
    ("ear_height", -0.12, 0.15, "uniform"),
    # eyes
    ("eye_height", -0.16, 0.04, "uniform"),
    ("eye_spacing", 0.34, 0.5, "uniform"),
    ("eye_size", 0.16, 0.25, "uniform"),  # half-width of the eye white
    ("eye_openness", 0.38, 0.8, "uniform"),  # height / width of the eye white
    ("iris_colour", 0.0, 1.0, "uniform"),  # brown, hazel, green, blue, grey
    ("iris_size", 0.42, 0.6, "uniform"),  # radius / eye width
    ("gaze_x", -1.0, 1.0, "uniform"),
    ("gaze_y", -1.0, 1.0, "uniform"),
    # brows
    ("brow_thickness", 0.045, 0.11, "uniform"),  # full thickness
    ("brow_slant", -0.4, 0.4, "uniform"),  # radians, outer ends up (a frown) for positive values
    ("brow_height", 0.2, 0.36, "uniform"),  # above the eye centre
    ("brow_arch", 0.0, 1.6, "uniform"),
    ("brow_darkness", 0.0, 1.0, "uniform"),
    # nose
    ("nose_length", 0.16, 0.34, "uniform"),  # eye line to the tip
    ("nose_width", 0.08, 0.17, "uniform"),
    # mouth
    ("mouth_height", 0.46, 0.64, "uniform"),
    ("mouth_width", 0.24, 0.48, "uniform"),  # half-width
    ("mouth_curve", -0.7, 1.0, "uniform"),  # frown to smile
    ("mouth_open", 0.0, 1.0, "uniform"),
    ("lip_thickness", 0.035, 0.085, "uniform"),
    ("lip_colour", 0.0, 1.0, "uniform"),  # pale, red, dark
    # clothes and extras
    ("shoulder_width", 0.7, 1.1, "uniform"),
    ("shirt_hue", 0.0, 1.0, "uniform"),
    ("shirt_saturation", 0.0, 0.8, "uniform"),
    ("shirt_value", 0.1, 0.9, "uniform"),
    ("stubble", 0.0, 1.0, "uniform"),  # visible above STUBBLE_ONSET
    ("glasses", 0.0, 0.2, "flag"),
    ("glasses_tint", 0.0, 0.85, "uniform"),
    # background
    ("background_hue", 0.0, 1.0, "uniform"),
    ("background_saturation", 0.05, 0.65, "uniform"),
    ("background_value", 0.25, 0.95, "uniform"),
    ("background_hue_shift", -0.25, 0.25, "uniform"),  # hue change across the gradient
    ("background_value_shift", -0.4, 0.4, "uniform"),  # brightness change across the gradient
    ("background_angle", -np.pi, np.pi, "uniform"),  # direction of the gradient
    ("background_texture", 0.0, 0.25, "uniform"),  # low-frequency noise
    # image processing
    ("exposure", -0.08, 0.08, "uniform"),
    ("contrast", 0.85, 1.15, "uniform"),
    ("colour_temperature", -0.06, 0.06, "uniform"),
    ("image_noise", 0.0, 0.025, "uniform"),
)
FACTOR_NAMES: tuple[str, ...] = tuple(row[0] for row in FACTOR_TABLE)

# Colour palettes, RGB in [0, 1]; a factor in [0, 1] interpolates along the anchors.
SKIN_PALETTE = np.array([[0.34, 0.21, 0.13], [0.62, 0.42, 0.29], [0.85, 0.67, 0.53], [0.98, 0.86, 0.77]])
SKIN_WARMTH_RGB = np.array([0.05, -0.01, -0.04])  # added per unit of skin_warmth
HAIR_PALETTE = np.array(
    [[0.05, 0.04, 0.04], [0.20, 0.12, 0.07], [0.40, 0.25, 0.13], [0.62, 0.46, 0.26], [0.93, 0.82, 0.55]]
)
HAIR_RED_RGB = np.array([0.62, 0.22, 0.08])  # mixed in by hair_redness (squared)
HAIR_RED_MIX = 0.55  # share of the red at hair_redness 1
HAIR_RED_BASE = 0.4  # brightness of the red at hair_lightness 0 (1.4 at hair_lightness 1)
HAIR_GREY_RGB = np.array([0.78, 0.78, 0.76])
BROW_DARKENING = 0.8  # brows are the hair colour darkened by up to this share
IRIS_PALETTE = np.array(
    [[0.30, 0.17, 0.08], [0.48, 0.38, 0.16], [0.27, 0.50, 0.28], [0.25, 0.47, 0.78], [0.52, 0.56, 0.60]]
)
LIP_PALETTE = np.array([[0.85, 0.52, 0.50], [0.78, 0.18, 0.22], [0.42, 0.12, 0.16]])
LIP_SKIN_MIX = 0.3  # share of the skin colour in the lip colour
EYE_WHITE_RGB = np.array([0.96, 0.95, 0.92])
PUPIL_RGB = np.array([0.03, 0.02, 0.02])
LID_RGB = np.array([0.12, 0.07, 0.06])
MOUTH_INSIDE_RGB = np.array([0.28, 0.05, 0.06])
BLUSH_RGB = np.array([0.92, 0.35, 0.38])
GLASSES_FRAME_RGB = np.array([0.08, 0.08, 0.10])

# Shape and shading constants, in local face units (the face half-width is about 0.5) unless
# a comment gives another unit.
LIGHT_ELEVATION_COS = 0.65  # cosine of the angle between the light and the viewing direction
HAIR_LIGHT_GAIN = 0.35  # brightening of hair and shirt towards the light
EAR_SHADE = 0.88
NECK_SHADE = 0.72
EAR_HALF_WIDTH = 0.075
EAR_ASPECT = 1.7
EAR_INSET = 0.96  # ear centre, in face half-widths
SHOULDER_HALF_HEIGHT = 0.5
SHOULDER_DROP = 0.14  # top of the shoulders below the chin
NECKLINE_DEPTH = 0.14  # bottom of the visible neck below the top of the shoulders
NECKLINE_CURVE = 1.2
FRINGE_MARGIN = 0.03  # hair in front of the face reaches this far past its outline
SIDE_STRAND_MIN_END = -0.3  # side strands reach at least this far down, in face half-heights
YAW_SHIFT = 0.12  # sideways shift of the features per unit of face_yaw, in face half-widths
BLUSH_ONSET = 0.5  # cheek_blush below this shows no blush
BLUSH_ALPHA = 0.35
BLUSH_RADIUS = 0.12
BLUSH_OUTSET = 1.1  # cheek centre, in eye spacings
BLUSH_DROP = 0.45  # cheek centre between the eye line (0) and the mouth (1)
STUBBLE_ONSET = 0.75  # stubble below this shows no stubble
STUBBLE_ALPHA = 0.55
STUBBLE_TOP = 0.6  # upper edge between the eye line (0) and the mouth (1)
STUBBLE_SOFTNESS = 0.2  # width of its upper edge, in face half-heights
BROW_LENGTH = 0.95  # brow half-length, in eye half-widths
LID_THICKNESS = 0.022
GAZE_RANGE = 0.35  # iris travel, in eye half-widths (eye half-heights vertically)
PUPIL_RATIO = 0.45  # pupil radius / iris radius
CATCHLIGHT_RATIO = 0.3  # catchlight radius / iris radius
CATCHLIGHT_OFFSET = 0.35  # catchlight up and left of the iris centre, in iris radii
NOSE_SHADE = 0.7
NOSE_SHADOW_ALPHA = 0.45  # at light_strength 1
NOSE_SHADOW_OFFSET = 0.8  # shadow centre away from the light, in nose widths
NOSE_SHADOW_WIDTH = 0.6  # in nose widths
NOSE_BASE_ALPHA = 0.27
NOSE_BASE_HEIGHT = 0.45  # in nose widths
NOSE_SOFTNESS = 0.5  # edge width of the nose shading, in nose widths
NOSTRIL_ALPHA = 0.55
NOSTRIL_SHADE = 0.42
NOSTRIL_SPREAD = 0.45  # nostril centres, in nose widths
NOSTRIL_SIZE = (0.3, 0.2)  # half-width and half-height, in nose widths
SMILE_DEPTH = 0.55  # rise of the mouth corners per unit of mouth_curve, in mouth half-widths
MOUTH_INSIDE_MIN = 0.012  # half-height of the closed mouth's line
MOUTH_INSIDE_WIDTH = 0.92  # in mouth widths
GLASSES_SCALE = 1.55  # lens half-width / eye half-width
GLASSES_ASPECT = 0.8
GLASSES_FRAME = 0.018  # half-thickness of the frame
BRIDGE_REACH = 0.9  # bridge starts this far into the lens, in lens half-widths
BRIDGE_RAISE = 0.3  # bridge above the eye line, in lens half-widths
BACKGROUND_NOISE_CELLS = 3  # lattice cells across the image of the background noise
TEXTURE_NOISE_CELLS = 7  # and of the skin and hair texture

DEFAULT_CHUNK_SIZE = 1024
RENDER_BATCH_PIXELS = 16384  # images are drawn in batches of about this many pixels (cache-sized)
_HASH_PRIMES = (0x9E3779B1, 0x85EBCA77, 0xC2B2AE3D, 0x27D4EB2F)
_SALT_BACKGROUND, _SALT_TEXTURE, _SALT_GRAIN = 1, 2, 3


def generate_faces(
    n_images: int, image_size: int, rng: np.random.Generator
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Return uint8 images (n_images, image_size, image_size, 3) and the factor table {name: (n_images,)}."""
    images = np.empty((n_images, image_size, image_size, 3), dtype=np.uint8)
    all_factors: dict[str, list[np.ndarray]] = {name: [] for name in FACTOR_NAMES}
    start = 0
    for chunk_images, chunk_factors in iter_faces(n_images, image_size, rng, DEFAULT_CHUNK_SIZE):
        images[start : start + len(chunk_images)] = chunk_images
        start += len(chunk_images)
        for name, values in chunk_factors.items():
            all_factors[name].append(values)
    factors = {name: np.concatenate(parts) if parts else np.empty(0) for name, parts in all_factors.items()}
    return images, factors


def iter_faces(
    n_images: int, image_size: int, rng: np.random.Generator, chunk_size: int
) -> Iterator[tuple[np.ndarray, dict[str, np.ndarray]]]:
    """Yield (uint8 images, factors) in chunks of at most chunk_size; all factors are drawn first."""
    if n_images < 0 or image_size < 1 or chunk_size < 1:
        raise ValueError(
            f"need n_images >= 0, image_size >= 1 and chunk_size >= 1, got {n_images}, {image_size}, {chunk_size}"
        )
    return _iter_chunks(n_images, image_size, rng, chunk_size)


def _iter_chunks(
    n_images: int, image_size: int, rng: np.random.Generator, chunk_size: int
) -> Iterator[tuple[np.ndarray, dict[str, np.ndarray]]]:
    """The generator behind iter_faces (which checks its arguments at the call)."""
    factors = draw_factors(n_images, rng)
    seeds = rng.integers(0, 2**32, size=n_images, dtype=np.uint32)
    batch = max(1, RENDER_BATCH_PIXELS // (image_size * image_size))
    for start in range(0, n_images, chunk_size):
        stop = min(start + chunk_size, n_images)
        chunk = {name: values[start:stop].copy() for name, values in factors.items()}
        images = np.empty((stop - start, image_size, image_size, 3), dtype=np.uint8)
        for first in range(0, stop - start, batch):
            last = min(first + batch, stop - start)
            part = {name: values[first:last] for name, values in chunk.items()}
            images[first:last] = render_faces(part, seeds[start + first : start + last], image_size)
        yield images, chunk


def draw_factors(n_images: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Draw every factor of FACTOR_TABLE for n_images images, in table order."""
    factors: dict[str, np.ndarray] = {}
    for name, low, high, kind in FACTOR_TABLE:
        if kind == "uniform":
            factors[name] = rng.uniform(low, high, size=n_images)
        elif kind == "flag":
            factors[name] = (rng.random(n_images) < high).astype(np.int64)
        else:
            raise ValueError(f"unknown factor kind {kind!r} for {name}")
    return factors


# ----------------------------------------------------------------------------------------------
# rendering: each layer is a small function, so its temporaries are freed before the next one


class _Frame:
    """Face-local pixel coordinates of a batch of images, its per-image values and colours."""

    def __init__(self, factors: dict[str, np.ndarray], size: int) -> None:
        grid = (np.arange(size, dtype=np.float32) + np.float32(0.5)) * np.float32(2.0 / size) - np.float32(1.0)
        self.x_image = grid[None, None, :]  # image coordinates in [-1, 1], y downwards
        self.y_image = grid[None, :, None]
        f = {name: _column(values) for name, values in factors.items()}
        self.f = f
        self.colours = _colours(factors)
        cos_t = _column(np.cos(factors["face_tilt"]) / factors["face_scale"])
        sin_t = _column(np.sin(factors["face_tilt"]) / factors["face_scale"])
        dx, dy = self.x_image - f["face_x"], self.y_image - f["face_y"]
        self.u = cos_t * dx + sin_t * dy  # to the right of the face centre, tilted with the face
        self.v = cos_t * dy - sin_t * dx  # downwards
        self.inv_pixel = f["face_scale"] * np.float32(size / 2.0)  # one over the pixel width
        self.abs_u = np.abs(self.u)
        self.a, self.b = f["face_width"], f["face_height"]
        self.chin = self.b * f["chin_length"]
        self.shoulder_top = self.chin + SHOULDER_DROP
        self.hair_end = self.b * f["hair_length"]
        self.feature_u = self.u - self.a * YAW_SHIFT * f["face_yaw"]  # features move with the yaw
        self.mirror_u = np.abs(self.feature_u)  # for the left-right pairs
        self.eye_x, self.eye_y = self.a * f["eye_spacing"], self.b * f["eye_height"]
        self.eye_w = self.a * f["eye_size"]
        self.eye_h = self.eye_w * f["eye_openness"]
        self.mouth_y = self.b * f["mouth_height"]
        self.light_x = _column(np.cos(factors["light_angle"]))  # direction towards the light
        self.light_y = _column(np.sin(factors["light_angle"]))
        self.towards_light = (HAIR_LIGHT_GAIN * f["light_strength"]) * (self.u * self.light_x + self.v * self.light_y)

    def cover(self, distance: np.ndarray, inv_width: np.ndarray | None = None) -> np.ndarray:
        """Anti-aliased coverage in [0, 1] of the region where distance < 0 (edge one pixel wide)."""
        coverage = distance * (self.inv_pixel if inv_width is None else inv_width)
        np.subtract(np.float32(0.5), coverage, out=coverage)
        return np.clip(coverage, 0.0, 1.0, out=coverage)


def render_faces(factors: dict[str, np.ndarray], seeds: np.ndarray, image_size: int) -> np.ndarray:
    """Draw the faces described by `factors` (texture noise fixed by `seeds`) as uint8 (n, s, s, 3)."""
    frame = _Frame(factors, image_size)
    canvas = _Canvas(_background(frame, factors, seeds, image_size))
    texture = _value_noise(seeds, _SALT_TEXTURE, TEXTURE_NOISE_CELLS, image_size)
    hair = frame.colours["hair"] * ((1.0 + frame.f["hair_texture"] * texture) + frame.towards_light)
    _draw_shirt(canvas, frame)
    _draw_hair_back(canvas, frame, hair)
    _draw_neck_and_ears(canvas, frame)
    face = _draw_face(canvas, frame, texture)
    del texture
    _draw_cheeks(canvas, frame, face)
    _draw_fringe(canvas, frame, face, hair)
    del hair, face
    _draw_brows(canvas, frame)
    _draw_eyes(canvas, frame)
    _draw_glasses(canvas, frame)
    _draw_nose(canvas, frame)
    _draw_mouth(canvas, frame)
    return _develop(canvas.planes, frame.f, seeds, image_size)


def _draw_shirt(canvas: _Canvas, frame: _Frame) -> None:
    """Shoulders in a plain shirt, lit like the hair."""
    f = frame.f
    centre = frame.shoulder_top + SHOULDER_HALF_HEIGHT
    shirt = _ellipse(frame.u, frame.v - centre, f["shoulder_width"], SHOULDER_HALF_HEIGHT)
    canvas.paint(frame.cover(shirt), frame.colours["shirt"] * (1.0 + frame.towards_light))


def _draw_hair_back(canvas: _Canvas, frame: _Frame, hair: np.ndarray) -> None:
    """Hair behind the head: a cap around the skull, falling straight down to hair_length."""
    f, v = frame.f, frame.v
    half_width = frame.a * (1.0 + f["hair_volume"])
    cap = _ellipse(frame.u, v, half_width, frame.b * (1.0 + f["hair_top"]))
    fall = np.maximum(frame.abs_u - half_width, -v)
    canvas.paint(frame.cover(np.maximum(np.minimum(cap, fall), v - frame.hair_end)), hair)


def _draw_neck_and_ears(canvas: _Canvas, frame: _Frame) -> None:
    """The neck, ending in a rounded neckline on the shirt, and the ears."""
    f, u, v, a, skin = frame.f, frame.u, frame.v, frame.a, frame.colours["skin"]
    neckline = v - (frame.shoulder_top + NECKLINE_DEPTH) + NECKLINE_CURVE * u * u
    neck = np.maximum(np.maximum(frame.abs_u - a * f["neck_width"], neckline), -v)
    canvas.paint(frame.cover(neck), skin * NECK_SHADE)
    ear_w = EAR_HALF_WIDTH * f["ear_size"]
    ear = _ellipse(frame.abs_u - a * EAR_INSET, v - frame.b * f["ear_height"], ear_w, ear_w * EAR_ASPECT)
    canvas.paint(frame.cover(ear), skin * EAR_SHADE)


def _draw_face(canvas: _Canvas, frame: _Frame, texture: np.ndarray) -> np.ndarray:
    """The face, lit as the front of an ellipsoid; returns its signed distance.

    Its outline is an ellipse whose lower half is chin_length longer and narrows by jaw_taper.
    """
    f, u, v, a, b, chin = frame.f, frame.u, frame.v, frame.a, frame.b, frame.chin
    lower = np.clip(v / chin, 0.0, 1.0)
    half_width = a * (1.0 - f["jaw_taper"] * lower * lower)
    del lower
    face_u, face_v = u / half_width, v / np.where(v > 0, chin, b)
    radius = np.sqrt(face_u * face_u + face_v * face_v)
    face = (radius - 1.0) * np.minimum(half_width, b)
    del half_width
    normal_z = np.sqrt(np.clip(1.0 - radius * radius, 0.0, 1.0))
    del radius
    light_side = np.float32(np.sqrt(1.0 - LIGHT_ELEVATION_COS**2))
    lambert = (face_u * frame.light_x + face_v * frame.light_y) * light_side + normal_z * LIGHT_ELEVATION_COS
    del face_u, face_v, normal_z
    lambert = np.clip(lambert, 0.0, 1.0, out=lambert)
    shade = (1.0 + f["light_strength"] * (lambert - LIGHT_ELEVATION_COS)) * (1.0 + f["skin_texture"] * texture)
    del lambert
    canvas.paint(frame.cover(face), frame.colours["skin"] * shade)
    return face


def _draw_cheeks(canvas: _Canvas, frame: _Frame, face: np.ndarray) -> None:
    """Blush on the cheeks and stubble on the lower face, each shown by only some images."""
    f, v, eye_y, mouth_y = frame.f, frame.v, frame.eye_y, frame.mouth_y
    face_alpha = frame.cover(face)
    cheek_y = eye_y + BLUSH_DROP * (mouth_y - eye_y)
    cheek = _ellipse(frame.mirror_u - frame.eye_x * BLUSH_OUTSET, v - cheek_y, BLUSH_RADIUS, BLUSH_RADIUS)
    blush = (_onset(f["cheek_blush"], BLUSH_ONSET) * BLUSH_ALPHA) * face_alpha * frame.cover(cheek, 1.0 / BLUSH_RADIUS)
    canvas.paint(blush, _constant(BLUSH_RGB))
    stubble_top = eye_y + STUBBLE_TOP * (mouth_y - eye_y)
    lower_face = frame.cover(stubble_top - v, 1.0 / (STUBBLE_SOFTNESS * frame.b))
    canvas.paint((_onset(f["stubble"], STUBBLE_ONSET) * STUBBLE_ALPHA) * face_alpha * lower_face, frame.colours["hair"])


def _draw_fringe(canvas: _Canvas, frame: _Frame, face: np.ndarray, hair: np.ndarray) -> None:
    """Hair in front of the face: the fringe below the hairline and strands along the sides."""
    f, u, v, a, b = frame.f, frame.u, frame.v, frame.a, frame.b
    hairline = b * (f["fringe_depth"] - 1.0) + (f["fringe_curve"] * u + f["fringe_sweep"]) * u
    strand_end = np.maximum(frame.hair_end, SIDE_STRAND_MIN_END * b)
    strands = np.maximum(a * (1.0 - f["hair_side"]) - frame.abs_u, v - strand_end)
    fringe = np.maximum(np.minimum(v - hairline, strands), face - FRINGE_MARGIN)
    canvas.paint(frame.cover(fringe), hair)


def _draw_brows(canvas: _Canvas, frame: _Frame) -> None:
    """Brows above the eyes, slanted (outer ends up for positive brow_slant) and arched."""
    f = frame.f
    cos_s, sin_s = np.cos(f["brow_slant"]), np.sin(f["brow_slant"])
    brow_du = frame.mirror_u - frame.eye_x
    brow_dv = frame.v - (frame.eye_y - frame.b * f["brow_height"])
    along = cos_s * brow_du - sin_s * brow_dv
    across = sin_s * brow_du + cos_s * brow_dv
    del brow_du, brow_dv
    length = frame.eye_w * BROW_LENGTH
    across -= (f["brow_arch"] / length) * along * along
    brow = _ellipse(along, across, length, frame.a * f["brow_thickness"] * 0.5)
    canvas.paint(frame.cover(brow), frame.colours["brow"])


def _draw_eyes(canvas: _Canvas, frame: _Frame) -> None:
    """Eyes: lid line, white, iris, pupil and catchlight; both look the same way."""
    f, eye_w, eye_h = frame.f, frame.eye_w, frame.eye_h
    eye_du, eye_dv = frame.mirror_u - frame.eye_x, frame.v - frame.eye_y
    lid = _ellipse(eye_du, eye_dv, eye_w + LID_THICKNESS, eye_h + LID_THICKNESS)
    canvas.paint(frame.cover(lid), _constant(LID_RGB))
    del lid
    white = _ellipse(eye_du, eye_dv, eye_w, eye_h)
    canvas.paint(frame.cover(white), _constant(EYE_WHITE_RGB))
    side = np.where(frame.feature_u < 0, np.float32(-1.0), np.float32(1.0))
    iris_r = eye_w * f["iris_size"]
    iris_du = eye_du - side * (GAZE_RANGE * eye_w * f["gaze_x"])
    iris_dv = eye_dv - GAZE_RANGE * eye_h * f["gaze_y"]
    del eye_du, eye_dv, side
    iris = np.sqrt(iris_du * iris_du + iris_dv * iris_dv)
    canvas.paint(frame.cover(np.maximum(iris - iris_r, white)), frame.colours["iris"])
    canvas.paint(frame.cover(np.maximum(iris - iris_r * PUPIL_RATIO, white)), _constant(PUPIL_RGB))
    del iris
    iris_du += CATCHLIGHT_OFFSET * iris_r
    iris_dv += CATCHLIGHT_OFFSET * iris_r
    glint = np.sqrt(iris_du * iris_du + iris_dv * iris_dv) - iris_r * CATCHLIGHT_RATIO
    canvas.paint(frame.cover(np.maximum(glint, white)), _constant(EYE_WHITE_RGB))


def _draw_glasses(canvas: _Canvas, frame: _Frame) -> None:
    """Glasses (images with the flag only): tinted lenses, frames and bridge in one colour."""
    f = frame.f
    eye_du, eye_dv = frame.mirror_u - frame.eye_x, frame.v - frame.eye_y
    lens_w = frame.eye_w * GLASSES_SCALE
    lens = _ellipse(eye_du, eye_dv, lens_w, lens_w * GLASSES_ASPECT)
    bridge = np.maximum(eye_du + lens_w * BRIDGE_REACH, np.abs(eye_dv + lens_w * BRIDGE_RAISE) - GLASSES_FRAME)
    del eye_du, eye_dv
    rims = frame.cover(np.minimum(np.abs(lens) - GLASSES_FRAME, bridge))
    tint = f["glasses_tint"] * frame.cover(lens)
    canvas.paint(f["glasses"] * (1.0 - (1.0 - rims) * (1.0 - tint)), _constant(GLASSES_FRAME_RGB))


def _draw_nose(canvas: _Canvas, frame: _Frame) -> None:
    """Nose shading: a soft shadow on the side away from the light, the base and the nostrils."""
    f, v, skin = frame.f, frame.v, frame.colours["skin"]
    tip = frame.eye_y + frame.b * f["nose_length"]
    width = frame.a * f["nose_width"]
    half_length = 0.5 * frame.b * f["nose_length"]
    shadow_u = frame.feature_u + frame.light_x * width * NOSE_SHADOW_OFFSET
    shadow = _ellipse(shadow_u, v - (tip - half_length), width * NOSE_SHADOW_WIDTH, half_length)
    del shadow_u
    soft = 1.0 / (NOSE_SOFTNESS * width)
    alpha = (NOSE_SHADOW_ALPHA * f["light_strength"]) * frame.cover(shadow, soft)
    del shadow
    base = _ellipse(frame.feature_u, v - tip, width, width * NOSE_BASE_HEIGHT)
    canvas.paint(np.maximum(alpha, NOSE_BASE_ALPHA * frame.cover(base, soft)), skin * NOSE_SHADE)
    del alpha, base
    nostril_u = frame.mirror_u - width * NOSTRIL_SPREAD
    nostril = _ellipse(nostril_u, v - tip, width * NOSTRIL_SIZE[0], width * NOSTRIL_SIZE[1])
    canvas.paint(NOSTRIL_ALPHA * frame.cover(nostril), skin * NOSTRIL_SHADE)


def _draw_mouth(canvas: _Canvas, frame: _Frame) -> None:
    """The mouth: lips bent by mouth_curve around an opening of mouth_open."""
    f, u = frame.f, frame.feature_u
    width = frame.a * f["mouth_width"]
    lip_h = frame.b * f["lip_thickness"]
    opening_h = lip_h * f["mouth_open"] + MOUTH_INSIDE_MIN
    mouth_dv = frame.v - frame.mouth_y + (SMILE_DEPTH * f["mouth_curve"] / width) * u * u
    canvas.paint(frame.cover(_ellipse(u, mouth_dv, width, lip_h + opening_h)), frame.colours["lips"])
    inside = _ellipse(u, mouth_dv, width * MOUTH_INSIDE_WIDTH, opening_h)
    canvas.paint(frame.cover(inside), _constant(MOUTH_INSIDE_RGB))


def _background(frame: _Frame, factors, seeds, size) -> np.ndarray:
    """Two-colour linear gradient with low-frequency noise, as planes (3, n, s, s)."""
    hue, saturation, value = factors["background_hue"], factors["background_saturation"], factors["background_value"]
    start = _planes(_hsv_to_rgb(hue, saturation, value))
    end_value = np.clip(value + factors["background_value_shift"], 0.0, 1.0)
    end = _planes(_hsv_to_rgb(hue + factors["background_hue_shift"], saturation, end_value))
    cos_g = _column(0.5 * np.cos(factors["background_angle"]))
    sin_g = _column(0.5 * np.sin(factors["background_angle"]))
    along = (frame.x_image * cos_g + 0.5) + frame.y_image * sin_g  # about 0 .. 1 across the image
    noise = 1.0 + frame.f["background_texture"] * _value_noise(seeds, _SALT_BACKGROUND, BACKGROUND_NOISE_CELLS, size)
    return (start + along * (end - start)) * noise


def _develop(canvas: np.ndarray, f: dict[str, np.ndarray], seeds: np.ndarray, size: int) -> np.ndarray:
    """Exposure, contrast, white balance and sensor noise; planes (3, n, s, s) to uint8 (n, s, s, 3)."""
    warm = f["colour_temperature"]
    balance = np.stack([1.0 + warm, np.ones_like(warm), 1.0 - warm])
    offset = (0.5 + f["exposure"]) + _pixel_noise(seeds, size) * f["image_noise"]
    canvas -= np.float32(0.5)
    canvas *= f["contrast"]
    canvas += offset
    canvas *= balance
    np.clip(canvas, 0.0, 1.0, out=canvas)
    canvas *= np.float32(255.0)
    canvas += np.float32(0.5)
    return np.ascontiguousarray(canvas.astype(np.uint8).transpose(1, 2, 3, 0))


def _onset(values: np.ndarray, onset: float) -> np.ndarray:
    """0 below `onset`, rising linearly to 1 at 1: for features only some images show."""
    return np.clip((values - onset) / (1.0 - onset), 0.0, 1.0)


def _constant(rgb: np.ndarray) -> np.ndarray:
    """A fixed colour as float32 planes (3, 1, 1, 1)."""
    return np.asarray(rgb, dtype=np.float32).reshape(3, 1, 1, 1)


def _column(values: np.ndarray) -> np.ndarray:
    """Per-image values as float32 (n, 1, 1), to broadcast against (n, s, s) planes."""
    return np.asarray(values, dtype=np.float32).reshape(-1, 1, 1)


def _ellipse(x: np.ndarray, y: np.ndarray, half_width, half_height) -> np.ndarray:
    """Approximate signed distance to an axis-aligned ellipse centred at the origin (exact on its short axis)."""
    radius = np.sqrt((x / half_width) ** 2 + (y / half_height) ** 2)
    return (radius - 1.0) * np.minimum(half_width, half_height).astype(np.float32)


class _Canvas:
    """Colour planes (3, n, s, s) in [0, 1], painted back to front."""

    def __init__(self, planes: np.ndarray) -> None:
        self.planes = np.ascontiguousarray(planes, dtype=np.float32)
        self._scratch = np.empty_like(self.planes)  # reused by every layer: no large temporaries

    def paint(self, alpha: np.ndarray, colour: np.ndarray) -> None:
        """Composite `colour` (3, n|1, s|1, s|1) with coverage `alpha` (n, s, s) over the planes."""
        np.subtract(colour, self.planes, out=self._scratch)
        self._scratch *= alpha
        self.planes += self._scratch


def _palette(palette: np.ndarray, position: np.ndarray) -> np.ndarray:
    """Piecewise-linear colours (n, 3) at positions in [0, 1] along the palette's anchors."""
    scaled = np.clip(position, 0.0, 1.0) * (len(palette) - 1)
    index = np.minimum(scaled.astype(int), len(palette) - 2)
    weight = (scaled - index)[:, None]
    return palette[index] * (1.0 - weight) + palette[index + 1] * weight


def _hsv_to_rgb(hue: np.ndarray, saturation: np.ndarray, value: np.ndarray) -> np.ndarray:
    """HSV (each (n,), hue wraps at 1) to RGB (n, 3)."""
    sector = np.mod(hue, 1.0) * 6.0
    channel = np.mod(sector[:, None] + np.array([5.0, 3.0, 1.0]), 6.0)  # red, green, blue
    ramp = np.clip(np.minimum(channel, 4.0 - channel), 0.0, 1.0)
    return value[:, None] * (1.0 - saturation[:, None] * ramp)


def _planes(rgb: np.ndarray) -> np.ndarray:
    """Per-image colours (n, 3) as contiguous float32 colour planes (3, n, 1, 1)."""
    return np.ascontiguousarray(np.asarray(rgb, dtype=np.float32).T).reshape(3, -1, 1, 1)


def _colours(factors: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Per-image colours of skin, hair, brows, iris, lips and shirt as planes (3, n, 1, 1)."""
    skin = _palette(SKIN_PALETTE, factors["skin_tone"]) + factors["skin_warmth"][:, None] * SKIN_WARMTH_RGB
    lightness = factors["hair_lightness"][:, None]
    red = HAIR_RED_MIX * factors["hair_redness"][:, None] ** 2
    hair = _palette(HAIR_PALETTE, factors["hair_lightness"]) * (1.0 - red)
    hair += HAIR_RED_RGB * red * (HAIR_RED_BASE + lightness)
    grey = factors["hair_grey"][:, None] ** 4
    hair = hair * (1.0 - grey) + HAIR_GREY_RGB * grey
    brow = hair * (1.0 - BROW_DARKENING * factors["brow_darkness"][:, None])
    lips = _palette(LIP_PALETTE, factors["lip_colour"]) * (1.0 - LIP_SKIN_MIX) + skin * LIP_SKIN_MIX
    shirt = _hsv_to_rgb(factors["shirt_hue"], factors["shirt_saturation"], factors["shirt_value"])
    iris = _palette(IRIS_PALETTE, factors["iris_colour"])
    named = {"skin": skin, "hair": hair, "brow": brow, "lips": lips, "shirt": shirt, "iris": iris}
    return {name: _planes(np.clip(rgb, 0.0, 1.0)) for name, rgb in named.items()}


def _hash_unit(seeds: np.ndarray, salt: int, first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """Deterministic pseudo-random float32 in [-1, 1) from uint32 seeds and two integer coordinates."""
    state = seeds.astype(np.uint32) ^ np.uint32(salt * _HASH_PRIMES[3] & 0xFFFFFFFF)
    for coordinate, prime in ((first, _HASH_PRIMES[0]), (second, _HASH_PRIMES[1])):
        state = (state ^ (coordinate.astype(np.uint32) * np.uint32(prime))) * np.uint32(_HASH_PRIMES[2])
        state ^= state >> np.uint32(15)
    state = state * np.uint32(_HASH_PRIMES[0])
    state ^= state >> np.uint32(13)
    return (state >> np.uint32(8)).astype(np.float32) * np.float32(2.0 / 2**24) - np.float32(1.0)


def _value_noise(seeds: np.ndarray, salt: int, cells: int, size: int) -> np.ndarray:
    """Smooth value noise (n, size, size) in [-1, 1] with `cells` lattice cells across the image."""
    lattice_index = np.arange(cells + 1, dtype=np.uint32)
    lattice = _hash_unit(seeds[:, None, None], salt, lattice_index[None, :, None], lattice_index[None, None, :])
    position = (np.arange(size, dtype=np.float32) + np.float32(0.5)) * np.float32(cells / size)
    index = np.minimum(position.astype(int), cells - 1)
    weight = position - index.astype(np.float32)
    weight = weight * weight * (3.0 - 2.0 * weight)  # smoothstep between lattice points
    rows = lattice[:, index, :] * (1.0 - weight)[None, :, None] + lattice[:, index + 1, :] * weight[None, :, None]
    return np.ascontiguousarray(rows[:, :, index] * (1.0 - weight) + rows[:, :, index + 1] * weight)


def _pixel_noise(seeds: np.ndarray, size: int) -> np.ndarray:
    """Independent per-pixel noise (n, size, size) uniform in [-1, 1), fixed by the seeds."""
    pixel = np.arange(size * size, dtype=np.uint32).reshape(1, size, size)
    return _hash_unit(seeds[:, None, None], _SALT_GRAIN, pixel, np.zeros(1, dtype=np.uint32))

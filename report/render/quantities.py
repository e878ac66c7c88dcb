"""Quantities that more than one post states: one source record each, one printed form, one name.

A number several posts print (the origin's Mahalanobis distance, the yardstick of decoded real
z-points, the mean length of the latent vectors, ...) is read here from the one step's record that
computes it, formatted once, and printed by every template through `quantity(name)`, which wraps
it in `<span data-quantity="name">`. So every mention prints the same text, and a test can check
that across the pages. A quantity whose step did not run (or that the record lacks) is absent;
templates that would print it are guarded by the same condition as before.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from report.render.environment import num, percent, share, sig, thousands
from report.results import StepResults

PLACE_WORDS = {  # the origin's place (post IV's verdict) as every post says it
    "core": "in the core of the cloud, nearer the centre than most z-points",
    "inside": "inside the cloud, among its typical z-points",
    "outer": "inside the cloud, in its outer zone",
    "border": "at the border of the cloud",
    "beyond": "beyond the border of the cloud, farther from the centre than every z-point",
}


def signed(value, digits: int = 1) -> str:
    """A signed number with a true minus sign (−5.4, +2.0)."""
    text = num(abs(value), digits)
    return ("−" if value < 0 else "+") + text


@dataclass(frozen=True)
class Quantity:
    """One shared quantity.

    Attributes:
        name: What `quantity(name)` and `data-quantity` call it.
        step: The step whose record holds it (the one place it is computed).
        read: Takes the typed records by step name and returns the value (None: the record lacks it).
        form: Turns the value into the text every page prints.
        description: What it is, in words.
    """

    name: str
    step: str
    read: Callable[[Mapping[str, StepResults]], object]
    form: Callable[[object], str]
    description: str


def _mahalanobis(records):
    return records["origin_slices"].origin.mahalanobis


def _attribute(obj, name):
    return None if obj is None else getattr(obj, name, None)


QUANTITIES: tuple[Quantity, ...] = (
    Quantity("centre-distance", "distributions", lambda r: r["distributions"].centre_radius, sig,
             "distance of the centre c (the vector of component means) from the origin"),
    Quantity("radius-mean", "distributions", lambda r: r["distributions"].radius.mean, sig,
             "mean length of all latent vectors"),
    Quantity("matching-b", "distributions", lambda r: r["distributions"].matching_b, num,
             "the b whose uniform vectors match the mean length"),
    Quantity("median-std", "distributions", lambda r: r["distributions"].median_std, sig,
             "median standard deviation of the components"),
    Quantity("first-axis-share", "correlations", lambda r: _attribute(r["correlations"].planes, "first_axis_share"),
             percent, "share of the latent variance along the first principal direction"),
    Quantity("data-distance-mean", "origin_slices", lambda r: r["origin_slices"].origin.data_distance_mean,
             sig, "mean Euclidean distance of all z-points from the centre"),
    Quantity("origin-mahalanobis", "origin_slices", lambda r: _attribute(_mahalanobis(r), "origin"), sig,
             "the origin's Mahalanobis distance from the centre"),
    Quantity("origin-share-beyond", "origin_slices", lambda r: _attribute(_mahalanobis(r), "share_farther"), share,
             "share of z-points farther from the centre than the origin (Mahalanobis)"),
    Quantity("origin-place", "origin_slices", lambda r: _attribute(_mahalanobis(r), "verdict"), PLACE_WORDS.get,
             "where the origin lies, judged by that share"),
    Quantity("origin-axis", "origin_slices", lambda r: _attribute(_mahalanobis(r), "axis"), lambda k: f"PC{k + 1}",
             "the principal axis along which the origin lies farthest out"),
    Quantity("origin-axis-sigmas", "origin_slices", lambda r: _attribute(_mahalanobis(r), "axis_sigmas"), signed,
             "the origin's coordinate along that axis, in standard deviations"),
    Quantity("origin-axis-share-beyond", "origin_slices",
             lambda r: _attribute(_mahalanobis(r), "axis_share_farther"), share,
             "share of z-points farther out than the origin along that axis alone"),
    Quantity("data-mahalanobis-mean", "origin_slices", lambda r: _attribute(_mahalanobis(r), "data_mean"),
             sig, "mean Mahalanobis distance of all z-points from the centre"),
    Quantity("data-mahalanobis-std", "origin_slices", lambda r: _attribute(_mahalanobis(r), "data_std"),
             sig, "standard deviation of those distances"),
    Quantity("data-mahalanobis-upper", "origin_slices", lambda r: _attribute(_mahalanobis(r), "data_upper"),
             sig, "the upper percentile of those distances (the cloud's extent)"),
    Quantity("data-mahalanobis-percentile", "origin_slices",
             lambda r: _attribute(_mahalanobis(r), "upper_percentile"), lambda p: f"{p:g} %",
             "the share of z-points within that extent"),
    Quantity("real-decode-distance", "statistical_points",
             lambda r: r["statistical_points"].real_nearest_image_distance, lambda v: num(v, 3),
             "mean distance of decoded real z-points to the nearest training image (the yardstick)"),
    Quantity("real-decode-count", "statistical_points", lambda r: r["statistical_points"].real_sample, thousands,
             "decoded real z-points the yardstick and their face share are measured on"),
    Quantity("real-decode-face-share", "statistical_points", lambda r: r["statistical_points"].real_face_share,
             lambda v: percent(v, 1), "share of decoded real z-points the face measure counts as faces"),
)

QUANTITIES_BY_NAME = {q.name: q for q in QUANTITIES}


def shared_quantities(records: Mapping[str, StepResults]) -> dict[str, str]:
    """The printed text of every shared quantity whose step ran and whose record holds it."""
    texts = {}
    for q in QUANTITIES:
        if q.step not in records:
            continue
        value = q.read(records)
        if value is not None:
            texts[q.name] = q.form(value)
    return texts


def quantity_printer(texts: Mapping[str, str]):
    """The templates' `quantity(name)`: the text in a `<span data-quantity="name">`.

    Raises:
        KeyError: For a name no quantity has, or one this run lacks (a template printing it unguarded).
    """
    from markupsafe import Markup, escape

    def quantity(name: str) -> Markup:
        if name not in QUANTITIES_BY_NAME:
            raise KeyError(f"no shared quantity named {name!r}")
        if name not in texts:
            raise KeyError(f"shared quantity {name!r} is missing in this run (its step did not record it)")
        return Markup(f'<span data-quantity="{escape(name)}">{escape(texts[name])}</span>')

    return quantity

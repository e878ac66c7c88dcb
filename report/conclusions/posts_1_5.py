"""Closing sections of posts I-V: the autoencoder, the cloud of z-points, and decodes of uniform vectors."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

from report.conclusions.common import (
    Closing,
    Count,
    Estimate,
    Order,
    Relation,
    Share,
    base,
    cloud_distances,
    estimate,
    order,
    real_decode_share,
    share_of,
)
from report.stats.uncertainty import correlation_interval

# ---------------------------------------------------------------------------------------------- post I


class Post1Closing(Closing):
    reconstructions: Share | None = None  # held-out images' reconstructions that count as faces
    uniform: Share | None = None  # decodes of uniform vectors that count as faces
    uniform_b: float | None = None
    real: Share | None = None  # held-out real images that count as faces
    versus: Order | None = None  # reconstructions against uniform decodes
    heldout_psnr: float | None = None


def post_1(records: Mapping, findings: Mapping, uncertainty) -> Post1Closing:
    """Can the autoencoder make faces: its reconstructions against decodes of uniform random vectors."""
    measure = findings.get("face_measure")
    if measure is None or measure.reconstructions is None or measure.uniform is None:
        return Post1Closing(**base("post-1", "cannot tell", False, uncertainty))
    c = uncertainty
    recon = share_of(measure.reconstructions.face_share, measure.reconstructions.n_images, c)
    uniform = share_of(measure.uniform.face_share, measure.uniform.n_images, c)
    versus = order(recon, uniform)
    relation = {"higher": "agrees", "alike": "cannot tell", "lower": "differs"}[versus]
    encode = records.get("encode")
    real = share_of(measure.real.face_share, measure.real.n_images, c)
    return Post1Closing(**base("post-1", relation, True, uncertainty, yardstick=real, yardstick_name="held-out real images"), reconstructions=recon,
                        uniform=uniform, uniform_b=records["face_measure"].uniform_b, real=real, versus=versus,
                        heldout_psnr=getattr(encode, "heldout_psnr", None))


# --------------------------------------------------------------------------------------------- post II


class Post2Closing(Closing):
    cloud: Literal["offset", "stretched", "alike"]
    centre_radius: float
    n_dominant: int
    n_by_mean: int  # dominant components whose means lie off 0
    z_dim: int
    band: Literal["none", "narrow", "wide"]
    fit_low: float | None  # smallest and largest tried b whose lengths fit the data's
    fit_high: float | None
    matching_b: float
    radius_mean: float  # mean length of the z-points


def post_2(records: Mapping, findings: Mapping, uncertainty) -> Post2Closing:
    """Do uniform vectors get the length of the z-points, and for which b?"""
    d, f = records["distributions"], findings["distributions"]
    relation = "agrees" if f.b_band == "narrow" else "differs"
    return Post2Closing(**base("post-2", relation, False, uncertainty), cloud=f.cloud, n_by_mean=f.n_by_mean,
                        centre_radius=d.centre_radius, n_dominant=len(d.dominant), z_dim=d.z_dim, band=f.b_band,
                        fit_low=f.fitting[0].b if f.fitting else None, fit_high=f.fitting[-1].b if f.fitting else None,
                        matching_b=d.matching_b, radius_mean=d.radius.mean)


# -------------------------------------------------------------------------------------------- post III


class Post3Closing(Closing):
    n_pairs: int
    n_above_chance: int
    chance_threshold: float
    chance_negligible: bool
    n_listed: int  # pairs above the correlations record's pair_threshold, which the template reads there
    strongest: Estimate  # the largest |r| with its Fisher interval
    n_points: int
    beyond_chance: Literal["clearly", "within", "unclear"]  # the strongest |r| against the chance level
    above_chance: Count  # pairs above the chance level, of all pairs
    listed: Count  # pairs above the pair threshold, of all pairs


def post_3(records: Mapping, findings: Mapping, uncertainty) -> Post3Closing:
    """Are the components correlated? The strongest |r| with its interval against chance."""
    c, f = records["correlations"], findings["correlations"]
    low, high = correlation_interval(c.max_abs_r, c.n_points, uncertainty.confidence_level)
    strongest = Estimate(value=c.max_abs_r, low=low, high=high)
    beyond = "clearly" if low > f.chance_threshold else "within" if high < f.chance_threshold else "unclear"
    relation = {"clearly": "agrees", "within": "differs", "unclear": "cannot tell"}[beyond]
    return Post3Closing(**base("post-3", relation, False, uncertainty), n_pairs=c.n_pairs_total,
                        n_above_chance=f.n_above_chance, chance_threshold=f.chance_threshold,
                        chance_negligible=f.chance_negligible, n_listed=f.n_listed,
                        strongest=strongest, n_points=c.n_points, beyond_chance=beyond,
                        above_chance=Count(k=f.n_above_chance, n=c.n_pairs_total),
                        listed=Count(k=f.n_listed, n=c.n_pairs_total))


# --------------------------------------------------------------------------------------------- post IV


class Post4Closing(Closing):
    at_border: bool
    conclusion: str  # origin_slices' closing judgement
    farther: Share  # z-points farther from the centre than the origin (by the cloud's shape where measured)
    by_shape: bool  # `farther` counts Mahalanobis distances
    n_empty: int
    n_slices: int
    empty: Count  # nearly empty slices, of all slices
    single_slice: bool
    uniform_b: float


def post_4(records: Mapping, findings: Mapping, uncertainty) -> Post4Closing:
    """Is the origin at the border of the cloud, with nearly empty slices around it?"""
    o, f = records["origin_slices"], findings["origin_slices"]
    shape = o.origin.mahalanobis
    farther = shape.share_farther if shape is not None else o.origin.share_farther
    relation = "agrees" if f.conclusion in ("border_empty", "border") else "differs"
    return Post4Closing(**base("post-4", relation, False, uncertainty), at_border=f.at_border,
                        conclusion=f.conclusion, farther=share_of(farther, o.n_points, uncertainty),
                        by_shape=shape is not None, n_empty=f.n_empty_slices, n_slices=len(o.slices),
                        empty=Count(k=f.n_empty_slices, n=len(o.slices)), single_slice=len(o.slices) == 1,
                        uniform_b=o.uniform_b)


# ---------------------------------------------------------------------------------------------- post V


class Post5Closing(Closing):
    matching_b: float
    mahalanobis_ratio: float  # the matching batch's mean Mahalanobis distance over the real z-points'
    far_outside: bool
    share_outside: float  # the matching batch's components outside the data's ranges
    faces: Share | None = None  # the matching b's decodes that count as faces
    real: Share | None = None  # decoded real vectors that count as faces
    versus: Order | None = None
    best_b: float | None = None  # the b whose decodes count as faces most often
    best: Share | None = None
    contrast: Estimate | None = None  # the matching b's mean pixel spread, and decoded real vectors'
    real_contrast: Estimate | None = None
    contrast_versus: Order | None = None


def post_5(records: Mapping, findings: Mapping, uncertainty) -> Post5Closing:
    """Do uniform vectors decode to faces? The matching b's face share against decoded real vectors'."""
    s, f = records["statistical_points"], findings["statistical_points"]
    c = uncertainty
    m = s.matching
    values = dict(matching_b=m.b, mahalanobis_ratio=m.mahalanobis_mean / cloud_distances(records, s.data_mahalanobis_mean)[0],
                  far_outside=f.far_outside_cloud, share_outside=1 - m.share_inside_ranges)
    relation: Relation = "cannot tell"
    scored = [b for b in s.batches if b.face_share is not None and b.n_scored]
    if s.has_decoder and m.face_share is not None and real_decode_share(s, c) is not None and scored:
        faces, real = share_of(m.face_share, m.n_scored, c), real_decode_share(s, c)
        best = max(scored, key=lambda b: b.face_share)
        versus = order(faces, real)
        relation = {"lower": "agrees", "alike": "cannot tell", "higher": "differs"}[versus]
        values.update(faces=faces, real=real, versus=versus, best_b=best.b,
                      best=share_of(best.face_share, best.n_scored, c))
        contrast = estimate(m.pixel_spread, m.pixel_spread_interval)
        real_contrast = estimate(s.real_pixel_spread, s.real_pixel_spread_interval)
        if contrast is not None and real_contrast is not None:
            values.update(contrast=contrast, real_contrast=real_contrast, contrast_versus=order(contrast, real_contrast))
    return Post5Closing(**base("post-5", relation, values.get("faces") is not None, uncertainty,
                                yardstick=values.get("real")), **values)

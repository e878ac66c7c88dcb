"""Post VIII (`normal_fit`): the cloud of z-points as a multivariate normal N(mu, Sigma).

`NormalFitResults` is the step's stats.json (the names outside checks read: `normality`,
`mahalanobis`, `ellipses`, `mixture`); `findings` turns it into the judgements post VIII states.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar, Literal

from report.results import Record, StepResults
from report.results.key_stat import KeyStat
from report.results.statistical_points import Position, coverage, yardstick_position

ELLIPSE_TOLERANCE = 0.05  # a share inside an ellipse within 5 points of the normal's counts as matching it
RADIUS_TOLERANCE = 0.05  # a mean Mahalanobis distance within 5 % of the chi law's mean matches it
SPREAD_FACTOR = 2.0  # distances spread more than twice the chi law's std: a heavier tail than a normal's
MOST_COMPONENTS = 0.8  # at least this share of components passing their test: "most" look normal


class ComponentNormality(Record):
    """The per-component univariate test on a sample of rows."""

    test: str
    n_points: int
    alpha: float
    share_rejected: float
    n_rejected: int
    worst: list[int]  # components with the smallest p-values, worst first


class Normality(Record):
    """The multivariate test (test, n_points, statistic, p_value, normal)."""

    test: str
    n_points: int
    statistic: float
    p_value: float
    normal: bool
    dims: int  # leading principal coordinates tested
    axes_from: int  # rows whose covariance gave the axes (not the tested ones)
    alpha: float


class Mahalanobis(Record):
    """Distances of all z-points from the centre against the chi law with `dof` degrees of freedom."""

    mean: float
    std: float
    expected_mean: float
    expected_std: float
    dof: int
    rule: Literal["drop", "floor"]  # what happened to eigenvalues below relative_floor x the largest
    relative_floor: float
    n_regularised: int
    share_beyond_p99: float  # share of z-points beyond the chi law's 99th percentile
    figure: str


class Plane(Record):
    """A component plane chosen to see principal axis `axis`, with its 2x2 covariance ellipse."""

    i: int
    j: int
    axis: int  # the principal axis the plane was picked for
    sees_axis: int  # the axis carrying the largest share of the plane's variance
    sees_share: float
    angle_deg: float  # major axis against component i's axis
    r: float  # Pearson r of the pair


class EllipseShare(Record):
    """Share of all z-points inside the k-sigma ellipse of a plane ."""

    i: int
    j: int
    k: int
    share: float
    expected_share: float  # 1 - exp(-k^2 / 2)


class Mixture(Record):
    """Full-covariance Gaussian mixtures in the leading principal coordinates (bic, best_k)."""

    bic: dict[str, float]
    best_k: int
    fixed_k: int
    n_points: int  # rows fitted
    n_dims: int  # principal coordinates modelled; the others are drawn from N(0, lambda_k)
    figure: str


class Samples(Record):
    """Vectors drawn from a fitted model: where they lie and, with a decoder, what they decode to."""

    name: Literal["normal", "mixture-best", "mixture-fixed"]
    title: str
    mahalanobis_mean: float
    figure: str | None = None
    nearest_image_distance: float | None = None
    pixel_spread: float | None = None
    pixel_spread_interval: tuple[float, float] | None = None  # interval of the decodes' mean contrast
    face_share: float | None = None  # share of decodes the face measure counts as faces


class NormalFitResults(StepResults):
    """The record of post VIII."""

    step: ClassVar[str] = "normal_fit"

    n_points: int
    z_dim: int
    has_decoder: bool
    component_normality: ComponentNormality
    normality: Normality
    mahalanobis: Mahalanobis
    planes: list[Plane]
    ellipses: list[EllipseShare]
    ellipse_figure: str
    mixture: Mixture
    grid: tuple[int, int]
    samples: list[Samples]
    scatter_points: int
    n_reference_images: int | None = None


def _ellipse_shares(record: NormalFitResults) -> dict[int, float] | None:
    """Per k, the mean share of points inside the k-sigma ellipse over the chosen planes."""
    shares: dict[int, list[float]] = {}
    for ellipse in record.ellipses:
        shares.setdefault(ellipse.k, []).append(ellipse.share)
    return {k: sum(v) / len(v) for k, v in shares.items()} or None


# Mahalanobis distances move with the cloud as the radius does; the BIC-best mixture size may step by
# one or two where neighbouring BICs lie close.
KEY_STATS = (
    KeyStat("normal_fit.mahalanobis.mean", "mean Mahalanobis distance from the centre", rtol=0.05),
    KeyStat("normal_fit.mahalanobis.std", "std of the Mahalanobis distances", rtol=0.1),
    KeyStat("normal_fit.ellipse_*.share", "mean share of points inside the *-sigma ellipses of the chosen planes",
            atol=0.04, read=_ellipse_shares, unit="%"),
    KeyStat("normal_fit.mixture.best_k", "Gaussian mixture components with the lowest BIC", atol=2),
)


class NormalFitFindings(Record):
    """What post VIII states."""

    components: Literal["all", "most", "some", "none"]  # components whose test accepts normality
    radius: Literal["matches", "farther", "closer"]  # mean Mahalanobis distance against the chi law's
    radius_spread_wider: bool  # distances spread more than SPREAD_FACTOR x the chi law's std
    ellipses_match: Literal["all", "some", "none"]  # ellipse shares within ELLIPSE_TOLERANCE of the normal's
    worst_ellipse: EllipseShare
    ellipse_tolerance: float = ELLIPSE_TOLERANCE
    best_k_at_edge: bool  # BIC's minimum at the largest K tried: more components might fit better still
    best_k_one: bool
    k_range: tuple[int, int]
    test_reduced: bool  # the multivariate test saw fewer principal coordinates than z_dim
    mixture_reduced: bool  # the mixtures modelled fewer principal coordinates than z_dim
    figures: dict[str, int]  # figure numbers by role
    positions: dict[str, Position] | None = None  # sample name -> position against the yardstick


def findings(results: NormalFitResults, upstream: Mapping[str, StepResults]) -> NormalFitFindings:
    """The judgements of post VIII from its record."""
    rejected = results.component_normality.share_rejected
    passing = 1 - rejected
    components = "all" if rejected == 0 else "none" if passing == 0 else "most" if passing >= MOST_COMPONENTS else "some"
    m = results.mahalanobis
    ratio = m.mean / m.expected_mean
    radius = "matches" if abs(ratio - 1) <= RADIUS_TOLERANCE else "farther" if ratio > 1 else "closer"
    deviations = [abs(e.share - e.expected_share) for e in results.ellipses]
    matching = sum(d <= ELLIPSE_TOLERANCE for d in deviations)
    worst = results.ellipses[max(range(len(deviations)), key=deviations.__getitem__)]
    ks = sorted(int(k) for k in results.mixture.bic)
    figures = {"qq": 1, "ellipses": 2, "bic": 3}
    number = 4
    for s in results.samples:
        if s.figure:
            figures[s.name] = number
            number += 1
    positions = None
    yardstick = getattr(upstream.get("statistical_points"), "real_nearest_image_distance", None)  # post V's, measured once
    if yardstick is not None:
        positions = {s.name: yardstick_position(s.nearest_image_distance, yardstick)
                     for s in results.samples if s.nearest_image_distance is not None}
    return NormalFitFindings(
        components=components,
        radius=radius,
        radius_spread_wider=m.std > SPREAD_FACTOR * m.expected_std,
        ellipses_match=coverage(matching, len(deviations)),
        worst_ellipse=worst,
        best_k_at_edge=results.mixture.best_k == ks[-1] and len(ks) > 1,
        best_k_one=results.mixture.best_k == 1,
        k_range=(ks[0], ks[-1]),
        test_reduced=results.normality.dims < results.z_dim,
        mixture_reduced=results.mixture.n_dims < results.z_dim,
        figures=figures,
        positions=positions,
    )

"""The scoreboard (`scoreboard`): every generator of the series scored on the same face measure.

`ScoreboardResults` is the step's stats.json (the names outside checks read: `generators`, a list of
{"name", "n_decodes", "face_share", "precision", "recall", "density", "coverage", "fd", "kid",
"face_coverage_interval", "rank_group"}, in table order); `findings` turns it into the judgements
the page states.

The ranking rule (`rank`): face coverage, the share of real reference images whose k-NN ball
holds a decode that counts as a face (`FaceScorer.face_coverage`). Face share alone rewards a
collapsed set: decodes of narrow per-component intervals are nearly all the same bland face, so
nearly all count as faces, yet they reach one corner of the real faces (their recall and coverage
are near 0). That is why precision/recall and density/coverage were introduced (Kynkäänniemi et
al. 2019, Naeem et al. 2020) and why RAE ranks on FID. Face coverage asks for both at once: faces,
and faces like many different real ones.

Face coverage is estimated from a sample of decodes and a sample of reference images; each
generator carries its interval (`report.stats.coverage`). Generators whose intervals overlap the
interval of their group's best cannot be told apart and share a `rank_group`
(`report.stats.uncertainty.rank_groups`); within a group the table orders by face coverage, then
by the Fréchet distance, but no sentence calls one member better than another. Every comparison
the findings make rests on intervals: face coverage on its interval, face share on its Wilson
interval.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import ClassVar, Literal

import numpy as np

from report.face_verdicts import CLEAR, FAINT
from report.results import Record, StepResults
from report.results.key_stat import DECODE_FACE_SHARE_ATOL, PATH_FACE_SHARE_ATOL, KeyStat
from report.stats.uncertainty import bootstrap_interval, intervals_overlap, rank_groups, wilson_interval

CEILING = "reconstructions"
CORRELATED_FAMILIES = ("normal", "mixture", "shell")  # generators that keep the covariance of the z-points
CEILING_LOW = 0.2  # below this face share for reconstructions the measure sees too few faces to rank generators by
DATA_DISTANCE_TOLERANCE = 0.25  # vectors within 25 % of the real z-points' mean Mahalanobis distance lie "where they do"

Comparison = Literal["higher", "untold", "lower"]  # of two face coverages: intervals apart, or not


class GeneratorScore(Record):
    """One generator's decodes on the face measure (scorer.score_set) and where its vectors lie."""

    name: str
    title: str
    family: Literal["ceiling", "independent", "path", "normal", "mixture", "shell"]
    post: str
    n_decodes: int
    face_share: float
    face_coverage: float  # share of real reference balls holding a decode that counts as a face (the ranking key)
    face_coverage_interval: tuple[float, float]  # its interval at the run's confidence level
    precision: float
    recall: float
    density: float
    coverage: float
    fd: float
    kid: float
    mahalanobis_mean: float  # mean Mahalanobis distance of its vectors from the centre (post VIII's fit)
    length_mean: float  # mean Euclidean length of its vectors
    faint_share: float = 0.0  # share of its decodes that are faint faces (a face, blurred or low in contrast)
    # median Mahalanobis distance from the centre of the vectors whose decodes are clear faces, and of those whose
    # decodes are faint, each with its bootstrap interval (None where fewer than two decodes have that verdict)
    mahalanobis_clear_median: float | None = None
    mahalanobis_clear_interval: tuple[float, float] | None = None
    mahalanobis_faint_median: float | None = None
    mahalanobis_faint_interval: tuple[float, float] | None = None
    rank: int  # place in the table, 1 = highest face coverage (then lowest FD)
    rank_group: int  # 1 = best; generators of one group cannot be told apart by face coverage


class ScoreboardResults(StepResults):
    """The record of the scoreboard."""

    step: ClassVar[str] = "scoreboard"

    has_decoder: bool
    has_face_measure: bool
    n_decodes: int  # per generator
    n_reference: int | None = None  # real reference images of the face coverage (None when nothing was scored)
    confidence_level: float  # of every face coverage interval (the run's analysis.uncertainty.confidence_level)
    z_dim: int
    data_mahalanobis_mean: float
    generators: list[GeneratorScore]  # table order: face coverage, then Fréchet distance; rank_group never decreases
    primary_space: str | None = None  # the feature space of precision ... kid
    figure: str | None = None
    examples_figure: str | None = None


def _per_generator(field: str) -> Callable[[ScoreboardResults], dict]:
    """Per generator (keyed by its name) one number of its record."""
    return lambda record: {g.name: getattr(g, field) for g in record.generators} or None


def _generator(name: str, field: str) -> Callable[[ScoreboardResults], object]:
    """One number of one generator's record (None when it is missing)."""
    return lambda record: (_per_generator(field)(record) or {}).get(name)


# Members listed before their family take precedence (`keystats.definition` returns the first match):
# points on a few paths are few independent decodes, and N(0, I) decodes lie so far from the data that
# their Fréchet distance doubled under the perturbation the tolerances were measured with.
KEY_STATS = (
    KeyStat("scoreboard.paths.face_share", "face share of the scoreboard's path-point decodes",
            atol=PATH_FACE_SHARE_ATOL, read=_generator("paths", "face_share"), unit="%"),
    KeyStat("scoreboard.standard-normal.fd", "Fréchet distance of the scoreboard's N(0, I) decodes", factor=3, atol=2,
            read=_generator("standard-normal", "fd")),
    KeyStat("scoreboard.*.face_share", "face share of the scoreboard's * decodes", atol=DECODE_FACE_SHARE_ATOL,
            read=_per_generator("face_share"), unit="%"),
    KeyStat("scoreboard.*.face_coverage", "face coverage (the ranking key) of the scoreboard's * decodes", atol=0.05,
            read=_per_generator("face_coverage"), unit="%"),
    KeyStat("scoreboard.*.fd", "Fréchet distance of the scoreboard's * decodes", factor=1.3, atol=2,
            read=_per_generator("fd")),
)


class ScoreboardFindings(Record):
    """What the scoreboard page states. Every comparison rests on intervals (see the module)."""

    n_groups: int  # rank groups in the table
    all_alike: bool  # one group: no generator can be told apart from any other
    top: GeneratorScore  # the highest face coverage of all (the table's first row)
    ceiling: GeneratorScore | None
    ceiling_first: bool  # reconstructions have the highest face coverage
    ceiling_apart: bool  # ... and no generator of new vectors can be told apart from them
    with_ceiling: list[GeneratorScore]  # generators of new vectors that cannot be told apart from reconstructions
    above_ceiling: list[GeneratorScore]  # generators of new vectors clearly above reconstructions
    ceiling_low: bool  # even reconstructions rarely count as faces: the ranking rests on a handful of decodes and FD
    ceiling_share: float
    ceiling_coverage: float  # the ceiling's face coverage
    more_faces_than_ceiling: list[GeneratorScore]  # clearly more faces than the reconstructions, clearly less coverage
    # generators of new vectors with clearly more faces than the reconstructions and clearly fewer faint decodes
    fewer_faint_than_ceiling: list[GeneratorScore]
    ceiling_faint_nearer: bool  # the reconstructions' faint decodes come from z-points clearly nearer the centre
    uniform_last: bool  # uniform vectors have the lowest face coverage ...
    uniform: GeneratorScore | None
    uniform_alike: list[GeneratorScore]  # generators that cannot be told apart from uniform vectors
    below_uniform_alike: list[GeneratorScore]  # clearly below uniform with clearly more faces, but nearly one face
    below_uniform_alike_recall: float  # the highest recall among them
    below_uniform_fewer_faces: list[GeneratorScore]  # clearly below uniform, without clearly more faces
    data_length_mean: float | None  # mean length of all z-points (post II's radius.mean, which uniform's b matches)
    standard_normal_below_uniform: bool  # N(0, I)'s face coverage lies clearly below uniform vectors'
    standard_normal_below_uniform_by_scale: bool  # ... and its vectors are longer than real ones and farther out than uniform's
    standard_normal_length_ratio: float | None  # N(0, I)'s mean vector length over the real z-points'
    leaders: list[GeneratorScore]  # the first rank group among generators of new vectors, best estimate first
    leaders_in_later_group: list[GeneratorScore]  # leaders that Table 1, counting groups from the reconstructions, puts lower
    winner_alone: bool  # one generator of new vectors stands alone in that group: the winner
    winner: GeneratorScore  # the highest face coverage among new vectors (named a winner only when winner_alone)
    runner_up: GeneratorScore | None  # the best generator of new vectors outside the leaders
    last: GeneratorScore
    winner_correlated: bool  # the winner keeps the covariance of the z-points
    leaders_correlated: list[GeneratorScore]  # the leaders that keep the covariance of the z-points
    leaders_all_correlated: bool  # ... all of them do
    winner_at_data_distance: bool  # the winner's vectors lie about as far from the centre as real z-points
    fit_helps: Comparison  # N(mu, Sigma) against N(0, I)
    mixture_helps: Comparison  # best mixture against N(mu, Sigma)
    normal: GeneratorScore | None
    standard_normal: GeneratorScore | None
    best_mixture: GeneratorScore | None
    mixtures_alike: list[GeneratorScore]  # other mixtures that cannot be told apart from the best one
    best_independent: GeneratorScore | None
    independent_alike: list[GeneratorScore]  # other independent generators that cannot be told apart from the best one
    gap_to_ceiling: float  # ceiling's face coverage minus the winner's


def rank(scores: list[dict], resolution: float = 0.0) -> list[dict]:
    """Generators in table order, with `rank` (from 1) and `rank_group` (from 1) added.

    Order: higher face coverage, then lower Fréchet distance. Groups: `rank_groups` on the face
    coverage intervals (a generator joins the group while its interval overlaps the interval of
    the group's best). `resolution` is one reference image (1 / n_reference): estimates that close
    are one measurement, so a group boundary never falls between them.
    """
    ordered = sorted(scores, key=lambda s: (-s["face_coverage"], s["fd"]))
    groups = rank_groups([s["face_coverage"] for s in ordered], [s["face_coverage_interval"] for s in ordered])
    apart = resolution * (1 + 1e-9)  # shares k / n_reference differ by float rounding, not by part of a reference
    group = 1
    for n, s in enumerate(ordered):
        if n and groups[n] != groups[n - 1] and ordered[n - 1]["face_coverage"] - s["face_coverage"] > apart:
            group += 1
        ordered[n] = {**s, "rank": n + 1, "rank_group": group}
    return ordered


def verdict_distances(distances: np.ndarray, verdicts: np.ndarray, confidence: float) -> dict[str, object]:
    """The median distance (e.g. Mahalanobis from the centre) of the vectors whose decodes are clear faces and of
    those whose decodes are faint, each with its bootstrap interval; None where fewer than two have that verdict."""
    record: dict[str, object] = {}
    for key, verdict in (("clear", CLEAR), ("faint", FAINT)):
        chosen = np.asarray(distances, dtype=np.float64)[np.asarray(verdicts) == verdict]
        enough = len(chosen) >= 2
        record[f"mahalanobis_{key}_median"] = float(np.median(chosen)) if enough else None
        record[f"mahalanobis_{key}_interval"] = bootstrap_interval(chosen, np.median, confidence) if enough else None
    return record


def compare(a: GeneratorScore, b: GeneratorScore) -> Comparison:
    """Face coverage of a against b: "higher" or "lower" when the intervals are apart, else "untold"."""
    (a_low, a_high), (b_low, b_high) = a.face_coverage_interval, b.face_coverage_interval
    return "higher" if a_low > b_high else "lower" if a_high < b_low else "untold"


def _share_interval(share: float, g: GeneratorScore, confidence: float) -> tuple[float, float]:
    """The Wilson interval of a share recorded over g's decodes (its face share, its faint share)."""
    return wilson_interval(round(share * g.n_decodes), g.n_decodes, confidence)


def _more_faces(a: GeneratorScore, b: GeneratorScore, confidence: float) -> bool:
    """a's face share lies clearly above b's (Wilson intervals apart)."""
    return _share_interval(a.face_share, a, confidence)[0] > _share_interval(b.face_share, b, confidence)[1]


def _fewer_faint(a: GeneratorScore, b: GeneratorScore, confidence: float) -> bool:
    """a's share of faint decodes lies clearly below b's (Wilson intervals apart)."""
    return _share_interval(a.faint_share, a, confidence)[1] < _share_interval(b.faint_share, b, confidence)[0]


def _faint_nearer(g: GeneratorScore) -> bool:
    """The vectors of g's faint decodes lie clearly nearer the centre than those of its clear ones (medians'
    bootstrap intervals apart)."""
    if g.mahalanobis_faint_interval is None or g.mahalanobis_clear_interval is None:
        return False
    return g.mahalanobis_faint_interval[1] < g.mahalanobis_clear_interval[0]


def _alike(best: GeneratorScore | None, others: list[GeneratorScore]) -> list[GeneratorScore]:
    """The others whose face coverage cannot be told apart from best's."""
    if best is None:
        return []
    return [g for g in others if g is not best
            and intervals_overlap(g.face_coverage_interval, best.face_coverage_interval)]


def _versus(better: GeneratorScore | None, worse: GeneratorScore | None) -> Comparison:
    return compare(better, worse) if better is not None and worse is not None else "untold"


def _data_mahalanobis(results: ScoreboardResults, upstream: Mapping[str, StepResults]) -> float:
    """The z-points' mean Mahalanobis distance the page prints: post IV's, measured once on all of them."""
    position = getattr(getattr(upstream.get("origin_slices"), "origin", None), "mahalanobis", None)
    return position.data_mean if position is not None else results.data_mahalanobis_mean


def findings(results: ScoreboardResults, upstream: Mapping[str, StepResults]) -> ScoreboardFindings | None:
    """The judgements of the scoreboard; None when nothing was scored (no decoder or no face measure)."""
    scored = results.generators
    if not scored:
        return None
    confidence = results.confidence_level
    by_name = {g.name: g for g in scored}
    others = [g for g in scored if g.name != CEILING]
    if not others:
        return None
    # The first group among the generators of new vectors alone: the reconstructions' interval
    # must not decide who leads them.
    groups = rank_groups([g.face_coverage for g in others], [g.face_coverage_interval for g in others])
    leaders = [g for g, group in zip(others, groups) if group == 1]
    winner = others[0]
    mixtures = [g for g in others if g.family == "mixture"]
    independent = [g for g in others if g.family == "independent"]
    normal, standard = by_name.get("normal"), by_name.get("standard-normal")
    best_mixture = mixtures[0] if mixtures else None
    best_independent = independent[0] if independent else None
    ceiling = by_name.get(CEILING)
    uniform = by_name.get("uniform")
    below_uniform = [g for g in scored if uniform is not None and compare(g, uniform) == "lower"]
    alike = [g for g in below_uniform if _more_faces(g, uniform, confidence)]
    radius = getattr(upstream.get("distributions"), "radius", None)
    data_length = radius.mean if radius is not None else None
    standard_below = standard is not None and standard in below_uniform
    with_ceiling = _alike(ceiling, others)
    return ScoreboardFindings(
        n_groups=max(g.rank_group for g in scored),
        all_alike=all(g.rank_group == scored[0].rank_group for g in scored),
        top=scored[0],
        ceiling=ceiling,
        ceiling_first=scored[0].name == CEILING,
        ceiling_apart=scored[0].name == CEILING and not with_ceiling,
        with_ceiling=with_ceiling,
        above_ceiling=[g for g in others if ceiling is not None and compare(g, ceiling) == "higher"],
        ceiling_low=ceiling is not None and ceiling.face_share < CEILING_LOW,
        ceiling_share=ceiling.face_share if ceiling else 0.0,
        ceiling_coverage=ceiling.face_coverage if ceiling else 0.0,
        more_faces_than_ceiling=[g for g in others if ceiling is not None and _more_faces(g, ceiling, confidence)
                                 and compare(g, ceiling) == "lower"],
        fewer_faint_than_ceiling=[g for g in others if ceiling is not None and _more_faces(g, ceiling, confidence)
                                  and _fewer_faint(g, ceiling, confidence)],
        ceiling_faint_nearer=ceiling is not None and _faint_nearer(ceiling),
        uniform_last=scored[-1].name == "uniform",
        uniform=uniform,
        uniform_alike=_alike(uniform, scored),
        below_uniform_alike=alike,
        below_uniform_alike_recall=max((g.recall for g in alike), default=0.0),
        below_uniform_fewer_faces=[g for g in below_uniform if g not in alike],
        data_length_mean=data_length,
        standard_normal_below_uniform=standard_below,
        standard_normal_below_uniform_by_scale=standard_below and data_length is not None
        and standard.length_mean > data_length and standard.mahalanobis_mean > uniform.mahalanobis_mean,
        standard_normal_length_ratio=standard.length_mean / data_length
        if standard is not None and data_length else None,
        leaders=leaders,
        leaders_in_later_group=[g for g in leaders if g.rank_group != winner.rank_group],
        winner_alone=len(leaders) == 1,
        winner=winner,
        runner_up=others[len(leaders)] if len(others) > len(leaders) else None,
        last=scored[-1],
        winner_correlated=winner.family in CORRELATED_FAMILIES,
        leaders_correlated=[g for g in leaders if g.family in CORRELATED_FAMILIES],
        leaders_all_correlated=all(g.family in CORRELATED_FAMILIES for g in leaders),
        winner_at_data_distance=abs(winner.mahalanobis_mean / _data_mahalanobis(results, upstream) - 1)
        <= DATA_DISTANCE_TOLERANCE,
        fit_helps=_versus(normal, standard),
        mixture_helps=_versus(best_mixture, normal),
        normal=normal,
        standard_normal=standard,
        best_mixture=best_mixture,
        mixtures_alike=_alike(best_mixture, mixtures),
        best_independent=best_independent,
        independent_alike=_alike(best_independent, independent),
        gap_to_ceiling=(ceiling.face_coverage - winner.face_coverage) if ceiling else 0.0,
    )

"""The scoreboard (`scoreboard`): every generator of the series scored on the same face measure.

`ScoreboardResults` is the step's stats.json (INTERFACE: `generators`, a list of
{"name", "n_decodes", "face_share", "precision", "recall", "density", "coverage", "fd", "kid"},
best first); `findings` turns it into the judgements the page states.

The ranking rule (`rank`): face coverage first, the share of real reference images whose k-NN
ball holds a decode that counts as a face (`FaceScorer.face_coverage`), then the Fréchet distance.
Face share alone rewards a collapsed set: decodes of narrow per-component intervals are nearly all
the same bland face, so nearly all count as faces, yet they reach one corner of the real faces
(their recall and coverage are near 0). That is why precision/recall and density/coverage were
introduced (Kynkäänniemi et al. 2019, Naeem et al. 2020) and why RAE ranks on FID. Face coverage
asks for both at once: faces, and faces like many different real ones.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar, Literal

from report.results import Record, StepResults

CEILING = "reconstructions"
CORRELATED_FAMILIES = ("normal", "mixture", "shell")  # generators that keep the covariance of the z-points
CLEAR_GAIN = 0.02  # a face coverage this much higher counts as a clear gain (2 % of the real balls)
CEILING_LOW = 0.2  # below this face share for reconstructions the measure sees too few faces to rank generators by
DATA_DISTANCE_TOLERANCE = 0.25  # vectors within 25 % of the real z-points' mean Mahalanobis distance lie "where they do"


class GeneratorScore(Record):
    """One generator's decodes on the face measure (scorer.score_set) and where its vectors lie."""

    name: str
    title: str
    family: Literal["ceiling", "independent", "path", "normal", "mixture", "shell"]
    post: str
    n_decodes: int
    face_share: float
    face_coverage: float  # share of real reference balls holding a decode that counts as a face (the ranking key)
    precision: float
    recall: float
    density: float
    coverage: float
    fd: float
    kid: float
    mahalanobis_mean: float  # mean Mahalanobis distance of its vectors from the centre (post VIII's fit)
    length_mean: float  # mean Euclidean length of its vectors
    rank: int  # 1 = best


class ScoreboardResults(StepResults):
    """The record of the scoreboard."""

    step: ClassVar[str] = "scoreboard"

    has_decoder: bool
    has_face_measure: bool
    n_decodes: int  # per generator
    z_dim: int
    data_mahalanobis_mean: float
    generators: list[GeneratorScore]  # best first: face coverage, then Fréchet distance
    primary_space: str | None = None  # the feature space of precision ... kid
    figure: str | None = None
    examples_figure: str | None = None


class ScoreboardFindings(Record):
    """What the scoreboard page states."""

    ceiling_first: bool  # reconstructions rank first
    ceiling_low: bool  # even reconstructions rarely count as faces: the ranking rests on a handful of decodes and FD
    ceiling_share: float
    ceiling_coverage: float  # the ceiling's face coverage
    more_faces_than_ceiling: list[GeneratorScore]  # higher face share than the reconstructions, yet ranked below
    uniform_last: bool
    uniform: GeneratorScore | None
    below_uniform_alike: list[GeneratorScore]  # ranked below uniform with more faces, but nearly one face (low recall)
    below_uniform_alike_recall: float  # the highest recall among them
    below_uniform_fewer_faces: list[GeneratorScore]  # ranked below uniform with no more faces than it
    data_length_mean: float | None  # mean length of all z-points (post II's radius.mean, which uniform's b matches)
    standard_normal_below_uniform: bool
    standard_normal_below_uniform_by_scale: bool  # ... and its vectors are longer than real ones and farther out than uniform's
    standard_normal_length_ratio: float | None  # N(0, I)'s mean vector length over the real z-points'
    winner: GeneratorScore  # the best generator besides the ceiling
    runner_up: GeneratorScore | None
    last: GeneratorScore
    winner_correlated: bool  # the winner keeps the covariance of the z-points
    winner_at_data_distance: bool  # the winner's vectors lie about as far from the centre as real z-points
    fit_helps: Literal["clearly", "slightly", "no"]  # N(mu, Sigma) against N(0, I)
    mixture_helps: Literal["clearly", "slightly", "no"]  # best mixture against N(mu, Sigma)
    normal: GeneratorScore | None
    standard_normal: GeneratorScore | None
    best_mixture: GeneratorScore | None
    best_independent: GeneratorScore | None
    gap_to_ceiling: float  # ceiling's face coverage minus the winner's


def rank(scores: list[dict]) -> list[dict]:
    """Generators best first: higher face coverage, then lower Fréchet distance; `rank` added from 1."""
    ordered = sorted(scores, key=lambda s: (-s["face_coverage"], s["fd"]))
    return [{**s, "rank": n} for n, s in enumerate(ordered, start=1)]


def _gain(better: GeneratorScore | None, worse: GeneratorScore | None) -> Literal["clearly", "slightly", "no"]:
    if better is None or worse is None:
        return "no"
    diff = better.face_coverage - worse.face_coverage
    return "clearly" if diff >= CLEAR_GAIN else "slightly" if diff > 0 else "no"


def _data_mahalanobis(results: ScoreboardResults, upstream: Mapping[str, StepResults]) -> float:
    """The z-points' mean Mahalanobis distance the page prints: post IV's, measured once on all of them."""
    position = getattr(getattr(upstream.get("origin_slices"), "origin", None), "mahalanobis", None)
    return position.data_mean if position is not None else results.data_mahalanobis_mean


def findings(results: ScoreboardResults, upstream: Mapping[str, StepResults]) -> ScoreboardFindings | None:
    """The judgements of the scoreboard; None when nothing was scored (no decoder or no face measure)."""
    scored = results.generators
    if not scored:
        return None
    by_name = {g.name: g for g in scored}
    others = [g for g in scored if g.name != CEILING]
    winner = others[0]
    mixtures = [g for g in others if g.family == "mixture"]
    independent = [g for g in others if g.family == "independent"]
    normal, standard = by_name.get("normal"), by_name.get("standard-normal")
    best_mixture = mixtures[0] if mixtures else None
    ceiling = by_name.get(CEILING)
    uniform = by_name.get("uniform")
    below_uniform = [g for g in scored if uniform and g.rank > uniform.rank]
    alike = [g for g in below_uniform if g.face_share > uniform.face_share]
    radius = getattr(upstream.get("distributions"), "radius", None)
    data_length = radius.mean if radius is not None else None
    standard_below = standard is not None and standard in below_uniform
    return ScoreboardFindings(
        ceiling_first=scored[0].name == CEILING,
        ceiling_low=ceiling is not None and ceiling.face_share < CEILING_LOW,
        ceiling_share=ceiling.face_share if ceiling else 0.0,
        ceiling_coverage=ceiling.face_coverage if ceiling else 0.0,
        more_faces_than_ceiling=[g for g in others if ceiling and g.face_share > ceiling.face_share
                                 and g.rank > ceiling.rank],
        uniform_last=scored[-1].name == "uniform",
        uniform=uniform,
        below_uniform_alike=alike,
        below_uniform_alike_recall=max((g.recall for g in alike), default=0.0),
        below_uniform_fewer_faces=[g for g in below_uniform if g not in alike],
        data_length_mean=data_length,
        standard_normal_below_uniform=standard_below,
        standard_normal_below_uniform_by_scale=standard_below and data_length is not None
        and standard.length_mean > data_length and standard.mahalanobis_mean > uniform.mahalanobis_mean,
        standard_normal_length_ratio=standard.length_mean / data_length
        if standard is not None and data_length else None,
        winner=winner,
        runner_up=others[1] if len(others) > 1 else None,
        last=scored[-1],
        winner_correlated=winner.family in CORRELATED_FAMILIES,
        winner_at_data_distance=abs(winner.mahalanobis_mean / _data_mahalanobis(results, upstream) - 1)
        <= DATA_DISTANCE_TOLERANCE,
        fit_helps=_gain(normal, standard),
        mixture_helps=_gain(best_mixture, normal),
        normal=normal,
        standard_normal=standard,
        best_mixture=best_mixture,
        best_independent=independent[0] if independent else None,
        gap_to_ceiling=(ceiling.face_coverage - winner.face_coverage) if ceiling else 0.0,
    )

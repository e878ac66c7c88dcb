"""Post III, step `correlations`: the results record of the Pearson correlations, and its findings.

The record (`results/correlations/stats.json`) holds the pair counts over thresholds, the strongly
correlated pairs, the same on a sample of the original's size, and what the figures show. The
findings turn these numbers into the judgements post III states: how far chance alone reaches, how
the run compares with the original's published counts, whether the strong correlations gather
among post II's dominant components, and whether correlated pairs are widespread.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar, Literal

from report import original as published
from report.results import Record, StepResults
from report.results.key_stat import KeyStat
from report.results.verdicts import ProjectionVerdict, projection_verdict

CHANCE_THRESHOLD = 0.1  # the |r| the post measures chance correlations against
CHANCE_NEGLIGIBLE_SDS = 5  # a threshold this many 1/sqrt(M) away: independent components give practically none
WIDESPREAD_SHARE = 0.1  # more than this share of all pairs above CHANCE_THRESHOLD: correlations are widespread
SAMPLE_CLOSE_SHARE = 0.1  # sample and full set agree when their listed pairs differ by at most this share ...
SAMPLE_CLOSE_SLACK = 2  # ... of the full set's count plus this many pairs
FAR_MORE_FACTOR = 10  # more than this x the original's pairs: "far more often than the original"
MORE_FACTOR = 2  # more than this x the original's pairs: "more strongly correlated pairs than the original"
TABLE_PAIRS_PER_ROW = 3  # pairs side by side in a row of Table 2


class CorrelatedPair(Record):
    """A pair of components i < j and their Pearson r."""

    i: int
    j: int
    r: float


class SampleCorrelations(Record):
    """The same counts on a random sample of the original's size (the whole set if it is smaller)."""

    n_points: int  # vectors in the sample
    pairs_above: dict[str, int]  # threshold ("0.1") -> pairs with |r| above it
    pairs: list[CorrelatedPair]  # pairs with |r| above pair_threshold, strongest first
    independent_sd: float  # 1/sqrt(n_points): the spread of r for independent components


class ScatterPlot(Record):
    """What the pair-scatter figure shows."""

    pairs: list[tuple[int, int]]  # the planes (i, j)
    n_points: int  # real z-points drawn per panel
    b: float  # half width of the red uniform vectors
    b_from_parameters: bool  # False: b is post II's matching b
    n_uniform: int  # red uniform vectors
    chosen_index: int  # row of the one real z-point shown in orange
    fallback_pairs: int  # pairs chosen among dominant components when none is strongly correlated (parameter)


class PlaneSight(Record):
    """The principal direction a plane mostly sees (0 = first) and its share of the plane's variance."""

    sees_axis: int
    sees_share: float


class OtherPlane(PlaneSight):
    """A plane chosen for the principal direction `axis` (stats.planes.distinct_planes)."""

    i: int
    j: int
    axis: int


class UniformView(Record):
    """The red uniform vectors of one scatter figure: in its planes and in the full space."""

    b: float
    n_uniform: int
    in_view: float  # share of their projections inside the central 98 % box of the blue points, over the panels
    inside_all: int  # vectors inside the real points' [min, max] in every component
    nearest_ratio: float  # median distance to the nearest real point / the real points' median nearest-neighbour distance


class Planes(Record):
    """Figures 3-5: the 500-point repeat and the other planes, one per principal direction."""

    base_b: float  # post II's matching b, or the parameters' scatter_b: the original's b = 1.5
    wide_b_factor: float  # the wide b = this x base_b: the original's b = 4.0
    first_axis_share: float  # variance share of the first principal direction
    scatter_sights: list[PlaneSight]  # per pair of Figure 2
    scatter_view: UniformView  # Figure 2's red points
    scatter_r: list[float]  # r of each pair of Figure 2, all vectors
    repeat_points: int
    repeat_r: list[float]  # r of each pair of Figure 2 on the repeat's points
    other: list[OtherPlane]
    other_r: list[float]
    other_points: int
    other_views: list[UniformView]  # [wide b, matching b]; empty without other planes
    candidates: int  # components tried per principal direction


class SliceStage(Record):
    """The points left after the filter ran over components first..last."""

    first: int
    last: int
    kept: int


class SliceFilter(Record):
    """Post III's printed filter |z_k| < t for every k outside a pair, stage by stage."""

    pair: tuple[int, int]
    t: float
    t_from_parameters: bool
    t_stds: float
    n_points: int
    stages: list[SliceStage]


class CorrelationsResults(StepResults):
    """Pearson correlations between the latent components over all vectors and over a sample."""

    step: ClassVar[str] = "correlations"

    n_points: int  # latent vectors
    z_dim: int  # components
    n_pairs_total: int  # z_dim (z_dim - 1) / 2
    pairs_above: dict[str, int]  # threshold ("0.1") -> pairs with |r| above it, all vectors
    pair_threshold: float  # pairs above this |r| are listed
    pairs: list[CorrelatedPair]  # pairs with |r| above pair_threshold, strongest first
    pairs_with_dominant: int  # listed pairs with at least one of post II's dominant components
    max_abs_r: float  # largest |r| over all pairs (constant components ignored)
    mean_abs_r: float  # mean |r| over all pairs (constant components ignored)
    independent_sd: float  # 1/sqrt(n_points): the spread of r for independent components
    sample: SampleCorrelations
    heatmap_components: list[int]  # the components of the heatmap figure
    scatter: ScatterPlot
    sample_size: int  # the requested sample size (parameter; `sample.n_points` is what the run had)
    heatmap_pairs: int  # without two dominant components, the heatmap shows the components of this many top pairs
    heatmap_fallback_components: int  # ... and without correlated pairs, the first this many components
    table_pairs: int  # strongly correlated pairs the post lists at most (parameter)
    planes: Planes
    slice_filter: SliceFilter


KEY_STATS = (
    KeyStat("correlations.pairs_above.*", "pairs with |r| above *", rtol=0.1, atol=2),
    KeyStat("correlations.max_abs_r", "largest |r| of a component pair", atol=0.02),
    KeyStat("correlations.mean_abs_r", "mean |r| over all component pairs", atol=0.02),
)


class ThresholdRow(Record):
    """One row of Table 1: pairs above a threshold, in all vectors, the sample and the original."""

    threshold: str
    count: int
    sample_count: int | None
    original: int | None


class ViewFinding(Record):
    """One sentence's worth about the red points of a figure."""

    b: float
    in_view: float
    inside_all: int
    n_uniform: int
    nearest_ratio: float
    verdict: ProjectionVerdict


class StageRow(Record):
    """One row of the slice-filter table: this run's stage beside the original's."""

    label: str  # "start" or "components a-b"
    kept: int | None
    original_label: str | None
    original: int | None


class CorrelationsFindings(Record):
    """What post III says about the correlations."""

    same_sample: bool  # the "sample" is the whole set (too few vectors to draw one)
    chance_threshold: float  # the |r| chance is measured against (0.1)
    chance_counted: bool  # pairs_above has a count at chance_threshold
    n_above_chance: int  # pairs above chance_threshold (the listed pairs when not counted)
    chance_sds: float  # chance_threshold in units of the spread of r for independent components
    chance_negligible: bool  # chance alone puts practically no pair above chance_threshold
    widespread: bool  # more than WIDESPREAD_SHARE of all pairs lie above chance_threshold
    n_listed: int  # pairs above pair_threshold
    n_sample_listed: int
    sample_agreement: Literal["same_set", "close", "different"]
    original_pair_threshold: float
    original_listed: int | None  # the original's count at this run's pair_threshold, if it published one
    original_list_count: int | None  # the original's list (16), when this run lists at the original's threshold
    versus_original: Literal["not_comparable", "far_more", "more", "similar", "none"]
    dominant_share: Literal["all", "most", "few"]  # how many listed pairs involve a dominant component
    n_dominant: int  # dominant components of post II
    heatmap_is_dominant: bool  # the heatmap shows exactly the dominant components
    table_truncated: bool  # Table 2 shows only the strongest table_pairs
    table_columns: int  # pairs side by side in Table 2
    table_rows: list[list[CorrelatedPair]]  # Table 2, row by row
    threshold_rows: list[ThresholdRow]  # Table 1
    pattern: Literal["widespread", "few_strong", "none"]  # the closing judgement
    scatter_directions: list[int]  # principal directions (1 = first) Figure 2's planes mostly see
    scatter_one_direction: bool  # every plane of Figure 2 mostly sees the same direction
    scatter_sees_first: bool  # ... and that direction is the first
    filter_kept: int  # z-points left after the last stage of the filter
    scatter_view: ViewFinding
    repeat_max_shift: float  # largest |r(repeat) - r(all)| over Figure 2's pairs
    other_directions: list[int]  # per other plane, the direction (1 = first) it mostly sees
    other_chosen_for: list[int]  # per other plane, the direction (1 = first) it was chosen for
    other_distinct: bool  # no two other planes see the same direction
    other_views: list[ViewFinding]  # [wide b, matching b]
    stage_rows: list[StageRow]
    filter_kept_share: float  # share of the sample left after all stages


def chance_judgement(results: CorrelationsResults) -> tuple[float, bool]:
    """CHANCE_THRESHOLD in standard deviations of r for independent components, and whether that is far.

    The larger spread of the two estimates (all vectors, sample) counts; with one set, its own.
    """
    same_sample = results.sample.n_points == results.n_points
    largest_sd = results.independent_sd if same_sample else results.sample.independent_sd
    return CHANCE_THRESHOLD / largest_sd, CHANCE_NEGLIGIBLE_SDS * largest_sd <= CHANCE_THRESHOLD


def sample_agreement(n_listed: int, n_sample_listed: int, same_sample: bool) -> str:
    """Whether the sample lists about as many strong pairs as the full set."""
    if same_sample:
        return "same_set"
    close = abs(n_sample_listed - n_listed) <= SAMPLE_CLOSE_SHARE * n_listed + SAMPLE_CLOSE_SLACK
    return "close" if close else "different"


def versus_original(n_listed: int, original_listed: int | None) -> str:
    """This run's strong pairs against the original's count at the same threshold."""
    if original_listed is None:
        return "not_comparable"
    if n_listed > FAR_MORE_FACTOR * original_listed:
        return "far_more"
    if n_listed > MORE_FACTOR * original_listed:
        return "more"
    return "similar" if n_listed > 0 else "none"


def dominant_share(pairs_with_dominant: int, n_listed: int) -> str:
    """All, most (more than half) or few of the listed pairs involve a dominant component."""
    if pairs_with_dominant == n_listed:
        return "all"
    return "most" if pairs_with_dominant > n_listed / 2 else "few"


def table_rows(pairs: list[CorrelatedPair], limit: int,
               per_row: int = TABLE_PAIRS_PER_ROW) -> list[list[CorrelatedPair]]:
    """The first `limit` pairs, `per_row` to a row."""
    shown = pairs[:limit]
    return [shown[start : start + per_row] for start in range(0, len(shown), per_row)]


def view_finding(view: UniformView) -> ViewFinding:
    """Misleads: the projections put most red points among the blue ones, the full space puts them far away."""
    return ViewFinding(b=view.b, in_view=view.in_view, inside_all=view.inside_all, n_uniform=view.n_uniform,
                       nearest_ratio=view.nearest_ratio, verdict=projection_verdict(view.in_view, view.nearest_ratio))


def stage_rows(slice_filter: SliceFilter) -> list[StageRow]:
    """This run's filter stages beside the original's (5,000 -> 101 -> 80 -> 60)."""
    own = [("start", slice_filter.n_points)] + [
        (f"components {s.first}–{s.last}" if s.first != s.last else f"component {s.first}", s.kept)
        for s in slice_filter.stages]
    rows = []
    for n in range(max(len(own), len(published.SLICE_STAGES))):
        label, kept = own[n] if n < len(own) else ("", None)
        original_label, original = published.SLICE_STAGES[n] if n < len(published.SLICE_STAGES) else (None, None)
        rows.append(StageRow(label=label, kept=kept,
                             original_label=None if original_label == "start" else original_label, original=original))
    return rows


def findings(results: CorrelationsResults, upstream: Mapping[str, StepResults]) -> CorrelationsFindings:
    """The judgements of post III from the correlations record (and post II's dominant components)."""
    distributions = upstream.get("distributions")
    dominant = list(getattr(distributions, "dominant", []) or [])
    n_listed = len(results.pairs)
    same_sample = results.sample.n_points == results.n_points
    chance_key = f"{CHANCE_THRESHOLD:g}"
    chance_counted = chance_key in results.pairs_above
    n_above_chance = results.pairs_above.get(chance_key, n_listed)
    widespread = n_above_chance > WIDESPREAD_SHARE * results.n_pairs_total
    chance_sds, chance_negligible = chance_judgement(results)
    threshold_key = f"{results.pair_threshold:g}"
    original_listed = published.PAIRS_ABOVE.get(threshold_key)
    limit = results.table_pairs
    planes = results.planes
    if n_listed == 0:
        pattern = "none"
    else:
        pattern = "widespread" if widespread else "few_strong"
    return CorrelationsFindings(
        same_sample=same_sample,
        chance_threshold=CHANCE_THRESHOLD,
        chance_counted=chance_counted,
        n_above_chance=n_above_chance,
        chance_sds=chance_sds,
        chance_negligible=chance_negligible,
        widespread=widespread,
        n_listed=n_listed,
        n_sample_listed=len(results.sample.pairs),
        sample_agreement=sample_agreement(n_listed, len(results.sample.pairs), same_sample),
        original_pair_threshold=published.PAIR_THRESHOLD,
        original_listed=original_listed,
        original_list_count=(published.PAIRS_ABOVE[f"{published.PAIR_THRESHOLD:g}"]
                             if results.pair_threshold == published.PAIR_THRESHOLD else None),
        versus_original=versus_original(n_listed, original_listed),
        dominant_share=dominant_share(results.pairs_with_dominant, n_listed),
        n_dominant=len(dominant),
        heatmap_is_dominant=results.heatmap_components == dominant,
        table_truncated=n_listed > limit,
        table_columns=min(TABLE_PAIRS_PER_ROW, n_listed),
        table_rows=table_rows(results.pairs, limit),
        threshold_rows=[
            ThresholdRow(threshold=key, count=count, sample_count=results.sample.pairs_above.get(key),
                         original=published.PAIRS_ABOVE.get(key))
            for key, count in results.pairs_above.items()
        ],
        pattern=pattern,
        scatter_directions=sorted({s.sees_axis + 1 for s in planes.scatter_sights}),
        scatter_one_direction=len({s.sees_axis for s in planes.scatter_sights}) == 1,
        scatter_sees_first={s.sees_axis for s in planes.scatter_sights} == {0},
        filter_kept=results.slice_filter.stages[-1].kept if results.slice_filter.stages else results.slice_filter.n_points,
        scatter_view=view_finding(planes.scatter_view),
        repeat_max_shift=max((abs(a - b) for a, b in zip(planes.repeat_r, planes.scatter_r)), default=0.0),
        other_directions=[p.sees_axis + 1 for p in planes.other],
        other_chosen_for=[p.axis + 1 for p in planes.other],
        other_distinct=len({p.sees_axis for p in planes.other}) == len(planes.other),
        other_views=[view_finding(v) for v in planes.other_views],
        stage_rows=stage_rows(results.slice_filter),
        filter_kept_share=(results.slice_filter.stages[-1].kept / results.slice_filter.n_points
                           if results.slice_filter.stages else 1.0),
    )

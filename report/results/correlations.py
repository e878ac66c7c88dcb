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

from report.results import Record, StepResults

# The original's published counts (CelebA, N = 256, M = 5,000): pairs with |r| above each threshold.
ORIGINAL_PAIRS_ABOVE: dict[str, int] = {"0.1": 1456, "0.2": 158, "0.3": 44, "0.4": 25, "0.5": 16, "0.6": 8}
ORIGINAL_PAIR_THRESHOLD = 0.5  # the original listed its pairs above this |r| (16 of them)
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


class ThresholdRow(Record):
    """One row of Table 1: pairs above a threshold, in all vectors, the sample and the original."""

    threshold: str
    count: int
    sample_count: int | None
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


def chance_judgement(results: CorrelationsResults) -> tuple[float, bool]:
    """CHANCE_THRESHOLD in standard deviations of r for independent components, and whether that is far.

    The larger spread of the two estimates (all vectors, sample) counts; with one set, its own.
    """
    same_sample = results.sample.n_points == results.n_points
    largest_sd = results.independent_sd if same_sample else results.sample.independent_sd
    return CHANCE_THRESHOLD / largest_sd, CHANCE_THRESHOLD >= CHANCE_NEGLIGIBLE_SDS * largest_sd


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
    original_listed = ORIGINAL_PAIRS_ABOVE.get(threshold_key)
    limit = results.table_pairs
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
        original_pair_threshold=ORIGINAL_PAIR_THRESHOLD,
        original_listed=original_listed,
        original_list_count=(ORIGINAL_PAIRS_ABOVE[f"{ORIGINAL_PAIR_THRESHOLD:g}"]
                             if results.pair_threshold == ORIGINAL_PAIR_THRESHOLD else None),
        versus_original=versus_original(n_listed, original_listed),
        dominant_share=dominant_share(results.pairs_with_dominant, n_listed),
        n_dominant=len(dominant),
        heatmap_is_dominant=results.heatmap_components == dominant,
        table_truncated=n_listed > limit,
        table_columns=min(TABLE_PAIRS_PER_ROW, n_listed),
        table_rows=table_rows(results.pairs, limit),
        threshold_rows=[
            ThresholdRow(threshold=key, count=count, sample_count=results.sample.pairs_above.get(key),
                         original=ORIGINAL_PAIRS_ABOVE.get(key))
            for key, count in results.pairs_above.items()
        ],
        pattern=pattern,
    )

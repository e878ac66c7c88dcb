"""The comparison page: this run's key statistics beside those of the comparable variants built beside it.

Variants built from other data or with another z_dim (`report.compare.setup_differences`) are listed
with the reason and left out of the table: their numbers differ by the setup, not by drift.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from pathlib import Path

from report import keystats
from report.compare import run_parameters, setup_differences
from report.errors import ReportError
from report.original import ORIGINAL_KEY_STATS
from report.pipeline.steps import STEPS_BY_NAME
from report.render.environment import roman

OTHER_GROUP = "Other statistics"  # keys no definition knows (a neighbour from an older or newer version)


def key_stats_files(run_dir: Path) -> dict[str, Path]:
    """results/key_stats.json of this run and of every other variant under the same build root."""
    found = {}
    for path in sorted(run_dir.parent.glob(f"*/results/{keystats.KEY_STATS_FILE}")):
        found[path.parent.parent.name] = path
    return found


def neighbour_setups(run_dir: Path) -> dict[str, str]:
    """The other variants' parameters as text (their manifest's), so that a changed setup re-renders this page."""
    return {name: json.dumps(run_parameters(path.parent.parent), sort_keys=True)
            for name, path in key_stats_files(run_dir).items() if name != run_dir.name}


PAGE_HEADINGS = {"scoreboard": "Scoreboard", "filaments": "Filaments"}  # pages outside the numbered series


def group_heading(key: str, post_titles: Mapping[int, str]) -> tuple[int, str]:
    """The post a key statistic belongs to, as (its number for ordering, its heading).

    The step before the first dot names the step, whose post numbers the group; the scoreboard
    (no post of the series) and keys no step knows come last.
    """
    step = STEPS_BY_NAME.get(key.split(".", 1)[0])
    if step is None:
        return len(STEPS_BY_NAME) + len(post_titles) + 1, OTHER_GROUP
    if step.post not in post_titles:
        return step.post, PAGE_HEADINGS.get(step.name, step.name)
    return step.post, f"Post {roman(step.post)}: {post_titles[step.post]}"


def comparison_context(run_dir: Path, parameters: Mapping, post_titles: Mapping[int, str]) -> dict:
    """This run's key statistics beside those of the comparable variants, grouped by post.

    Args:
        run_dir: build/<variant> of this run; the other variants are its siblings.
        parameters: This run's parameters, JSON-native (as manifest.json holds them).
        post_titles: {post number: title} of the series' posts.

    Returns:
        {"columns": [{"variant", "current", "n_beyond", "n_shared"}] with this variant first, then the
        comparable ones; "others": their names; "set_apart": [{"variant", "reason"}] for variants
        of another setup or unknown parameters; "table_columns": the table's width in cells; "groups": [{"heading", "rows": [{"key", "label",
        "tolerance", "cells": [{"value", "beyond"}], "original", "original_where"}]}]}. "beyond"
        marks a neighbour's value outside the tolerance around this run's value; "original" is
        the original series' published value (None where it published none).
    """
    stats = {}
    for name, path in key_stats_files(run_dir).items():
        try:
            stats[name] = keystats.load(path)
        except ReportError as err:  # a broken neighbour must not stop this variant's site
            logging.getLogger(__name__).warning("comparison page leaves out %s", err)
    own = stats.pop(run_dir.name, {})
    comparable, set_apart = [], []
    for name in sorted(stats):
        theirs = run_parameters(run_dir.parent / name)
        if theirs is None:
            set_apart.append({"variant": name, "reason": "its parameters are unknown (it has no manifest.json)"})
            continue
        differences = setup_differences(parameters, theirs)
        if differences:
            set_apart.append({"variant": name,
                              "reason": "; ".join(d.describe("this run") for d in differences)})
        else:
            comparable.append(name)
    names = [run_dir.name, *comparable]
    stats[run_dir.name] = own
    groups: dict[tuple[int, str], list[dict]] = {}
    for key in keystats.order(set().union(*(stats[name] for name in names))):
        definition = keystats.definition(key)
        mine = own.get(key)
        cells = [
            {"value": stats[name].get(key),
             "beyond": name != run_dir.name and mine is not None and stats[name].get(key) is not None
             and not definition.within(mine, stats[name][key])}
            for name in names
        ]
        published = ORIGINAL_KEY_STATS.get(key)
        groups.setdefault(group_heading(key, post_titles), []).append({
            "key": key, "label": keystats.label(key),
            "original": None if published is None else published.value,
            "original_where": None if published is None else published.where,
            "tolerance": definition.tolerance_shown.replace(" ", "\u00a0"),  # never wrapped
            "cells": cells})
    rows = [row for group in groups.values() for row in group]
    columns = [
        {"variant": name, "current": i == 0,
         "n_beyond": sum(row["cells"][i]["beyond"] for row in rows),
         "n_shared": sum(row["cells"][i]["value"] is not None and row["cells"][0]["value"] is not None for row in rows)}
        for i, name in enumerate(names)
    ]
    return {"columns": columns, "others": comparable, "set_apart": set_apart,
            "table_columns": len(columns) + 3,  # statistic, tolerance, the runs, the original's
            "groups": [{"heading": heading, "rows": group} for (_, heading), group in sorted(groups.items())]}

"""The comparison page: this run's key statistics beside those of the other variants built beside it."""

from __future__ import annotations

import logging
from pathlib import Path

from report import keystats
from report.original import ORIGINAL_KEY_STATS
from report.errors import ReportError


def key_stats_files(run_dir: Path) -> dict[str, Path]:
    """results/key_stats.json of this run and of every other variant under the same build root."""
    found = {}
    for path in sorted(run_dir.parent.glob(f"*/results/{keystats.KEY_STATS_FILE}")):
        found[path.parent.parent.name] = path
    return found


def comparison_context(run_dir: Path) -> dict:
    """The comparison page: this run's key statistics beside those of the other variants built beside it.

    Returns:
        {"columns": [{"variant", "link" (their comparison page or None), "current"}, ...] with this
        variant first, "others": the other variants' names, "rows": [{"key", "label", "tolerance",
        "cells": [{"value", "beyond"}, ...], "original", "original_where"}] where "original" is the
        original series' published CelebA value (None where it published none) and "beyond" marks a value outside the key's
        tolerance around this variant's value}.
    """
    files = key_stats_files(run_dir)
    stats = {}
    for name, path in files.items():
        try:
            stats[name] = keystats.load(path)
        except ReportError as err:  # a broken neighbour must not stop this variant's site
            logging.getLogger(__name__).warning("comparison page leaves out %s", err)
    own = stats.pop(run_dir.name, {})
    names = [run_dir.name, *sorted(stats)]
    stats[run_dir.name] = own
    columns = [
        {"variant": name, "current": name == run_dir.name,
         "link": None}  # no link leaves the site: it must stay publishable alone
        for name in names
    ]
    rows = []
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
        rows.append({"key": key, "label": keystats.label(key),
                     "original": None if published is None else published.value,
                     "original_where": None if published is None else published.where,
                     "tolerance": definition.tolerance_text.replace(" ", "\u00a0"),  # never wrapped
                     "cells": cells})
    return {"columns": columns, "others": names[1:], "rows": rows}

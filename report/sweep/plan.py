"""The task graph of a sweep: one task per (variant, step), its dependencies from the step graph.

Steps whose inputs are the same in several variants (the same parameters, seed and upstream
inputs, e.g. the `data` step of a sweep over `model.z_dim`) run once: the first variant's task
computes, the others' tasks wait for it and take its results over (see `tasks.adopt`).
"""

from __future__ import annotations

from dataclasses import dataclass

from report.pipeline import hashing
from report.pipeline.run import select_steps
from report.pipeline.steps import Step, steps_for
from report.sweep.spec import Sweep, Variant


@dataclass(frozen=True)
class PlannedStep:
    """One task: a step of a variant, the tasks it waits for and the variant it shares results with."""

    variant: str
    step: str
    needs: tuple[str, ...]
    leader: str | None = None  # the variant whose task computes this step's results, when it is not this one
    uses_gpu: bool = False

    @property
    def key(self) -> str:
        return task_key(self.variant, self.step)


def task_key(variant: str, step: str) -> str:
    """The Dask key and the name reports give a task: `<variant>/<step>`."""
    return f"{variant}/{step}"


def sharing_key(step: Step, variant: Variant, upstream: dict[str, str]) -> str:
    """Equal across variants exactly when the step's parameters, seed and upstream inputs are equal."""
    params = variant.params
    return hashing.combined({"step": step.name, "parameters": {**step.section(params), **step.shared_section(params)},
                             "seed": step.seed(params), "source": params.data.source, "upstream": upstream})


def variant_steps(variant: Variant, only: str | None) -> list[Step]:
    """The steps a variant builds, in execution order (with `only`, that step and what it needs)."""
    steps = steps_for(variant.params)
    chosen = select_steps(steps, only)
    return [step for step in steps if step.name in chosen]


def plan(sweep: Sweep) -> list[PlannedStep]:
    """Every task of the sweep, each after the tasks it needs (variant by variant, steps in order)."""
    leaders: dict[str, str] = {}
    tasks = []
    for variant in sweep.variants:
        keys: dict[str, str] = {}
        for step in variant_steps(variant, sweep.spec.only):
            needs = tuple(name for name in step.needs if name in keys)
            keys[step.name] = sharing_key(step, variant, {name: keys[name] for name in needs})
            leader = leaders.setdefault(keys[step.name], variant.name)
            needed = tuple(task_key(variant.name, name) for name in needs)
            if leader != variant.name:
                needed += (task_key(leader, step.name),)
            tasks.append(PlannedStep(variant.name, step.name, needed, None if leader == variant.name else leader,
                                     step.uses_gpu))
    return tasks

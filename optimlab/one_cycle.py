"""The one-cycle policy (Smith & Topin 2018) as torch.optim.lr_scheduler.OneCycleLR computes it
(two phases, cosine annealing, momentum cycled): the learning rate and the momentum for update t.

    lr, momentum = one_cycle(t, lr=0.1, total_steps=100)
    lr, momentum = OneCycle(lr=0.1, total_steps=100).at(t)   # the same, settings checked once

Update t = 1, 2, … uses the scheduler's step number s = t − 1 (torch sets the values for the
first update when the scheduler is built, then steps the scheduler after each update).

- phase 1, s from 0 to p·T − 1: lr climbs from lr/div_factor to lr while the momentum falls from
  max_momentum to base_momentum;
- phase 2, s from p·T − 1 to T − 1: lr falls to lr/(div_factor·final_div_factor) while the momentum
  climbs back to max_momentum.

Within a phase from s0 to s1 the fraction is q = (s − s0)/(s1 − s0) and a value goes from a to b
as b + (a − b)·(1 + cos(πq))/2. The phase boundary p·T − 1 need not be a whole number: the first
step past it already belongs to phase 2, measured from the boundary itself. Pure Python, no
NumPy; tests/optimlab/goldens/one_cycle.json holds torch's values.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Phase:
    end_step: float  # the scheduler step number where the phase ends (phase 1: p·T − 1)
    start_lr: float
    end_lr: float
    start_momentum: float
    end_momentum: float


def cosine_anneal(start: float, end: float, fraction: float) -> float:
    """From `start` at fraction 0 to `end` at fraction 1 along half a cosine."""
    return end + (start - end) / 2.0 * (math.cos(math.pi * fraction) + 1)


@dataclass(frozen=True)
class OneCycle:
    """The settings of one cycle, named and defaulted as OneCycleLR's; ValueError on building
    settings that make no cycle, naming the first setting at fault."""

    lr: float
    total_steps: int = 100
    pct_start: float = 0.3
    div_factor: float = 25.0
    final_div_factor: float = 1e4
    base_momentum: float = 0.85
    max_momentum: float = 0.95

    def __post_init__(self) -> None:
        total_steps, pct_start = self.total_steps, self.pct_start
        if isinstance(total_steps, bool) or not isinstance(total_steps, int) or total_steps < 1:
            raise ValueError(f"one-cycle: total_steps must be a whole number >= 1, got {total_steps!r}")
        if not 0 < pct_start < 1:
            raise ValueError(f"one-cycle: pct_start must be strictly between 0 and 1, got {pct_start!r}")
        if not pct_start * total_steps > 1:
            raise ValueError(
                f"one-cycle: pct_start * total_steps must exceed 1 (the warm-up needs at least one step), "
                f"got {pct_start * total_steps:g}"
            )
        if not (self.lr > 0 and self.div_factor > 0 and self.final_div_factor > 0):
            raise ValueError("one-cycle: lr, div_factor and final_div_factor must be > 0")
        if not 0 <= self.base_momentum <= self.max_momentum < 1:
            raise ValueError(
                "one-cycle: need 0 <= base_momentum <= max_momentum < 1, "
                f"got {self.base_momentum!r} and {self.max_momentum!r}"
            )

    def phases(self) -> tuple[Phase, Phase]:
        initial_lr = self.lr / self.div_factor
        return (
            Phase(
                float(self.pct_start * self.total_steps) - 1,
                initial_lr,
                self.lr,
                self.max_momentum,
                self.base_momentum,
            ),
            Phase(
                float(self.total_steps - 1),
                self.lr,
                initial_lr / self.final_div_factor,
                self.base_momentum,
                self.max_momentum,
            ),
        )

    def at(self, t: int) -> tuple[float, float]:
        """(learning rate, momentum) for update t (t = 1 is the first); ValueError past
        total_steps + 1 updates (torch refuses to step its scheduler beyond total_steps)."""
        step_num = t - 1
        if not 0 <= step_num <= self.total_steps:
            raise ValueError(f"one-cycle: update {t} is outside the cycle of {self.total_steps} steps")
        start = 0.0
        first, second = self.phases()
        phase = first if step_num <= first.end_step else second
        if phase is second:
            start = first.end_step
        fraction = (step_num - start) / (phase.end_step - start)
        return (
            cosine_anneal(phase.start_lr, phase.end_lr, fraction),
            cosine_anneal(phase.start_momentum, phase.end_momentum, fraction),
        )


def one_cycle(
    t: int,
    *,
    lr: float,
    total_steps: int = 100,
    pct_start: float = 0.3,
    div_factor: float = 25.0,
    final_div_factor: float = 1e4,
    base_momentum: float = 0.85,
    max_momentum: float = 0.95,
) -> tuple[float, float]:
    """(learning rate, momentum) for update t (t = 1 is the first); ValueError past total_steps + 1
    updates (torch refuses to step its scheduler beyond total_steps) or for settings that make no
    cycle."""
    return OneCycle(lr, total_steps, pct_start, div_factor, final_div_factor, base_momentum, max_momentum).at(
        t
    )

"""The one typed result of grading a submission: stored as-is (`to_dict`) and rendered by one template.

status:
- "passed": every problem agrees with the reference step by step;
- "failed": gradable, but some trajectory departs from the reference;
- "error": not gradable (syntax error, missing functions, a step that raises on every problem,
  a sandbox limit hit, unreadable output); not the same as a score of 0.
"""

from dataclasses import asdict, dataclass, field
from typing import Any

STATUSES = ("passed", "failed", "error")
SANDBOX_OUTCOMES = (
    "completed",
    "timeout",
    "memory",
    "output_too_large",
    "crashed",
    "invalid_output",
    "load_error",
)


@dataclass
class Verdict:
    status: str
    score: float
    fidelity: float
    convergence: float
    message: str
    sandbox_outcome: str
    step_calls: int = 0
    diagnosis: list[dict[str, str]] = field(default_factory=list)  # {"name", "title", "explanation"}
    output: str = ""
    problems: list[dict[str, Any]] = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            raise ValueError(f"status must be one of {STATUSES}, got {self.status!r}")
        if self.sandbox_outcome not in SANDBOX_OUTCOMES:
            raise ValueError(
                f"sandbox_outcome must be one of {SANDBOX_OUTCOMES}, got {self.sandbox_outcome!r}"
            )

    @property
    def passed(self) -> bool:
        return self.status == "passed"

    @property
    def diagnosis_names(self) -> list[str]:
        return [entry["name"] for entry in self.diagnosis]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Verdict":
        known = set(cls.__dataclass_fields__)
        return cls(**{key: value for key, value in data.items() if key in known})

    @classmethod
    def error(cls, outcome: str, message: str, *, output: str = "", step_calls: int = 0) -> "Verdict":
        return cls(
            status="error",
            score=0.0,
            fidelity=0.0,
            convergence=0.0,
            message=message,
            sandbox_outcome=outcome,
            step_calls=step_calls,
            output=output,
        )

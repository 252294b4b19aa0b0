"""The one typed result of grading a submission: stored as-is (`to_dict`) and rendered by one template.

status (`VerdictStatus`):
- "passed": every problem agrees with the reference step by step;
- "failed": gradable, but some trajectory departs from the reference;
- "error": not gradable (syntax error, missing functions, a step that raises on every problem,
  a sandbox limit hit, unreadable output); not the same as a score of 0.

Both enums are `StrEnum`s: a member equals its string value, and a stored verdict (JSON) holds the
plain strings, so verdicts stored before the enums existed read back unchanged.
"""

from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any


class VerdictStatus(StrEnum):
    PASSED = "passed"
    FAILED = "failed"
    ERROR = "error"


class SandboxOutcome(StrEnum):
    COMPLETED = "completed"
    TIMEOUT = "timeout"
    MEMORY = "memory"
    OUTPUT_TOO_LARGE = "output_too_large"
    CRASHED = "crashed"
    INVALID_OUTPUT = "invalid_output"
    LOAD_ERROR = "load_error"


STATUSES = tuple(VerdictStatus)
SANDBOX_OUTCOMES = tuple(SandboxOutcome)
GRADABLE = frozenset({VerdictStatus.PASSED, VerdictStatus.FAILED})  # the code ran and was judged


def is_gradable(verdict: object) -> bool:
    """Whether a stored verdict (a `to_dict()` mapping) says the code was judged, passed or failed."""
    return isinstance(verdict, dict) and verdict.get("status") in GRADABLE


@dataclass
class Verdict:
    status: VerdictStatus
    score: float
    fidelity: float
    convergence: float
    message: str
    sandbox_outcome: SandboxOutcome
    step_calls: int = 0
    diagnosis: list[dict[str, str]] = field(default_factory=list)  # {"name", "title", "explanation"}
    output: str = ""
    problems: list[dict[str, Any]] = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            raise ValueError(f"status must be one of {[str(s) for s in STATUSES]}, got {self.status!r}")
        if self.sandbox_outcome not in SANDBOX_OUTCOMES:
            raise ValueError(
                f"sandbox_outcome must be one of {[str(o) for o in SANDBOX_OUTCOMES]}, "
                f"got {self.sandbox_outcome!r}"
            )
        self.status = VerdictStatus(self.status)
        self.sandbox_outcome = SandboxOutcome(self.sandbox_outcome)

    @property
    def passed(self) -> bool:
        return self.status == VerdictStatus.PASSED

    @property
    def diagnosis_names(self) -> list[str]:
        return [entry["name"] for entry in self.diagnosis]

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON types only (the enums as their strings), as stored in `Submission.verdict`."""
        data = asdict(self)
        data["status"], data["sandbox_outcome"] = str(self.status), str(self.sandbox_outcome)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Verdict":
        known = set(cls.__dataclass_fields__)
        return cls(**{key: value for key, value in data.items() if key in known})

    @classmethod
    def error(
        cls, outcome: SandboxOutcome, message: str, *, output: str = "", step_calls: int = 0
    ) -> "Verdict":
        return cls(
            status=VerdictStatus.ERROR,
            score=0.0,
            fidelity=0.0,
            convergence=0.0,
            message=message,
            sandbox_outcome=outcome,
            step_calls=step_calls,
            output=output,
        )

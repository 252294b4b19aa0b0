"""Generate torch golden data for the reference optimizers, schedules and gradient clipping.

The tests in tests/optimlab replay every case with optimlab (NumPy only) and require agreement
to a relative error of 1e-10, so they never need torch. Re-run this script only when a case is
added or torch's behaviour is being re-checked; its output is committed.

torch must not go into the project's virtualenv (it would pull gigabytes of CUDA wheels), so
run it from a throwaway Python 3.11 environment with the CPU build:

    python3.11 -m venv ~/torch-goldens
    ~/torch-goldens/bin/pip install numpy torch==2.13.0 --index-url https://download.pytorch.org/whl/cpu
    ~/torch-goldens/bin/python scripts/make_goldens.py

It writes, atomically, into tests/optimlab/goldens/:
    trajectories.json   one entry per case: optimizer, problem, hp (optimlab names, complete),
                        the torch call it corresponds to, optional lr schedule; plus problem data
    trajectories.npz    for each case id, all steps + 1 parameter snapshots (row 0 = start)
    schedules.json      learning rates torch's schedulers give for steps t = 1..N
    clipping.json       inputs and outputs of torch.nn.utils.clip_grad_norm_ / clip_grad_value_
    one_cycle.json      OneCycleLR's lr and momentum per update, and SGD with momentum under it

Gradients come from torch autograd on closed-form losses written here (independently of
optimlab.problems); the tests re-derive the same gradients by hand in NumPy.

A full re-run on another machine may change the least-squares trajectories in their last bits
(the matrix product's summation order differs), which a few sensitive cases (RMSProp hovering
near the minimum) amplify beyond 1e-10. The Adafactor cases and one_cycle.json were therefore
added (torch 2.13.0+cpu) without rewriting the entries already committed: run `build_trajectories`
or `build_one_cycle` and merge only the new entries.
"""

from __future__ import annotations

import io
import json
import math
import os
import sys
import tempfile
from pathlib import Path

import numpy as np
import torch

OUT_DIR = Path(__file__).resolve().parent.parent / "tests" / "optimlab" / "goldens"
STEPS = 200
DTYPE = torch.float64

# --- problems: closed-form losses; autograd supplies the gradients -------------------------

LSQ_A = [[1.0, 0.5, -0.3], [0.2, -1.0, 0.8], [0.6, 0.1, 1.2], [-0.4, 0.9, 0.3]]
LSQ_B = [[1.0, -2.0], [0.5, 0.3], [-1.0, 1.5], [2.0, 0.0]]


def _quadratic(x):
    return 0.1 * x[0] ** 2 + 2 * x[1] ** 2


def _rosenbrock(x):
    return (1 - x[0]) ** 2 + 100 * (x[1] - x[0] ** 2) ** 2


def _least_squares(w):
    a = torch.tensor(LSQ_A, dtype=DTYPE)
    b = torch.tensor(LSQ_B, dtype=DTYPE)
    residual = a @ w - b
    return 0.5 * (residual**2).sum() / a.shape[0]


def _scalar_parabola(x):
    return x**2


PROBLEMS = {
    "ill-conditioned-quadratic": {"loss": _quadratic, "start": [-5.0, -2.0], "gd_lr": 0.1},
    "rosenbrock": {"loss": _rosenbrock, "start": [-1.2, 1.0], "gd_lr": 5e-4},
    "least-squares-3x2": {
        "loss": _least_squares,
        "start": [[0.5, -0.5], [1.0, 0.0], [-1.0, 0.5]],
        "gd_lr": 0.3,
        "data": {"A": LSQ_A, "B": LSQ_B},
    },
    "scalar-parabola": {"loss": _scalar_parabola, "start": 10.0, "gd_lr": 0.1},
}

# --- optimizers: optimlab name -> (torch constructor, optimlab defaults, hp settings) ----------


def _sgd_kwargs(hp, *, momentum: bool, nesterov: bool = False):
    kwargs = {"lr": hp["lr"], "weight_decay": hp["weight_decay"], "nesterov": nesterov}
    if momentum:
        kwargs["momentum"] = hp["beta"]
    return kwargs


def _adam_kwargs(hp):
    betas = (hp["beta1"], hp["beta2"])
    return {"lr": hp["lr"], "betas": betas, "eps": hp["eps"], "weight_decay": hp["weight_decay"]}


ADAM = {"lr": 1e-3, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "weight_decay": 0.0}
OPTIMIZERS = {
    "sgd": (torch.optim.SGD, {"lr": 1e-3, "weight_decay": 0.0}, lambda hp: _sgd_kwargs(hp, momentum=False)),
    "momentum": (
        torch.optim.SGD,
        {"lr": 1e-3, "beta": 0.9, "weight_decay": 0.0},
        lambda hp: _sgd_kwargs(hp, momentum=True),
    ),
    "nesterov": (
        torch.optim.SGD,
        {"lr": 1e-3, "beta": 0.9, "weight_decay": 0.0},
        lambda hp: _sgd_kwargs(hp, momentum=True, nesterov=True),
    ),
    "adagrad": (
        torch.optim.Adagrad,
        {"lr": 1e-2, "eps": 1e-10, "weight_decay": 0.0},
        lambda hp: {"lr": hp["lr"], "eps": hp["eps"], "weight_decay": hp["weight_decay"]},
    ),
    "rmsprop": (
        torch.optim.RMSprop,
        {"lr": 1e-2, "beta": 0.99, "eps": 1e-8, "weight_decay": 0.0},
        lambda hp: {
            "lr": hp["lr"],
            "alpha": hp["beta"],
            "eps": hp["eps"],
            "weight_decay": hp["weight_decay"],
        },
    ),
    "adam": (torch.optim.Adam, ADAM, _adam_kwargs),
    "adamw": (torch.optim.AdamW, {**ADAM, "weight_decay": 1e-2}, _adam_kwargs),
    "amsgrad": (torch.optim.Adam, ADAM, lambda hp: {**_adam_kwargs(hp), "amsgrad": True}),
    "nadam": (torch.optim.NAdam, {**ADAM, "lr": 2e-3}, _adam_kwargs),
    "radam": (torch.optim.RAdam, ADAM, _adam_kwargs),
    "adafactor": (
        torch.optim.Adafactor,
        # eps1 None in torch means the dtype's machine epsilon; float64 here.
        {
            "lr": 1e-2,
            "beta2_decay": -0.8,
            "eps1": float(torch.finfo(DTYPE).eps),
            "eps2": 1e-3,
            "clip_threshold": 1.0,
            "weight_decay": 0.0,
        },
        lambda hp: {
            "lr": hp["lr"],
            "beta2_decay": hp["beta2_decay"],
            "eps": (hp["eps1"], hp["eps2"]),
            "d": hp["clip_threshold"],
            "weight_decay": hp["weight_decay"],
        },
    ),
}

GRADIENT_SCALED = {"sgd", "momentum", "nesterov"}


def _settings(name: str, gd_lr: float) -> list[dict]:
    """Hyperparameter overrides per case: the torch defaults, then tuned and decayed variants.

    Avoid settings where an adaptive method ends up hovering around the minimum with sign-like
    steps (short β2 memory, large lr): that regime amplifies rounding differences exponentially,
    so no two correct implementations agree to 1e-10 after 200 steps.
    """
    if name in GRADIENT_SCALED:
        tuned = [{"lr": gd_lr}, {"lr": gd_lr, "weight_decay": 0.1}]
        if name != "sgd":
            tuned = [{"lr": gd_lr, "beta": 0.5}, {"lr": gd_lr / 2, "beta": 0.9, "weight_decay": 0.1}]
        return [{}, *tuned]
    if name == "adagrad":
        return [{}, {"lr": 0.5}, {"lr": 0.3, "eps": 1e-6, "weight_decay": 0.1}]
    if name == "adafactor":
        # lr above 1/sqrt(t) lets the relative step's 1/sqrt(t) take over; d = 4 leaves some steps unclipped.
        return [
            {},
            {"lr": 0.5, "beta2_decay": -0.5},
            {"lr": 0.5, "clip_threshold": 4.0, "weight_decay": 0.1},
        ]
    if name == "rmsprop":
        return [{}, {"lr": 0.02, "beta": 0.9}, {"lr": 0.01, "eps": 1e-6, "weight_decay": 0.1}]
    decay = {"adamw": 0.5}.get(name, 0.1)
    # RAdam's first steps are plain momentum steps (gradient-sized), so stiff problems need a small lr.
    lr = min(0.05, 4 * gd_lr) if name == "radam" else 0.05
    return [
        {},
        {"lr": lr, "beta1": 0.8, "beta2": 0.99, "weight_decay": 0.0},
        {"lr": lr, "eps": 1e-6, "weight_decay": decay},
    ]


# --- schedules: optimlab spec -> torch scheduler factory ---------------------------------------

_sched = torch.optim.lr_scheduler
SCHEDULE_STEPS = 200
SCHEDULES = [
    ({"name": "step", "lr": 0.1, "step_size": 30, "gamma": 0.5}, lambda o: _sched.StepLR(o, 30, gamma=0.5)),
    ({"name": "exponential", "lr": 0.1, "gamma": 0.98}, lambda o: _sched.ExponentialLR(o, gamma=0.98)),
    (
        {"name": "linear-warmup", "lr": 0.1, "warmup_steps": 10},
        lambda o: _sched.LinearLR(o, start_factor=1 / 10, end_factor=1.0, total_iters=9),
    ),
    (
        {"name": "cosine", "lr": 0.1, "T_max": 50, "eta_min": 0.001},
        lambda o: _sched.CosineAnnealingLR(o, T_max=50, eta_min=0.001),
    ),
    (
        {"name": "warmup-cosine", "lr": 0.1, "warmup_steps": 10, "total_steps": 110, "eta_min": 0.0},
        lambda o: _sched.SequentialLR(
            o,
            [
                _sched.LinearLR(o, start_factor=1 / 10, end_factor=1.0, total_iters=9),
                _sched.CosineAnnealingLR(o, T_max=100, eta_min=0.0),
            ],
            milestones=[10],
        ),
    ),
]
# Optimizer runs driven by a schedule: check that a changing lr enters each update like torch's.
SCHEDULED_CASES = [
    ("adam", "ill-conditioned-quadratic", {"lr": 0.1}, 3),
    ("momentum", "ill-conditioned-quadratic", {"lr": 0.1, "beta": 0.9}, 0),
    ("adamw", "least-squares-3x2", {"lr": 0.05, "weight_decay": 0.2}, 3),
]


# One-cycle (OneCycleLR, two phases, cosine, momentum cycled on SGD): optimlab keyword names.
ONE_CYCLE = [
    {"lr": 0.1, "total_steps": 100},
    {"lr": 0.5, "total_steps": 37, "pct_start": 0.25, "div_factor": 10.0, "final_div_factor": 100.0,
     "base_momentum": 0.8, "max_momentum": 0.9},
    {"lr": 0.05, "total_steps": 10, "pct_start": 0.5, "div_factor": 5.0, "final_div_factor": 3.0,
     "base_momentum": 0.5, "max_momentum": 0.99},
]  # fmt: skip
ONE_CYCLE_RUN = {"lr": 0.3, "total_steps": STEPS, "pct_start": 0.2}  # SGD on least squares, every update


def _one_cycle_scheduler(optimizer, spec: dict):
    keys = ("pct_start", "div_factor", "final_div_factor", "base_momentum", "max_momentum")
    options = {key: spec[key] for key in keys if key in spec}
    return _sched.OneCycleLR(optimizer, max_lr=spec["lr"], total_steps=spec["total_steps"], **options)


def build_one_cycle() -> dict:
    """lr and momentum of each update t = 1..total_steps, and one SGD trajectory under the policy."""
    entries = []
    for spec in ONE_CYCLE:
        param = torch.zeros(1, dtype=DTYPE, requires_grad=True)
        optimizer = torch.optim.SGD([param], lr=spec["lr"], momentum=0.9)
        scheduler = _one_cycle_scheduler(optimizer, spec)
        lrs, momenta = [], []
        for _ in range(spec["total_steps"]):
            lrs.append(float(optimizer.param_groups[0]["lr"]))
            momenta.append(float(optimizer.param_groups[0]["momentum"]))
            optimizer.step()
            scheduler.step()
        entries.append({"spec": spec, "lrs": lrs, "momenta": momenta})
    problem = PROBLEMS["least-squares-3x2"]
    param = torch.tensor(problem["start"], dtype=DTYPE, requires_grad=True)
    optimizer = torch.optim.SGD([param], lr=ONE_CYCLE_RUN["lr"], momentum=0.9, foreach=False)
    scheduler = _one_cycle_scheduler(optimizer, ONE_CYCLE_RUN)
    snapshots = [param.detach().clone().numpy().tolist()]
    for _ in range(ONE_CYCLE_RUN["total_steps"]):
        optimizer.zero_grad()
        problem["loss"](param).backward()
        optimizer.step()
        scheduler.step()
        snapshots.append(param.detach().clone().numpy().tolist())
    run = {
        "spec": ONE_CYCLE_RUN,
        "problem": "least-squares-3x2",
        "torch": "torch.optim.SGD(momentum=...) + OneCycleLR",
        "trajectory": snapshots,
    }
    return {"torch_version": torch.__version__, "first_update": 1, "schedules": entries, "run": run}


def _torch_lrs(make_scheduler, lr: float, steps: int) -> list[float]:
    """The lr the optimizer uses in each of updates t = 1..steps (scheduler stepped after each)."""
    param = torch.zeros(1, dtype=DTYPE, requires_grad=True)
    optimizer = torch.optim.SGD([param], lr=lr)
    scheduler = make_scheduler(optimizer)
    lrs = []
    for _ in range(steps):
        lrs.append(float(optimizer.param_groups[0]["lr"]))
        optimizer.step()
        scheduler.step()
    return lrs


# --- running -------------------------------------------------------------------------------


def _trajectory(name: str, problem_name: str, hp: dict, make_scheduler=None) -> np.ndarray:
    constructor, _, to_kwargs = OPTIMIZERS[name]
    problem = PROBLEMS[problem_name]
    param = torch.tensor(problem["start"], dtype=DTYPE, requires_grad=True)
    # foreach=False: the single-tensor code path, the one whose arithmetic optimlab mirrors.
    optimizer = constructor([param], foreach=False, **to_kwargs(hp))
    scheduler = make_scheduler(optimizer) if make_scheduler else None
    snapshots = [param.detach().clone().numpy()]
    for _ in range(STEPS):
        optimizer.zero_grad()
        problem["loss"](param).backward()
        optimizer.step()
        if scheduler:
            scheduler.step()
        snapshots.append(param.detach().clone().numpy())
    trajectory = np.stack(snapshots)
    if not np.all(np.isfinite(trajectory)) or np.abs(trajectory).max() > 1e6:
        raise RuntimeError(f"{name} on {problem_name} with {hp} diverged; pick a gentler setting")
    return trajectory


def _case_id(name: str, problem: str, index: int, tag: str = "") -> str:
    return f"{name}__{problem}__{tag}{index}"


def _case(case_id: str, name: str, problem_name: str, hp: dict, schedule: dict | None) -> dict:
    """One case's record in the index, with the torch call that produced its trajectory."""
    constructor, _, to_kwargs = OPTIMIZERS[name]
    return {
        "id": case_id,
        "optimizer": name,
        "problem": problem_name,
        "hp": hp,
        "torch": f"torch.optim.{constructor.__name__}({_kwargs_text(to_kwargs(hp))})",
        "schedule": schedule,
    }


def build_trajectories() -> tuple[dict, dict[str, np.ndarray]]:
    cases, arrays = [], {}
    for name, (_, defaults, _) in OPTIMIZERS.items():
        for problem_name, problem in PROBLEMS.items():
            for index, overrides in enumerate(_settings(name, problem["gd_lr"])):
                hp = {**defaults, **overrides}
                case_id = _case_id(name, problem_name, index)
                arrays[case_id] = _trajectory(name, problem_name, hp)
                cases.append(_case(case_id, name, problem_name, hp, schedule=None))
    for name, problem_name, overrides, schedule_index in SCHEDULED_CASES:
        _, defaults, _ = OPTIMIZERS[name]
        spec, factory = SCHEDULES[schedule_index]
        hp = {**defaults, **overrides}
        spec = {**spec, "lr": hp["lr"]}
        case_id = _case_id(name, problem_name, schedule_index, tag="scheduled-")
        arrays[case_id] = _trajectory(name, problem_name, hp, make_scheduler=factory)
        cases.append(_case(case_id, name, problem_name, hp, schedule=spec))
    problems = {
        name: {"start": problem["start"], **({"data": problem["data"]} if "data" in problem else {})}
        for name, problem in PROBLEMS.items()
    }
    manifest = {"torch_version": torch.__version__, "steps": STEPS, "problems": problems, "cases": cases}
    return manifest, arrays


def _kwargs_text(kwargs: dict) -> str:
    return ", ".join(f"{key}={value!r}" for key, value in kwargs.items())


def build_schedules() -> dict:
    entries = []
    for spec, factory in SCHEDULES:
        entries.append({"spec": spec, "lrs": _torch_lrs(factory, spec["lr"], SCHEDULE_STEPS)})
    return {"torch_version": torch.__version__, "first_step": 1, "schedules": entries}


def build_clipping() -> dict:
    rng = np.random.default_rng(20240607)
    groups = [
        [rng.normal(size=(3, 2)) * 4, rng.normal(size=(2,)), np.array(7.5)],
        [rng.normal(size=(4,)) * 0.01],
        [rng.normal(size=(2, 2)) * 50, rng.normal(size=(5,)) * 50],
    ]
    norm_cases = []
    for grads in groups:
        for max_norm, norm_type in [(1.0, 2.0), (100.0, 2.0), (0.5, math.inf), (2.0, 1.0)]:
            tensors = [torch.tensor(g, dtype=DTYPE, requires_grad=True) for g in grads]
            for tensor, g in zip(tensors, grads, strict=True):
                tensor.grad = torch.tensor(g, dtype=DTYPE)
            total = torch.nn.utils.clip_grad_norm_(tensors, max_norm, norm_type=norm_type)
            norm_cases.append(
                {
                    "max_norm": max_norm,
                    "norm_type": "inf" if math.isinf(norm_type) else norm_type,
                    "grads": [g.tolist() for g in grads],
                    "total_norm": float(total),
                    "clipped": [t.grad.tolist() for t in tensors],
                }
            )
    value_cases = []
    for grads in groups:
        tensors = [torch.tensor(g, dtype=DTYPE, requires_grad=True) for g in grads]
        for tensor, g in zip(tensors, grads, strict=True):
            tensor.grad = torch.tensor(g, dtype=DTYPE)
        torch.nn.utils.clip_grad_value_(tensors, 1.5)
        value_cases.append(
            {
                "clip_value": 1.5,
                "grads": [g.tolist() for g in grads],
                "clipped": [t.grad.tolist() for t in tensors],
            }
        )
    return {"torch_version": torch.__version__, "clip_grad_norm": norm_cases, "clip_grad_value": value_cases}


def _write_atomically(path: Path, payload: bytes) -> None:
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(payload)
        os.chmod(temporary, 0o644)  # mkstemp creates files readable by the owner only
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise


def _json_bytes(data: dict) -> bytes:
    # Python's float repr round-trips exactly, so JSON loses nothing here.
    return (json.dumps(data, indent=1) + "\n").encode()


def main() -> int:
    torch.set_default_dtype(DTYPE)  # torch keeps step counters and NAdam's mu_product in this dtype
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    manifest, arrays = build_trajectories()
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **arrays)
    _write_atomically(OUT_DIR / "trajectories.npz", buffer.getvalue())
    _write_atomically(OUT_DIR / "trajectories.json", _json_bytes(manifest))
    _write_atomically(OUT_DIR / "schedules.json", _json_bytes(build_schedules()))
    _write_atomically(OUT_DIR / "clipping.json", _json_bytes(build_clipping()))
    _write_atomically(OUT_DIR / "one_cycle.json", _json_bytes(build_one_cycle()))
    print(f"{len(manifest['cases'])} trajectories, torch {torch.__version__}, written to {OUT_DIR}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Hand-written NumPy updates: the baseline that optimlab's reference optimizers are timed against.

Each is what one would type inline in a training loop: in-place array arithmetic on a state that
is a plain dict, no hyperparameter lookup or validation. Same hyperparameters as the benchmark
(weight decay 0 except AdamW). `check_equivalent` proves each matches optimlab before timing.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

LR, BETA, BETA1, BETA2, EPS, WD = 0.01, 0.9, 0.9, 0.999, 1e-8, 0.01
BENCH_HP = {
    "sgd": {"lr": LR},
    "momentum": {"lr": LR, "beta": BETA},
    "momentum-ema": {"lr": LR, "beta": BETA},
    "momentum-lr-inside": {"lr": LR, "beta": BETA},
    "nesterov": {"lr": LR, "beta": BETA},
    "adagrad": {"lr": LR, "eps": EPS},
    "rmsprop": {"lr": LR, "beta": 0.99, "eps": EPS},
    "adam": {"lr": LR, "beta1": BETA1, "beta2": BETA2, "eps": EPS},
    "adamw": {"lr": LR, "beta1": BETA1, "beta2": BETA2, "eps": EPS, "weight_decay": WD},
    "amsgrad": {"lr": LR, "beta1": BETA1, "beta2": BETA2, "eps": EPS},
    "lion": {"lr": LR, "beta1": BETA1, "beta2": 0.99},
}


def _zeros(theta: np.ndarray, *names: str) -> dict:
    return {name: np.zeros_like(theta) for name in names} | {"t": 0}


def sgd(theta, g, s):
    theta -= LR * g


def momentum(theta, g, s):
    s["v"] *= BETA
    s["v"] += g
    theta -= LR * s["v"]


def momentum_ema(theta, g, s):
    s["v"] *= BETA
    s["v"] += (1 - BETA) * g
    theta -= LR * s["v"]


def momentum_lr_inside(theta, g, s):
    s["m"] *= BETA
    s["m"] += LR * g
    theta -= s["m"]


def nesterov(theta, g, s):
    s["v"] *= BETA
    s["v"] += g
    theta -= LR * (g + BETA * s["v"])


def adagrad(theta, g, s):
    s["s"] += g * g
    theta -= LR * g / (np.sqrt(s["s"]) + EPS)


def rmsprop(theta, g, s):
    s["v"] *= 0.99
    s["v"] += 0.01 * g * g
    theta -= LR * g / (np.sqrt(s["v"]) + EPS)


def _adam_moments(g, s, beta2=BETA2):
    s["t"] += 1
    s["m"] *= BETA1
    s["m"] += (1 - BETA1) * g
    s["v"] *= beta2
    s["v"] += (1 - beta2) * g * g
    return 1 - BETA1 ** s["t"], 1 - beta2 ** s["t"]


def adam(theta, g, s):
    c1, c2 = _adam_moments(g, s)
    theta -= (LR / c1) * s["m"] / (np.sqrt(s["v"]) / np.sqrt(c2) + EPS)


def adamw(theta, g, s):
    theta *= 1 - LR * WD
    adam(theta, g, s)


def amsgrad(theta, g, s):
    c1, c2 = _adam_moments(g, s)
    np.maximum(s["vmax"], s["v"], out=s["vmax"])
    theta -= (LR / c1) * s["m"] / (np.sqrt(s["vmax"]) / np.sqrt(c2) + EPS)


def lion(theta, g, s):
    theta -= LR * np.sign(BETA1 * s["m"] + (1 - BETA1) * g)
    s["m"] *= 0.99
    s["m"] += 0.01 * g


HANDWRITTEN: dict[str, tuple[Callable, tuple[str, ...]]] = {
    "sgd": (sgd, ()),
    "momentum": (momentum, ("v",)),
    "momentum-ema": (momentum_ema, ("v",)),
    "momentum-lr-inside": (momentum_lr_inside, ("m",)),
    "nesterov": (nesterov, ("v",)),
    "adagrad": (adagrad, ("s",)),
    "rmsprop": (rmsprop, ("v",)),
    "adam": (adam, ("m", "v")),
    "adamw": (adamw, ("m", "v")),
    "amsgrad": (amsgrad, ("m", "v", "vmax")),
    "lion": (lion, ("m",)),
}


def fresh_state(name: str, theta: np.ndarray) -> dict:
    return _zeros(theta, *HANDWRITTEN[name][1])


def check_equivalent(name: str, steps: int = 25) -> None:
    """Run the hand-written update and optimlab's side by side on J(θ) = ½‖θ‖²; raise if they differ."""
    from optimlab.optimizers import get_optimizer

    rng = np.random.default_rng(7)
    start = rng.normal(size=5)
    mine, state = start.copy(), fresh_state(name, start)
    opt = get_optimizer(name)
    ref, ref_state = start.copy(), opt.init(start)
    update = HANDWRITTEN[name][0]
    for _ in range(steps):
        update(mine, mine.copy(), state)
        ref, ref_state = opt.update(ref, ref.copy(), ref_state, BENCH_HP[name])
    if not np.allclose(mine, ref, rtol=1e-9, atol=1e-12):
        raise AssertionError(f"hand-written {name} departs from optimlab: {mine} vs {ref}")

import numpy as np


def init_state(params):
    return {"v": np.zeros_like(params), "t": 0}


def step(
    params,
    grads,
    state,
    *,
    lr,
    total_steps,
    pct_start,
    div_factor,
    final_div_factor,
    base_momentum,
    max_momentum,
):
    t = state["t"] + 1
    # TODO: this is momentum SGD at a constant rate and momentum. Compute this call's rate and
    # momentum from the one-cycle policy: up from lr / div_factor to lr (momentum down) over the
    # first pct_start of the cycle, then down to lr / (div_factor * final_div_factor) (momentum up).
    v = max_momentum * state["v"] + grads
    return params - lr * v, {"v": v, "t": t}

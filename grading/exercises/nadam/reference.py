import numpy as np

MOMENTUM_DECAY = 0.004  # torch.optim.NAdam's default momentum_decay ψ


def momentum_weight(t, beta1):
    return beta1 * (1 - 0.5 * 0.96 ** (t * MOMENTUM_DECAY))


def init_state(params):
    return {"m": np.zeros_like(params), "v": np.zeros_like(params), "t": 0, "mu_product": 1.0}


def step(params, grads, state, *, lr, beta1, beta2, eps):
    t = state["t"] + 1
    mu = momentum_weight(t, beta1)
    mu_next = momentum_weight(t + 1, beta1)
    mu_product = state["mu_product"] * mu
    m = beta1 * state["m"] + (1 - beta1) * grads
    v = beta2 * state["v"] + (1 - beta2) * grads * grads
    denominator = np.sqrt(v / (1 - beta2**t)) + eps
    gradient_term = (1 - mu) / (1 - mu_product) * grads
    momentum_term = mu_next / (1 - mu_product * mu_next) * m
    new_params = params - lr * (gradient_term + momentum_term) / denominator
    return new_params, {"m": m, "v": v, "t": t, "mu_product": mu_product}

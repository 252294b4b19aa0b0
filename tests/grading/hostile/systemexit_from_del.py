# category: crash
# expect: not-passed
# expect-outcome: completed|crashed
# Raises SystemExit from a finaliser, which runs at an unpredictable moment inside trusted-looking
# code (and whose exceptions Python normally swallows).


class Bomb:
    def __del__(self):
        raise SystemExit(0)


def init_state(params):
    return {"bomb": Bomb(), "t": 0}


def step(params, grads, state, *, lr):
    t = state["t"] + 1
    if t <= 3:  # a few are enough; each one also prints a warning
        Bomb()
        return params + lr, {"bomb": Bomb(), "t": t}
    return params + lr, {"t": t}

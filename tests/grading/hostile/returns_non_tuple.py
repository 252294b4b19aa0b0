# category: contract
# expect: not-passed
# expect-outcome: completed
# Ignores the return contract: a list, a dict, None, a generator, a triple.


def init_state(params):
    return {"t": 0}


def step(params, grads, state, *, lr):
    t = state["t"] + 1
    state["t"] = t
    choices = (
        [params, state],
        {"params": params},
        None,
        (params, state, "extra"),
        (x for x in (params, state)),
    )
    return choices[t % len(choices)]

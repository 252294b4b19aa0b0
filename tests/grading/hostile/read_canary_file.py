# category: secrets
# expect: not-passed
# expect-outcome: completed
# A root-only secret on the host, by its exact path (the test tells the fixture where it is).
CANARY = "__CANARY_PATH__"
try:
    with open(CANARY) as handle:
        print("secret:", handle.read(), flush=True)
except OSError as exc:
    print("no secret:", exc, flush=True)


def init_state(params):
    return {}


def step(params, grads, state, *, lr):
    return params * 0.5, state

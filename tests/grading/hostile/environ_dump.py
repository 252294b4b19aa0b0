# category: secrets
# expect: not-passed
# expect-outcome: completed
# Reads the server's secrets from its environment: SECRET_KEY, database URLs, the canary.
import os


def init_state(params):
    print(dict(os.environ), flush=True)
    for name in ("SECRET_KEY", "DATABASE_URL", "DESCENT_CANARY_SECRET", "AWS_SECRET_ACCESS_KEY", "HOME"):
        print(name, os.environ.get(name), os.getenv(name), flush=True)
    return {}


def step(params, grads, state, *, lr):
    return params, state

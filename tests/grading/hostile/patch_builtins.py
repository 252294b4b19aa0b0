# category: monkeypatch
# expect: not-passed
# expect-outcome: completed|crashed
# Rewires builtins that a naive grader would use to measure error or compare lengths.
import builtins

builtins.abs = lambda value: 0.0
builtins.max = lambda *args, **kwargs: 0.0
builtins.min = lambda *args, **kwargs: 0.0
builtins.sum = lambda *args, **kwargs: 0.0
builtins.isinstance = lambda obj, cls: True
builtins.len = lambda obj: 2


def init_state(params):
    return {}


def step(params, grads, state, *, lr):
    return params * 0.0, state

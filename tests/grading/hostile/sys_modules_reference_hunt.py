# category: introspection
# expect: not-passed
# expect-outcome: completed
# Searches every loaded module and every live object for a reference optimizer to delegate to.
import gc
import sys

found = [
    name
    for name in sys.modules
    if any(word in name for word in ("reference", "optimizers", "exercises", "runner"))
]
candidates = [
    obj
    for obj in gc.get_objects()
    if callable(obj) and getattr(obj, "__name__", "") in {"update", "sgd_update", "reference_step"}
]
print("modules:", found, "callables:", [getattr(c, "__qualname__", "?") for c in candidates], flush=True)
optimizers = sys.modules.get("optimlab.optimizers")


def init_state(params):
    if optimizers is not None:
        return {"opt": optimizers.get_optimizer("sgd"), "inner": None}
    return {"opt": None}


def step(params, grads, state, *, lr):
    if state["opt"] is not None:
        new_params, _ = state["opt"].update(params, grads, state["opt"].init(params), {"lr": lr})
        return new_params, state
    return params, state

# category: introspection
# expect: not-passed
# expect-outcome: completed
# Imports the project's reference library, Django and the exercise definitions by name, by file
# location and through importlib, to call the reference instead of implementing anything.
import importlib

loaded = {}
for name in (
    "optimlab.optimizers",
    "optimlab.runner",
    "grading.exercises",
    "grading.reference",
    "django",
    "config.settings",
):
    try:
        loaded[name] = importlib.import_module(name)
    except Exception as exc:
        loaded[name] = repr(exc)
try:
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "ref", "__PROJECT_ROOT__/grading/exercises/sgd/reference.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    loaded["reference file"] = module
except Exception as exc:
    loaded["reference file"] = repr(exc)
print(loaded, flush=True)
reference = loaded.get("reference file")


def init_state(params):
    return {}


def step(params, grads, state, *, lr):
    if hasattr(reference, "step"):
        return reference.step(params, grads, state, lr=lr)
    return params, state

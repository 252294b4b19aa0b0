# category: process
# expect: not-passed
# expect-outcome: completed
# A worker pool to get more CPU than the limit allows; falls back to raw fork if the module is missing.
import os


def init_state(params):
    try:
        import multiprocessing

        multiprocessing.Pool(8).map(abs, range(8))
        print("pool ran", flush=True)
    except Exception as exc:
        print("multiprocessing:", repr(exc), flush=True)
    try:
        print("vfork-like:", os.posix_spawn("/bin/true", ["/bin/true"], {}), flush=True)
    except Exception as exc:
        print("posix_spawn:", repr(exc), flush=True)
    return {}


def step(params, grads, state, *, lr):
    return params - lr * grads * 1.5, state

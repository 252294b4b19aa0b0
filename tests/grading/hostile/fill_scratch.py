# category: file-write
# expect: not-passed
# expect-outcome: completed
# Tries to fill the scratch filesystem (and with it the host's memory or disk).

written = 0
chunk = b"x" * (1 << 20)
for index in range(64):
    try:
        with open(f"/tmp/descent-hostile-fill-{index}", "wb") as handle:
            for _ in range(16):
                handle.write(chunk)
                written += len(chunk)
    except OSError as exc:
        print("stopped after", written, "bytes:", exc, flush=True)
        break


def init_state(params):
    return {}


def step(params, grads, state, *, lr):
    return params, state

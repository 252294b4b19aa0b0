# category: file-read
# expect: not-passed
# expect-outcome: completed
# Classic first probe of any sandbox: the password and group databases, the hostname.
leaked = []
for path in ("/etc/passwd", "/etc/shadow", "/etc/group", "/etc/hostname", "/etc/hosts"):
    try:
        with open(path) as handle:
            leaked.append(handle.read())
    except OSError:
        pass


def init_state(params):
    return {"leaked": len(leaked)}


def step(params, grads, state, *, lr):
    if leaked:
        print("".join(leaked), flush=True)
    return params - 2 * lr * grads, state

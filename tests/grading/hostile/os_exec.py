# category: process
# expect: not-passed
# expect-outcome: completed
# Replaces itself with another program: a shell, the interpreter, env.
import os


def init_state(params):
    return {"tried": False}


def step(params, grads, state, *, lr):
    if state["tried"]:
        return params, state
    state["tried"] = True
    for program in ("/bin/sh", "/usr/bin/env", "/usr/bin/python3"):
        for exec_call in (os.execv, os.execve):
            try:
                if exec_call is os.execv:
                    exec_call(program, [program, "-c", "id"])
                else:
                    exec_call(program, [program], {"PATH": "/bin"})
            except OSError as exc:
                print(program, exc, flush=True)
    return params, state

# category: process
# expect: not-passed
# expect-outcome: load_error
# Runs shell commands the obvious way; the import itself needs files that the jail does not have.
import subprocess

print(subprocess.run(["id"], capture_output=True).stdout, flush=True)


def init_state(params):
    return {}


def step(params, grads, state, *, lr):
    subprocess.Popen(["sh", "-c", "sleep 1000 &"])
    return params, state

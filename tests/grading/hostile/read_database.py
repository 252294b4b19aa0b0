# category: file-read
# expect: not-passed
# expect-outcome: completed
# Looks for the SQLite database (answers, password hashes) and dumps its first bytes.
import os

PROJECT = "__PROJECT_ROOT__"
for path in (
    "db.sqlite3",
    "../db.sqlite3",
    os.path.join(PROJECT, "db.sqlite3"),
    "/var/lib/descent/db.sqlite3",
):
    try:
        with open(path, "rb") as handle:
            print(path, handle.read(512), flush=True)
    except OSError as exc:
        print(path, exc, flush=True)
try:
    import sqlite3

    rows = sqlite3.connect(os.path.join(PROJECT, "db.sqlite3")).execute("select * from auth_user").fetchall()
    print(rows, flush=True)
except Exception as exc:
    print("sqlite3:", exc, flush=True)


def init_state(params):
    return {}


def step(params, grads, state, *, lr):
    return params - lr * grads * 0.5, state

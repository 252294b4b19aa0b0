"""Serve Descent for development: the web server plus the background workers, stopped together."""

import argparse
import os
import signal
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", default="8000")
    args = parser.parse_args()
    env = dict(os.environ, DJANGO_DEBUG=os.environ.get("DJANGO_DEBUG", "1"))
    manage = [sys.executable, str(ROOT / "manage.py")]
    # `kill` (SIGTERM) or a closed terminal (SIGHUP) stops the children too, as Ctrl-C does: raising
    # SystemExit runs the `finally` below instead of leaving the worker and runserver orphaned.
    for stop in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(stop, lambda signum, frame: sys.exit(0))
    # A shell starts a background job (`make run &`, nohup) with SIGINT ignored, and a child inherits
    # an ignored signal: runserver would then drop the SIGINT sent below and be killed 10 s later.
    # Handled here, SIGINT is reset to its default in each child, which then stops on it.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    procs = []
    for extra in worker_commands():
        procs.append(subprocess.Popen(manage + extra, cwd=ROOT, env=env))
    web = subprocess.Popen(
        manage + ["runserver", "--noreload", f"{args.host}:{args.port}"], cwd=ROOT, env=env
    )
    procs.append(web)
    try:
        return web.wait()
    except KeyboardInterrupt:
        return 0
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGINT)
        for proc in procs:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                print(
                    f"{' '.join(proc.args[2:4])} did not stop within 10 s of SIGINT: killed", file=sys.stderr
                )
                proc.kill()


def worker_commands() -> list[list[str]]:
    """Background processes that run next to the web server.

    One grading worker: it self-tests the sandbox first and exits with the reason if isolation is
    unavailable (the site still serves; submissions then wait in the queue).
    """
    return [["grading_worker"]]


if __name__ == "__main__":
    sys.exit(main())

"""gunicorn settings for `make serve` (scripts/serve_production.py passes this file with -c).

Every value can be overridden from the environment without editing this file:
  BIND               address to listen on (default 127.0.0.1:8000: the proxy in front is on the same host)
  WEB_CONCURRENCY    worker processes (default: 2 x CPUs + 1, the usual figure for I/O-bound Django)
  WEB_THREADS        threads per worker (default 2)
  WEB_TIMEOUT        seconds a request may run before its worker is killed and replaced (default 30)
"""

import gc
import os


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SystemExit(f"{name}={raw!r} is not an integer") from None
    if value < 1:
        raise SystemExit(f"{name}={raw!r} must be at least 1")
    return value


def cpu_count() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


bind = os.environ.get("BIND", "127.0.0.1:8000")
workers = _int("WEB_CONCURRENCY", 2 * cpu_count() + 1)
worker_class = "gthread"
threads = _int("WEB_THREADS", 2)
# A request that runs longer than this is cut off: its worker is killed and replaced.
timeout = _int("WEB_TIMEOUT", 30)
graceful_timeout = _int("WEB_GRACEFUL_TIMEOUT", 25)
# Idle keep-alive connections stay open longer than clients and nginx keep them (nginx's upstream
# keepalive_timeout is 60 s), so a client never sends a request on a connection the server is
# just closing (that race shows as a reset connection; a POST is then not retried).
keepalive = 75
# Import the site once in the master, before forking: workers start warm and share its memory.
preload_app = os.environ.get("WEB_PRELOAD", "1") != "0"
# Recycle workers now and then, so a slow leak can never grow without bound.
max_requests = 2000
max_requests_jitter = 200
# Requests queued in the kernel while every worker is busy (a class logging in at once).
backlog = 2048
# The proxy on this host sets X-Forwarded-For/-Proto; Django decides on -Proto itself.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
# Django writes one JSON line per request (ops.request_id) with the request id, so gunicorn's own
# access log stays off; its error log goes to stderr.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
if os.environ.get("LOG_FORMAT", "json") == "json":
    # gunicorn's own messages (workers booting, timeouts) as JSON lines too, on stdout.
    logconfig_dict = {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "json": {
                "()": "pythonjsonlogger.json.JsonFormatter",
                "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s %(process)d",
                "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
            }
        },
        "handlers": {
            "console": {"class": "logging.StreamHandler", "stream": "ext://sys.stdout", "formatter": "json"}
        },
        "loggers": {
            "gunicorn.error": {"level": loglevel.upper(), "handlers": ["console"], "propagate": False},
            "gunicorn.access": {"level": "WARNING", "handlers": ["console"], "propagate": False},
        },
    }
proc_name = "descent-web"
# No runtime control socket: it lives at one fixed path per user, which several servers on one host
# would share; signals (HUP to reload, TERM to stop) are all the supervisor uses.
control_socket_disable = True


def when_ready(server) -> None:
    """Once the master has imported the site (preload_app) and before it forks the workers: the
    objects made so far (modules, settings, templates, URL patterns) live as long as the process,
    so they are moved out of the garbage collector's view. A worker's full collections then skip
    them (full collections were ~6% of a request's CPU on the student's path, ~4% after), and do
    not write to, and so copy, the memory pages the workers share with the master."""
    gc.collect()
    gc.freeze()

"""Password hashing at OWASP's recommended Argon2id parameters, at a lower CPU priority.

OWASP's Password Storage Cheat Sheet recommends Argon2id with a parallelism of 1 and one of five
memory/passes pairs that it rates as equally strong: 46 MiB x 1, 19 MiB x 2, 12 MiB x 3, 9 MiB x 4
or 7 MiB x 5. Measured here (interleaved verifies, 100 each), 7 MiB x 5 costs the least CPU:
22.6 ms against 29.7 ms for 19 MiB x 2 and over 60 ms for 46 MiB x 1, whose large allocation
is the expensive part. Log-in CPU is what a class starting together runs short of, so this
hasher uses 7 MiB x 5. Django's own Argon2 hasher defaults to 100 MiB and 8 lanes, several times
the CPU. The algorithm name stays "argon2", so hashes made with other parameters (the 19 MiB x 2 of
earlier releases among them) are re-hashed at the next log-in, as are the PBKDF2 hashes made before
this hasher was first in PASSWORD_HASHERS.

Each hash still costs ~20-25 ms of CPU, and a class logs in within seconds: 200 log-ins are several
seconds of CPU in which the students already past the log-in would wait behind the hashing. So each
process hashes in one thread of its own whose scheduling priority is lowered (a higher niceness):
when the CPUs are busy, pages and answer posts go first and log-ins take the time left over; on an
idle machine nothing changes. argon2-cffi releases the GIL while it hashes, so the request threads
of the same process keep running meanwhile.
"""

import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from django.contrib.auth.hashers import Argon2PasswordHasher

HASHING_NICENESS = 10  # a nice-10 thread gets about a tenth of the share of a nice-0 one under contention

T = TypeVar("T")


def _lower_this_threads_priority() -> None:
    # On Linux each thread is a task of its own, so this lowers the hashing thread alone, for good:
    # an unprivileged process may raise its niceness but never lower it back, hence a dedicated thread.
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), HASHING_NICENESS)
    except OSError:
        pass  # not permitted (or not Linux): hash at the normal priority rather than not at all


class _HashingThread:
    """One low-priority thread per process, started on first use and made anew in a forked child
    (the parent's thread does not exist there, and a copied executor would wait for it forever)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._executor: ThreadPoolExecutor | None = None

    def run(self, work: Callable[[], T]) -> T:
        with self._lock:
            if self._executor is None:
                self._executor = ThreadPoolExecutor(
                    max_workers=1,
                    thread_name_prefix="password-hashing",
                    initializer=_lower_this_threads_priority,
                )
            executor = self._executor
        return executor.submit(work).result()

    def forget_after_fork(self) -> None:
        self._lock = threading.Lock()
        self._executor = None


hashing_thread = _HashingThread()
os.register_at_fork(after_in_child=hashing_thread.forget_after_fork)


class OwaspArgon2PasswordHasher(Argon2PasswordHasher):
    time_cost = 5
    memory_cost = 7 * 1024  # KiB
    parallelism = 1

    def encode(self, password: str, salt: str) -> str:
        return hashing_thread.run(lambda: super(OwaspArgon2PasswordHasher, self).encode(password, salt))

    def verify(self, password: str, encoded: str) -> bool:
        return hashing_thread.run(lambda: super(OwaspArgon2PasswordHasher, self).verify(password, encoded))

"""Password hashing at OWASP's recommended Argon2id parameters.

OWASP's Password Storage Cheat Sheet recommends Argon2id with at least 19 MiB of memory, 2 passes
and a parallelism of 1. Django's own Argon2 hasher defaults to 100 MiB and 8 lanes, which costs
several times more CPU per log-in; a class logging in at once would saturate the web hosts. The
algorithm name stays "argon2", so hashes made with other parameters are re-hashed at the next log-in,
as are the PBKDF2 hashes made before this hasher was first in PASSWORD_HASHERS.
"""

from django.contrib.auth.hashers import Argon2PasswordHasher


class OwaspArgon2PasswordHasher(Argon2PasswordHasher):
    time_cost = 2
    memory_cost = 19 * 1024  # KiB
    parallelism = 1

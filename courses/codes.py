"""Enrolment codes: short, easy to read aloud and type, and hard to guess.

Django-free. The alphabet leaves out characters that are easily confused on a projector or in
handwriting (0/O, 1/I/L, 5/S, 2/Z, 8/B), so a student copying from a slide does not fail on a typo
the code itself invited. 8 characters from 25 symbols give about 1.5 * 10^11 codes.
"""

from __future__ import annotations

import secrets

ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"
CODE_LENGTH = 8


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(text: str) -> str:
    """What the student typed, reduced to the stored form: upper case, no spaces or dashes."""
    return "".join(char for char in str(text).upper() if char not in " -\t")


def display_code(code: str) -> str:
    """Grouped in fours for reading aloud: ABCD-EFGH."""
    return "-".join(code[index : index + 4] for index in range(0, len(code), 4))

"""The form an owner uses to share a bank (or a course, or an exercise): `accounts.sharing_page`."""

from accounts.sharing_page import ShareForm

__all__ = ["ShareForm"]

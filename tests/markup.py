"""Comparing HTML built in Python with the template it replaced."""

import re

# The languages of the interface, each in a time zone of its users.
LANGUAGES_AND_ZONES = [("en", "UTC"), ("ko", "Asia/Seoul")]


def squeeze(html: str) -> str:
    """The HTML without the whitespace between tags, where templates and Python differ."""
    return re.sub(r">\s+<", "><", html).strip()

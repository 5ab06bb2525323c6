"""Translations remembered while one long list is built.

Django's `gettext` finds the active language through context-local state on every call. The
engineer queue's fifty rows asked it about three hundred times for a dozen distinct phrases; a
`Phrasebook` asks once per phrase (and per count, for plurals), in the language that is active
while the list is built. Make one per list, not per process: the language changes per request.

`django.utils.translation` itself has the same two methods, so code that takes a phrasebook can
fall back to it where no list is being built (a single value in a template).
"""

from django.utils import translation


class Phrasebook:
    __slots__ = ("_plurals", "_texts")

    def __init__(self) -> None:
        self._texts: dict[str, str] = {}
        self._plurals: dict[tuple[str, str, int], str] = {}

    def gettext(self, message: str) -> str:
        text = self._texts.get(message)
        if text is None:
            text = self._texts[message] = translation.gettext(message)
        return text

    def ngettext(self, singular: str, plural: str, number: int) -> str:
        key = (singular, plural, number)
        text = self._plurals.get(key)
        if text is None:
            text = self._plurals[key] = translation.ngettext(singular, plural, number)
        return text

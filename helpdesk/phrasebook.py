"""Translations remembered per language, for long lists.

Django's `gettext` finds the active language through context-local state on every call, then
looks the phrase up in its catalogue. The engineer queue's fifty rows asked it about three hundred
times for a dozen distinct phrases, and "3 hours"-style plurals differ from row to row. A
`Phrasebook` reads the active language once, when it is made (make one per list, not per
process: the language changes per request), and remembers every answer per language for the
process: a catalogue does not change while the process runs, and when the development server
reloads changed translations, the memory is cleared with them.

`django.utils.translation` itself has the same two methods, so code that takes a phrasebook can
fall back to it where no list is being built (a single value in a template).
"""

from django.dispatch import receiver
from django.utils import autoreload, translation

# Bounded: the phrases are the code's own; the counts are of days, hours and minutes.
_LIMIT = 20_000
_remembered: dict[tuple, str] = {}


class Phrasebook:
    __slots__ = ("_language",)

    def __init__(self) -> None:
        self._language = translation.get_language()

    def gettext(self, message: str) -> str:
        key = (self._language, message)
        text = _remembered.get(key)
        if text is None:
            with translation.override(self._language):
                text = _remember(key, translation.gettext(message))
        return text

    def ngettext(self, singular: str, plural: str, number: int) -> str:
        key = (self._language, singular, plural, number)
        text = _remembered.get(key)
        if text is None:
            with translation.override(self._language):
                text = _remember(key, translation.ngettext(singular, plural, number))
        return text


def _remember(key: tuple, text: str) -> str:
    if len(_remembered) >= _LIMIT:
        _remembered.clear()
    _remembered[key] = text
    return text


@receiver(autoreload.file_changed, dispatch_uid="phrasebook-translations-changed")
def _forget_on_new_translations(sender, file_path, **kwargs):
    if file_path.suffix == ".mo":
        _remembered.clear()

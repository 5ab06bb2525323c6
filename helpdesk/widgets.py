"""Form widgets that render in Python where Django's template-per-option rendering is too slow.

A select of every support staff member has a couple of hundred options; rendering each through
the option template made the filter form a third of the engineer queue's time.
"""

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join


class QuickSelect(forms.Select):
    """A single-choice <select> without option groups, rendered with `format_html` (escaped)."""

    def render(self, name, value, attrs=None, renderer=None):
        chosen = set(self.format_value(value))
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (key, " selected" if str(key) in chosen else "", label)
                for key, label in self.choices
            ),
        )
        final_attrs = self.build_attrs(self.attrs, attrs)
        return format_html('<select name="{}"{}>{}</select>', name, flatatt(final_attrs), options)

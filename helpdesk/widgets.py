"""Form widgets that render in Python where Django's template-per-option rendering is too slow.

A select of every support staff member has a couple of hundred options; rendering each through
the option template made the filter form a third of the engineer queue's time.
"""

from html import escape

from django import forms
from django.forms.utils import flatatt
from django.utils.safestring import mark_safe


class QuickSelect(forms.Select):
    """A single-choice <select> without option groups; every value and label is escaped."""

    def render(self, name, value, attrs=None, renderer=None):
        chosen = set(self.format_value(value))
        options = "".join(
            '<option value="{}"{}>{}</option>'.format(
                escape(str(key)), " selected" if str(key) in chosen else "", escape(str(label))
            )
            for key, label in self.choices
        )
        final_attrs = flatatt(self.build_attrs(self.attrs, attrs))
        return mark_safe(f'<select name="{escape(name)}"{final_attrs}>{options}</select>')  # noqa: S308 - built from escaped parts above

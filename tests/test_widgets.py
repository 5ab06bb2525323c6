"""QuickSelect renders what Django's Select would, escaped, with the chosen option selected."""

from helpdesk.widgets import QuickSelect


def test_quick_select_escapes_values_and_labels_and_marks_the_choice():
    widget = QuickSelect(choices=[("", "Anyone"), ("7", 'Kim "<b>" & Lee'), ("x>", "Other")])

    html = widget.render("assigned", "7", attrs={"id": "id_assigned"})

    assert html == (
        '<select name="assigned" id="id_assigned">'
        '<option value="">Anyone</option>'
        '<option value="7" selected>Kim &quot;&lt;b&gt;&quot; &amp; Lee</option>'
        '<option value="x&gt;">Other</option>'
        "</select>"
    )


def test_quick_select_selects_nothing_for_an_unknown_value():
    html = QuickSelect(choices=[("a", "A"), ("b", "B")]).render("f", "zzz")
    assert "selected" not in html

"""Attachments: limits from settings, random storage names, the original name kept for display."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import TenantRole
from cases.models import Attachment, CaseEvent
from cases.services import lifecycle
from helpdesk.errors import InvalidInput


def upload(name="trace.log", size=10):
    return SimpleUploadedFile(name, b"x" * size, content_type="text/plain")


def test_a_reply_keeps_its_files_under_random_names(world, open_case):
    case = open_case()
    event = lifecycle.case_reply(
        actor=world[TenantRole.GLOBAL_ADMIN],
        case=case,
        body="Logs attached",
        attachments=[upload("../../etc/passwd.log")],
    )
    attachment = event.attachments.get()
    assert attachment.original_name == "passwd.log"
    assert "passwd" not in attachment.file.name
    assert attachment.file.name.startswith("attachments/")
    assert attachment.size == 10


@pytest.mark.parametrize(
    ("files", "code"),
    [
        ([upload("big.log", size=2048)], "attachment_too_large"),
        ([upload("tool.exe")], "attachment_type"),
        ([upload(f"f{i}.txt") for i in range(3)], "too_many_attachments"),
    ],
)
def test_files_over_the_limits_are_refused_and_nothing_is_written(
    world, open_case, settings, files, code
):
    settings.ATTACHMENT_MAX_BYTES = 1024
    settings.ATTACHMENT_MAX_COUNT = 2
    case = open_case()
    events = CaseEvent.objects.count()
    with pytest.raises(InvalidInput) as error:
        lifecycle.case_reply(
            actor=world[TenantRole.GLOBAL_ADMIN], case=case, body="files", attachments=files
        )
    assert error.value.code == code
    assert CaseEvent.objects.count() == events
    assert not Attachment.objects.exists()


def test_filing_with_attachments_puts_them_on_the_opening_event(open_case):
    case = open_case(attachments=[upload("screen.png")])
    assert case.events.get(kind="opened").attachments.get().original_name == "screen.png"

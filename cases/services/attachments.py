"""Files added to a case event: checked against the limits in settings, stored under random names."""

import mimetypes
from collections.abc import Sequence
from pathlib import PurePath

from django.conf import settings
from django.utils.translation import gettext as _

from helpdesk.errors import InvalidInput

from ..models import Attachment, CaseEvent


def check_attachments(files: Sequence) -> None:
    """Raise InvalidInput unless every file is within the size, count and type limits."""
    if len(files) > settings.ATTACHMENT_MAX_COUNT:
        raise InvalidInput(
            _("Attach at most %(count)d files.") % {"count": settings.ATTACHMENT_MAX_COUNT},
            code="too_many_attachments",
            fields={"attachments": len(files)},
        )
    for upload in files:
        if upload.size > settings.ATTACHMENT_MAX_BYTES:
            raise InvalidInput(
                _("%(name)s is larger than %(mb)d MB.")
                % {"name": upload.name, "mb": settings.ATTACHMENT_MAX_BYTES // (1024 * 1024)},
                code="attachment_too_large",
                fields={"attachments": upload.name},
            )
        extension = PurePath(upload.name or "").suffix.lower()
        if extension not in settings.ATTACHMENT_ALLOWED_EXTENSIONS:
            raise InvalidInput(
                _("%(name)s is not an allowed file type.") % {"name": upload.name},
                code="attachment_type",
                fields={"attachments": upload.name},
            )


def save_attachments(event: CaseEvent, files: Sequence) -> list[Attachment]:
    check_attachments(files)
    saved = []
    for upload in files:
        content_type = mimetypes.guess_type(upload.name)[0] or "application/octet-stream"
        saved.append(
            Attachment.objects.create(
                event=event,
                file=upload,
                original_name=PurePath(upload.name).name[:255],
                content_type=content_type,
                size=upload.size,
            )
        )
    return saved

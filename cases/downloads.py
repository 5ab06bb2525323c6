"""How an attachment leaves the application: always as a download, never sniffed or rendered."""

from django.http import FileResponse

from .models import Attachment


def attachment_response(attachment: Attachment) -> FileResponse:
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.original_name,
        content_type="application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response

"""How an attachment leaves the application: always as a download, never sniffed or rendered."""

import unicodedata
from urllib.parse import quote

from django.http import FileResponse

from .models import Attachment
from .services.attachments import SAFE_CONTENT_TYPES, safe_file_name

FALLBACK_CONTENT_TYPE = "application/octet-stream"


def _ascii_fallback(ch: str) -> str:
    """``é`` -> ``e``; anything that is not plain printable ASCII, or quotes the header, -> ``_``."""
    plain = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
    if plain and all(" " <= c <= "~" and c not in '"\\;%' for c in plain):
        return plain
    return "_"


def content_disposition(name: str) -> str:
    """``attachment`` with the file name twice: a plain-ASCII ``filename`` for old clients
    (anything else replaced by ``_``) and the exact name as RFC 5987 ``filename*``."""
    name = safe_file_name(name) or "attachment"
    ascii_name = "".join(_ascii_fallback(ch) for ch in name)
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name, safe='')}"


def attachment_response(attachment: Attachment) -> FileResponse:
    """The file as a download, typed as the content check detected it when it was uploaded
    (anything else, such as a row written before the check existed, as plain bytes)."""
    content_type = attachment.content_type
    if content_type not in SAFE_CONTENT_TYPES:
        content_type = FALLBACK_CONTENT_TYPE
    response = FileResponse(attachment.file.open("rb"), content_type=content_type)
    response["Content-Disposition"] = content_disposition(attachment.original_name)
    response["X-Content-Type-Options"] = "nosniff"
    return response

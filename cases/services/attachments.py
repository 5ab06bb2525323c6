"""Files added to a case event: checked against the limits in settings and by their content,
stored under random names.

A file is accepted only when its extension is in ``ATTACHMENT_ALLOWED_EXTENSIONS`` *and* this
module knows how to recognise that type from the bytes themselves:

* binary formats (images, PDF, Office documents, zip archives) by their magic bytes, read by the
  ``filetype`` library; the detected type must be the one the extension names;
* text formats (plain text, logs, CSV, JSON, XML, e-mail, HAR) must be valid UTF-8, or UTF-16
  with a byte-order mark, contain no NUL character, not be a PDF, PostScript or RTF document
  written in ASCII, and not open like an HTML or SVG document (what a browser would sniff as a
  page).

The content type stored with the attachment (and sent when it is downloaded) is the one of the
detected type, never the one the uploader claimed. HTML and SVG are never accepted, whatever the
settings say.
"""

import codecs
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath

import filetype
from django.conf import settings
from django.utils.translation import gettext as _

from helpdesk.errors import InvalidInput

from ..models import Attachment, CaseEvent

# How many leading bytes the magic-byte check reads (what `filetype` itself reads from a file).
HEAD_BYTES = 8192

# Types that run script when a browser opens them: refused even if a setting lists them.
NEVER_ALLOWED = frozenset(
    {".svg", ".svgz", ".html", ".htm", ".xhtml", ".xht", ".shtml", ".mht", ".mhtml", ".js"}
)


# Document formats that can be written in plain ASCII, so pass the text checks, yet are not text:
# a viewer would run them. Other magic numbers are too short to tell from text ("BM" is a
# bitmap, "MZ" a program, "ID3" an MP3) and the real files have bytes that fail the UTF-8 check.
DOCUMENT_KINDS_IN_TEXT = frozenset({"pdf", "ps", "rtf"})


@dataclass(frozen=True)
class BinaryType:
    """Recognised by magic bytes: `kinds` are the `filetype` extensions that count as this type."""

    kinds: frozenset[str]
    content_type: str


@dataclass(frozen=True)
class TextType:
    content_type: str


_DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"

KNOWN_TYPES: dict[str, BinaryType | TextType] = {
    ".png": BinaryType(frozenset({"png", "apng"}), "image/png"),
    ".jpg": BinaryType(frozenset({"jpg"}), "image/jpeg"),
    ".jpeg": BinaryType(frozenset({"jpg"}), "image/jpeg"),
    ".gif": BinaryType(frozenset({"gif"}), "image/gif"),
    ".pdf": BinaryType(frozenset({"pdf"}), "application/pdf"),
    ".docx": BinaryType(frozenset({"docx"}), _DOCX),
    ".xlsx": BinaryType(frozenset({"xlsx"}), _XLSX),
    ".pptx": BinaryType(frozenset({"pptx"}), _PPTX),
    # An Office document is a zip archive too, and may be sent as one.
    ".zip": BinaryType(frozenset({"zip", "docx", "xlsx", "pptx"}), "application/zip"),
    ".txt": TextType("text/plain"),
    ".log": TextType("text/plain"),
    ".csv": TextType("text/csv"),
    ".json": TextType("application/json"),
    ".har": TextType("application/json"),
    ".xml": TextType("application/xml"),
    ".eml": TextType("message/rfc822"),
}

# Every content type this module can store: the download view sends no other.
SAFE_CONTENT_TYPES = frozenset(
    {t.content_type for t in KNOWN_TYPES.values()}
    | {f"{t.content_type}; charset=utf-16" for t in KNOWN_TYPES.values() if isinstance(t, TextType)}
    | {f"{t.content_type}; charset=utf-8" for t in KNOWN_TYPES.values() if isinstance(t, TextType)}
)

# The start of a document a browser would take for HTML or SVG (after white space, an XML
# declaration, comments and a doctype), as in the WHATWG MIME-sniffing rules, plus SVG/XHTML.
_MARKUP_START = re.compile(
    r"""\A\s*
        (?:<\?xml[^>]*>\s*)?
        (?:<!--.*?-->\s*)*
        (?:<!doctype\s+(?:html|svg)
          |<!doctype\s[^>]*(?:xhtml|svg)
          |<(?:html|head|body|script|iframe|svg|div|table|style|title|a|p|b|br|h1|font|img
              |object|embed|meta|link|math|frameset|xsl:stylesheet)[\s>/:]
          |<[^>]*xmlns(?::\w+)?\s*=\s*["']http://www\.w3\.org/(?:1999/xhtml|2000/svg))
    """,
    re.IGNORECASE | re.VERBOSE | re.DOTALL,
)


@dataclass(frozen=True)
class CheckedFile:
    name: str
    content_type: str


def safe_file_name(name: str | None) -> str:
    """The last path segment of ``name`` (either slash), without control characters, at most 255
    characters; the extension is kept when shortening."""
    text = unicodedata.normalize("NFC", str(name or "")).replace("\\", "/")
    text = "".join(ch for ch in text if unicodedata.category(ch)[0] != "C")
    text = PurePosixPath(text).name.strip().lstrip(".") or ""
    if len(text) > 255:
        stem, dot, suffix = text.rpartition(".")
        text = (
            (stem[: 254 - len(suffix)] + dot + suffix) if dot and len(suffix) < 20 else text[:255]
        )
    return text


def _refuse(upload, message: str) -> InvalidInput:
    return InvalidInput(message, code="attachment_type", fields={"attachments": upload.name})


def _read_all(upload):
    """Yield the file's bytes in chunks, from its start (`chunks()` rewinds first)."""
    yield from upload.chunks()


def _text_encoding(head: bytes) -> str:
    if head.startswith(codecs.BOM_UTF16_LE) or head.startswith(codecs.BOM_UTF16_BE):
        return "utf-16"
    return "utf-8-sig"


def _check_text(upload, head: bytes) -> str:
    """Return the charset of a text file, or raise InvalidInput when it is not plain text."""
    not_text = _("%(name)s is not a plain-text file (UTF-8 or UTF-16 with a byte-order mark).")
    encoding = _text_encoding(head)
    kind = filetype.guess(head)
    if kind is not None and kind.extension in DOCUMENT_KINDS_IN_TEXT:
        raise _refuse(upload, not_text % {"name": upload.name})
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    start = ""
    try:
        for chunk in _read_all(upload):
            text = decoder.decode(chunk)
            if "\x00" in text:
                raise _refuse(upload, not_text % {"name": upload.name})
            if len(start) < 2048:
                start += text[: 2048 - len(start)]
        if "\x00" in decoder.decode(b"", final=True):
            raise _refuse(upload, not_text % {"name": upload.name})
    except UnicodeDecodeError:
        raise _refuse(upload, not_text % {"name": upload.name}) from None
    if _MARKUP_START.match(start):
        raise _refuse(
            upload,
            _("%(name)s looks like a web page or an SVG image, which cannot be attached.")
            % {"name": upload.name},
        )
    return "utf-16" if encoding == "utf-16" else "utf-8"


def _head(upload) -> bytes:
    head = b""
    for chunk in _read_all(upload):
        head += chunk
        if len(head) >= HEAD_BYTES:
            break
    return head[:HEAD_BYTES]


def check_file(upload) -> CheckedFile:
    """Check one file's name and content; return its safe name and the content type to store.

    Raises InvalidInput (code ``attachment_type``) when the extension is not allowed, or the
    content is not what the extension says.
    """
    name = safe_file_name(upload.name)
    extension = PurePosixPath(name).suffix.lower()
    known = KNOWN_TYPES.get(extension)
    if (
        not name
        or extension in NEVER_ALLOWED
        or extension not in settings.ATTACHMENT_ALLOWED_EXTENSIONS
        or known is None
    ):
        raise _refuse(upload, _("%(name)s is not an allowed file type.") % {"name": upload.name})
    head = _head(upload)
    if isinstance(known, TextType):
        charset = _check_text(upload, head)
        return CheckedFile(name, f"{known.content_type}; charset={charset}")
    kind = filetype.guess(head) if head else None
    if kind is None or kind.extension not in known.kinds:
        raise _refuse(
            upload,
            _("%(name)s is not really a %(type)s file.")
            % {"name": upload.name, "type": extension.lstrip(".").upper()},
        )
    return CheckedFile(name, known.content_type)


def check_attachments(files: Sequence) -> list[CheckedFile]:
    """Raise InvalidInput unless every file is within the size, count and type limits.

    Returns, for each file in order, its safe display name and the content type of its detected
    type."""
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
    return [check_file(upload) for upload in files]


def save_attachments(event: CaseEvent, files: Sequence) -> list[Attachment]:
    """Check ``files`` (see `check_attachments`) and store them on ``event`` under random names."""
    checked = check_attachments(files)
    saved = []
    for upload, result in zip(files, checked, strict=True):
        saved.append(
            Attachment.objects.create(
                event=event,
                file=upload,
                original_name=result.name,
                content_type=result.content_type,
                size=upload.size,
            )
        )
    return saved

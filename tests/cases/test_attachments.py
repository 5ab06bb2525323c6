"""Attachments: limits from settings, types checked by content, random storage names, downloads."""

import io
import struct
import zipfile
import zlib
from urllib.parse import quote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import TenantRole
from cases.downloads import content_disposition
from cases.models import Attachment, CaseEvent
from cases.services import lifecycle
from cases.services.attachments import check_attachments, safe_file_name
from helpdesk.errors import InvalidInput
from tests.security.two_step import sign_in

DOMAIN = "contoso.example"


def png_bytes() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00\x00"))
        + chunk(b"IEND", b"")
    )


JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 32
GIF = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!\xf9\x04\x00\x00\x00\x00\x00,"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48
HTML = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><circle r="5"/></svg>'
XML_SVG = b'<?xml version="1.0"?>\n<!-- a drawing -->\n<svg xmlns="http://www.w3.org/2000/svg"/>'


def zip_bytes(*names: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in names:
            archive.writestr(name, "<x/>")
    return buffer.getvalue()


DOCX = zip_bytes("[Content_Types].xml", "_rels/.rels", "word/document.xml")
XLSX = zip_bytes("[Content_Types].xml", "_rels/.rels", "xl/workbook.xml")
PPTX = zip_bytes("[Content_Types].xml", "_rels/.rels", "ppt/presentation.xml")
ZIP = zip_bytes("logs/trace.txt")


def upload(name="trace.log", content=None, size=10, claimed="text/plain"):
    return SimpleUploadedFile(name, b"x" * size if content is None else content, claimed)


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
    assert len(attachment.file.name.removeprefix("attachments/")) == 32
    assert attachment.size == 10


def test_two_files_with_one_name_get_two_different_storage_names(world, open_case):
    case = open_case()
    event = lifecycle.case_reply(
        actor=world[TenantRole.GLOBAL_ADMIN],
        case=case,
        body="Twice",
        attachments=[upload("same.log"), upload("same.log")],
    )
    first, second = event.attachments.order_by("pk")
    assert first.file.name != second.file.name


@pytest.mark.parametrize(
    ("files", "code"),
    [
        ([upload("big.log", size=2048)], "attachment_too_large"),
        ([upload("tool.exe", EXE)], "attachment_type"),
        ([upload(f"f{i}.txt") for i in range(3)], "too_many_attachments"),
        ([upload("ok.txt"), upload("fake.png", PDF)], "attachment_type"),
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
    case = open_case(attachments=[upload("screen.png", png_bytes(), claimed="image/png")])
    attachment = case.events.get(kind="opened").attachments.get()
    assert (attachment.original_name, attachment.content_type) == ("screen.png", "image/png")


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("screen.png", png_bytes(), "image/png"),
        ("photo.jpg", JPEG, "image/jpeg"),
        ("photo.JPEG", JPEG, "image/jpeg"),
        ("spinner.gif", GIF, "image/gif"),
        ("report.pdf", PDF, "application/pdf"),
        (
            "notes.docx",
            DOCX,
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        ("sheet.xlsx", XLSX, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (
            "deck.pptx",
            PPTX,
            "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        ),
        ("logs.zip", ZIP, "application/zip"),
        ("notes-as-archive.zip", DOCX, "application/zip"),
        ("trace.log", b"12:00 550 5.7.1 rejected\n", "text/plain; charset=utf-8"),
        ("readme.txt", "메일이 안 와요 \u2014 ok\n".encode(), "text/plain; charset=utf-8"),
        ("bom.txt", "\ufeffhello".encode(), "text/plain; charset=utf-8"),
        ("wide.txt", "hello 세계".encode("utf-16"), "text/plain; charset=utf-16"),
        ("users.csv", b"name,mail\nDana,dana@contoso.example\n", "text/csv; charset=utf-8"),
        ("config.json", b'{"html": "<b>not a page</b>"}', "application/json; charset=utf-8"),
        ("session.har", b'{"log": {"entries": []}}', "application/json; charset=utf-8"),
        ("policy.xml", b'<?xml version="1.0"?><policy/>', "application/xml; charset=utf-8"),
        (
            "message.eml",
            b"From: a@b.example\r\nSubject: hi\r\n\r\nbody",
            "message/rfc822; charset=utf-8",
        ),
        ("empty.txt", b"", "text/plain; charset=utf-8"),
        # Text that happens to begin like a short magic number (bitmap, program, MP3).
        ("cars.csv", b"BMW,Munich\nFiat,Turin\n", "text/csv; charset=utf-8"),
        ("countries.csv", b"MZ,Mozambique\n", "text/csv; charset=utf-8"),
        ("tags.txt", b"ID3 tags were missing\n", "text/plain; charset=utf-8"),
    ],
)
def test_allowed_types_are_recognised_by_content_and_typed_by_it(name, content, content_type):
    # The browser's claim (here always text/html) plays no part.
    [checked] = check_attachments([upload(name, content, claimed="text/html")])
    assert checked.content_type == content_type


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("screen.png", PDF),  # a PDF named .png
        ("screen.png", HTML),  # a web page named .png
        ("screen.png", SVG),  # an SVG image named .png
        ("screen.png", EXE),  # a program named .png
        ("screen.png", b"just text"),  # nothing recognisable
        ("screen.png", b""),
        ("photo.jpg", png_bytes()),  # the wrong image type
        ("report.pdf", DOCX),
        ("notes.docx", ZIP),  # a plain archive is not a Word document
        ("notes.docx", XLSX),
        ("logs.zip", PDF),
        ("trace.log", b"line\x00with a NUL"),
        ("trace.log", b"\xc3\x28 not utf-8"),
        ("wide.txt", b"\xff\xfeodd"),  # UTF-16 cut in the middle of a character
        ("trace.log", b"caf\xe9"),  # Latin-1, not UTF-8
        ("wide.txt", "no NULs allowed\x00".encode("utf-16")),
        ("trace.log", PDF),  # a known binary format, even though it is ASCII
        ("trace.log", png_bytes()),
        ("trace.log", b"%!PS-Adobe-3.0\n/x { } def\n"),
        ("trace.log", b"{\\rtf1\\ansi hello}"),
        ("trace.log", EXE),
        ("page.txt", HTML),
        ("page.txt", b"  \n<html><body>hi</body></html>"),
        ("page.txt", b"<script>alert(1)</script>"),
        ("page.csv", b"<!-- x --><iframe src=//evil.example></iframe>"),
        ("drawing.xml", XML_SVG),
        ("drawing.xml", b'<x:page xmlns:x="http://www.w3.org/1999/xhtml"/>'),
        ("drawing.xml", b'<?xml version="1.0"?><!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN">'),
        ("data.json", SVG),
        ("tool.exe", EXE),
        ("noextension", b"text"),
        (".png", png_bytes()),
    ],
)
def test_content_that_does_not_match_its_name_is_refused(name, content):
    with pytest.raises(InvalidInput) as error:
        check_attachments([upload(name, content)])
    assert error.value.code == "attachment_type"
    assert error.value.fields == {"attachments": name}


@pytest.mark.parametrize(
    ("name", "content"),
    [("drawing.svg", SVG), ("page.html", HTML), ("page.htm", HTML), ("app.js", b"alert(1)")],
)
def test_svg_and_html_are_never_allowed_even_when_a_setting_lists_them(settings, name, content):
    settings.ATTACHMENT_ALLOWED_EXTENSIONS = frozenset({".svg", ".html", ".htm", ".js", ".txt"})
    with pytest.raises(InvalidInput):
        check_attachments([upload(name, content)])


def test_a_type_left_out_of_the_setting_is_refused(settings):
    settings.ATTACHMENT_ALLOWED_EXTENSIONS = frozenset({".txt"})
    with pytest.raises(InvalidInput):
        check_attachments([upload("screen.png", png_bytes())])


@pytest.mark.parametrize(
    ("name", "safe"),
    [
        ("../../etc/passwd.log", "passwd.log"),
        ("C:\\Users\\dana\\trace.log", "trace.log"),
        ("evil\r\nX-Injected: 1.txt", "evilX-Injected: 1.txt"),
        ("tab\there.txt", "tabhere.txt"),
        ("\u202eexe.txt", "exe.txt"),  # right-to-left override
        ("a" * 300 + ".log", "a" * 251 + ".log"),
    ],
)
def test_file_names_are_reduced_to_a_safe_last_segment(name, safe):
    assert safe_file_name(name) == safe


def test_content_disposition_has_an_ascii_fallback_and_the_exact_utf8_name():
    header = content_disposition('보고서 "final";.pdf')
    assert header.startswith("attachment; ")
    assert 'filename="___ _final__.pdf"' in header
    assert "filename*=UTF-8''" + quote('보고서 "final";.pdf', safe="") in header
    assert "\n" not in header and "\r" not in header


def reply_with(client, case, *files):
    return client.post(
        reverse("request_reply", args=[case.number]),
        {"body": "Here you go", "attachments": list(files)},
    )


def test_a_download_is_typed_by_detection_not_by_the_claim(client, world, open_case):
    case = open_case()
    sign_in(client, world[TenantRole.GLOBAL_ADMIN])
    response = reply_with(client, case, upload("메일 로그.png", png_bytes(), claimed="text/html"))
    assert response.status_code == 302
    attachment = case.events.get(kind="reply").attachments.get()
    download = client.get(reverse("attachment_download", args=[case.number, attachment.pk]))
    assert download.status_code == 200
    assert download["Content-Type"] == "image/png"
    assert download["X-Content-Type-Options"] == "nosniff"
    assert download["Content-Disposition"] == (
        "attachment; filename=\"__ __.png\"; filename*=UTF-8''" + quote("메일 로그.png", safe="")
    )
    assert b"".join(download.streaming_content) == png_bytes()


def test_an_old_row_with_an_unknown_type_downloads_as_bytes(client, world, open_case):
    case = open_case()
    sign_in(client, world[TenantRole.GLOBAL_ADMIN])
    reply_with(client, case, upload("trace.log", b"ok"))
    attachment = case.events.get(kind="reply").attachments.get()
    Attachment.objects.filter(pk=attachment.pk).update(content_type="text/html")
    download = client.get(reverse("attachment_download", args=[case.number, attachment.pk]))
    assert download["Content-Type"] == "application/octet-stream"
    assert download["Content-Disposition"].startswith("attachment;")


def test_a_disguised_file_is_a_form_error_on_the_request_page(client, world, open_case):
    case = open_case()
    sign_in(client, world[TenantRole.GLOBAL_ADMIN])
    response = reply_with(client, case, upload("screen.png", HTML, claimed="image/png"))
    assert response.status_code == 400
    assert "screen.png is not really a PNG file." in response.content.decode()
    assert not Attachment.objects.exists()
    assert not case.events.filter(kind="reply").exists()


def test_a_disguised_file_is_a_form_error_in_the_console(client, world, open_case):
    case = open_case()
    sign_in(client, world["engineer"])
    response = client.post(
        reverse("console_case_action", args=[case.number, "reply"]),
        {"body": "See attached", "attachments": [upload("fix.pdf", EXE)]},
    )
    assert response.status_code == 400
    assert "fix.pdf is not really a PDF file." in response.content.decode()
    assert not Attachment.objects.exists()


def test_a_disguised_file_is_a_form_error_in_the_new_request_wizard(
    client, world, categories, problem_type
):
    sign_in(client, world[TenantRole.GLOBAL_ADMIN])
    client.get(reverse("request_new", args=[DOMAIN]))
    client.post(reverse("request_new_step", args=[DOMAIN, "describe"]), {"summary": "x y z"})
    client.post(reverse("request_new_step", args=[DOMAIN, "classify"]), {"category": "technical"})
    response = client.post(
        reverse("request_new_step", args=[DOMAIN, "details"]),
        {"title": "t", "description": "d", "attachments": [upload("shot.png", SVG)]},
    )
    assert "shot.png is not really a PNG file." in response.content.decode()
    assert response.status_code in {200, 400}


def test_the_api_refuses_a_disguised_file_with_a_json_400(world, open_case):
    from rest_framework.test import APIClient

    case = open_case()
    api = APIClient()
    api.force_authenticate(user=world[TenantRole.GLOBAL_ADMIN])
    url = f"/api/v1/cases/{case.number}/attachments/"
    refused = api.post(url, {"file": upload("screen.png", HTML)}, format="multipart")
    assert refused.status_code == 400
    assert refused["Content-Type"].startswith("application/json")
    assert refused.json()["code"] == "attachment_type"
    assert not Attachment.objects.exists()
    accepted = api.post(url, {"file": upload("report.pdf", PDF)}, format="multipart")
    assert accepted.status_code == 201
    [listed] = api.get(url).json()
    assert (listed["name"], listed["content_type"]) == ("report.pdf", "application/pdf")
    download = api.get(f"{url}{listed['id']}/")
    assert download["Content-Type"] == "application/pdf"
    assert download["X-Content-Type-Options"] == "nosniff"
    assert download["Content-Disposition"].startswith('attachment; filename="report.pdf"')


def test_a_large_upload_spooled_to_disk_is_checked_and_stored_whole(client, world, open_case):
    case = open_case()
    sign_in(client, world[TenantRole.GLOBAL_ADMIN])
    content = b"".join(b"%07d 550 5.7.1 rejected\n" % i for i in range(120_000))  # ~3.4 MB
    assert reply_with(client, case, upload("big.log", content)).status_code == 302
    attachment = case.events.get(kind="reply").attachments.get()
    assert attachment.size == len(content)
    with attachment.file.open("rb") as stored:
        assert stored.read() == content
    refused = reply_with(client, case, upload("big.log", content[:-10] + b"\x00" * 10))
    assert refused.status_code == 400

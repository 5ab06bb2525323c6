"""The Korean catalogue: complete, compiled, and used for Korean-speaking admins.

`make messages` re-extracts and compiles it; the compiled .mo is committed so that a machine without
gettext still shows Korean, which is why these tests check that it matches the .po.
"""

import ast
import gettext
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from accounts.models import TenantRole

MESSAGES = Path(settings.BASE_DIR) / "locale" / "ko" / "LC_MESSAGES"
PO = MESSAGES / "django.po"
MO = MESSAGES / "django.mo"
KEYWORD = re.compile(r"(msgctxt|msgid|msgid_plural|msgstr|msgstr\[\d+\]) (\".*\")$")


def parse_po(text: str) -> list[dict]:
    """The live entries of a .po file: {"flags", "msgctxt", "msgid", "msgid_plural", "msgstr"}, with
    msgstr as {index: text} (a plain msgstr under index 0).

    Enough of the format for a catalogue written by makemessages; obsolete (#~) entries are
    skipped like any other comment."""
    entries, entry, field = [], None, None
    for line in [*text.splitlines(), ""]:
        line = line.strip()
        if not line or line.startswith("#~"):
            if entry is not None and not line:
                entries.append(entry)
                entry = None
            continue
        entry = entry or {
            "flags": set(),
            "msgctxt": None,
            "msgid": "",
            "msgid_plural": None,
            "msgstr": {},
        }
        if line.startswith("#,"):
            entry["flags"] |= {flag.strip() for flag in line[2:].split(",")}
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            container, key = field
            container[key] += ast.literal_eval(line)
        else:
            keyword, literal = KEYWORD.match(line).groups()
            if keyword.startswith("msgstr"):
                field = (entry["msgstr"], int(keyword[7:-1]) if "[" in keyword else 0)
            else:
                field = (entry, keyword)
            field[0][field[1]] = ast.literal_eval(literal)
    return entries


def translations(entries: list[dict]) -> dict:
    """What msgfmt compiles, keyed as gettext.GNUTranslations keys its catalogue: msgid, or
    (msgid, index) for plurals, the msgid prefixed with "context\\x04" where there is a context.
    The header, fuzzy and untranslated entries are left out."""
    catalogue = {}
    for entry in entries:
        if not entry["msgid"] or "fuzzy" in entry["flags"] or not all(entry["msgstr"].values()):
            continue
        msgid = entry["msgid"]
        if entry["msgctxt"] is not None:
            msgid = f"{entry['msgctxt']}\x04{msgid}"
        for index, text in entry["msgstr"].items():
            key = msgid if entry["msgid_plural"] is None else (msgid, index)
            catalogue[key] = text
    return catalogue


def read_mo(path: Path) -> dict:
    with path.open("rb") as handle:
        catalogue = dict(gettext.GNUTranslations(handle)._catalog)
    catalogue.pop("", None)  # the header
    return catalogue


@pytest.fixture(scope="module")
def entries():
    return parse_po(PO.read_text(encoding="utf-8"))


def test_the_korean_catalogue_declares_korean_with_a_single_plural_form(entries):
    header = entries[0]["msgstr"][0]
    assert "Language: ko\n" in header
    assert "Plural-Forms: nplurals=1; plural=0;\n" in header


def test_every_message_has_a_korean_translation_and_none_is_fuzzy(entries):
    messages = [entry for entry in entries if entry["msgid"]]
    assert len(messages) > 500
    untranslated = [e["msgid"] for e in messages if not all(e["msgstr"].values())]
    fuzzy = [e["msgid"] for e in entries if "fuzzy" in e["flags"]]
    assert untranslated == []
    assert fuzzy == []
    # Korean has one plural form, so a plural entry carries exactly msgstr[0].
    assert {tuple(e["msgstr"]) for e in messages if e["msgid_plural"]} == {(0,)}


def test_translations_keep_every_placeholder_of_their_message(entries):
    placeholder = re.compile(r"%\([a-z_]+\)[sd]|%%")
    for entry in entries[1:]:
        for text in entry["msgstr"].values():
            assert sorted(placeholder.findall(text)) == sorted(
                placeholder.findall(entry["msgid"])
            ), entry["msgid"]


def test_the_committed_mo_holds_exactly_the_translations_of_the_po(entries):
    assert read_mo(MO) == translations(entries)


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="needs gettext's msgfmt")
def test_compiling_the_po_again_gives_the_committed_mo(tmp_path):
    compiled = tmp_path / "django.mo"
    subprocess.run(  # noqa: S603 - fixed arguments, no shell
        ["msgfmt", "--check", "-o", str(compiled), str(PO)],  # noqa: S607 - msgfmt from PATH
        check=True,
        capture_output=True,
    )
    assert read_mo(compiled) == read_mo(MO)


@pytest.fixture
def korean_admin(world):
    admin = world[TenantRole.GLOBAL_ADMIN]
    admin.preferred_language = "ko"
    admin.save(update_fields=["preferred_language"])
    return admin


def test_a_korean_admin_sees_the_admin_centre_in_korean(client, korean_admin):
    client.force_login(korean_admin)
    body = client.get(reverse("home")).content.decode()
    assert '<html lang="ko">' in body
    assert "<h1>관리 센터</h1>" in body
    assert "열린 요청" in body
    assert "새 서비스 요청" in body
    assert "Admin centre" not in body


def test_the_language_switcher_overrides_the_preferred_language(client, korean_admin):
    client.force_login(korean_admin)
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    body = client.get(reverse("home")).content.decode()
    assert '<html lang="en">' in body
    assert "<h1>Admin centre</h1>" in body
    assert "관리 센터" not in body

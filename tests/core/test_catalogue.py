"""The English catalogue is complete and compiled: every message extracted into it has an English
text (none empty, none left fuzzy by makemessages' guesses), and the committed .mo is the .po
compiled, so what people see in English is what the .po says. New strings reach the .po through
`make messages` (CONTRIBUTING.md)."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest

LOCALE = Path(__file__).resolve().parents[2] / "src" / "gonghui" / "locale" / "en" / "LC_MESSAGES"


def _entries(text: str) -> list[dict]:
    """Entries of a PO file: flags, msgid and the msgstr(s), continuation lines joined."""
    out = []
    for block in re.split(r"\n\s*\n", text.strip()):
        lines = [ln for ln in block.splitlines() if not ln.startswith("#~")]
        if not any(ln.startswith("msgid ") for ln in lines):
            continue
        entry: dict = {"flags": "", "msgid": "", "msgstr": []}
        current = None
        for ln in lines:
            if ln.startswith("#,"):
                entry["flags"] += ln
            elif ln.startswith("msgid "):
                current, entry["msgid"] = "msgid", ln[6:].strip()[1:-1]
            elif ln.startswith("msgid_plural "):
                current = "plural"
            elif ln.startswith("msgstr"):
                current = "msgstr"
                entry["msgstr"].append(ln.split(" ", 1)[1].strip()[1:-1])
            elif ln.startswith('"') and current == "msgid":
                entry["msgid"] += ln.strip()[1:-1]
            elif ln.startswith('"') and current == "msgstr":
                entry["msgstr"][-1] += ln.strip()[1:-1]
        out.append(entry)
    return out


def test_every_message_has_an_english_text():
    entries = [e for e in _entries((LOCALE / "django.po").read_text("utf-8")) if e["msgid"]]
    assert len(entries) > 1000  # the catalogue is the whole interface, not a sample
    fuzzy = [e["msgid"] for e in entries if "fuzzy" in e["flags"]]
    empty = [e["msgid"] for e in entries if not all(e["msgstr"])]
    assert fuzzy == [], f"fuzzy (guessed) translations: {fuzzy[:10]}"
    assert empty == [], f"untranslated: {empty[:10]}"


def test_parser_sees_an_empty_and_a_fuzzy_entry():
    text = '#, fuzzy\nmsgid "甲"\nmsgstr "A"\n\nmsgid ""\n"乙"\nmsgstr ""\n'
    entries = _entries(text)
    assert [(e["msgid"], e["msgstr"], "fuzzy" in e["flags"]) for e in entries] == [
        ("甲", ["A"], True),
        ("乙", [""], False),
    ]


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="gettext's msgfmt is not installed")
def test_committed_mo_is_the_po_compiled(tmp_path):
    compiled = tmp_path / "django.mo"
    subprocess.run(
        [shutil.which("msgfmt"), "--check-format", "-o", str(compiled), str(LOCALE / "django.po")],
        check=True,
    )
    assert compiled.read_bytes() == (LOCALE / "django.mo").read_bytes(), (
        "django.mo is not django.po compiled: run `make messages`"
    )

# SPDX-License-Identifier: AGPL-3.0-or-later
"""Normalisation of the values the mutual-aid duplicate checks compare."""

import unicodedata

# Variation selectors are combining marks (Mn) that render as nothing.
_INVISIBLE_MARKS = {*range(0xFE00, 0xFE10), *range(0xE0100, 0xE01F0)}


def hospital_key(name: str) -> str:
    """The hospital as the duplicate-stay check compares it (issue 12 item 5).

    NFKC (full-width letters and digits become ASCII, compatibility forms fold), then every
    punctuation (P*), separator/space (Z*) and control/format/invisible (C*: zero-width
    space, joiners, bidi marks, BOM) character and variation selector is dropped, and the
    rest is case-folded — so "海盐县人民医院", "海盐县\u200b人民医院", "海盐县人民医院。" and
    "ＨＹ人民医院" / "hy人民医院" compare equal.
    """
    text = unicodedata.normalize("NFKC", name or "").casefold()
    text = unicodedata.normalize("NFKC", text)
    return "".join(
        ch
        for ch in text
        if unicodedata.category(ch)[0] not in "PZC" and ord(ch) not in _INVISIBLE_MARKS
    )

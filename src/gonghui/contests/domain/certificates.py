# SPDX-License-Identifier: AGPL-3.0-or-later
"""A printable certificate (PDF) per award, with reportlab's built-in CJK font (no font
file needed: the viewer supplies STSong-Light)."""

import io

from django.utils import timezone


def certificate_pdf(award) -> bytes:
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    font = "STSong-Light"
    if font not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(font))
    buf = io.BytesIO()
    width, height = landscape(A4)
    pdf = canvas.Canvas(buf, pagesize=(width, height), invariant=1)
    pdf.setTitle(f"荣誉证书 {award.certificate_no}")
    pdf.setStrokeColorRGB(0.71, 0.07, 0.11)
    pdf.setLineWidth(6)
    pdf.rect(30, 30, width - 60, height - 60)
    pdf.setFillColorRGB(0.71, 0.07, 0.11)
    pdf.setFont(font, 44)
    pdf.drawCentredString(width / 2, height - 130, "荣誉证书")
    pdf.setFillColorRGB(0, 0, 0)
    entry = award.entry
    people = "、".join(m.person.name for m in entry.members.select_related("person")[:12])
    lines = [
        f"{entry.unit.name}：{entry.name}" + (f"（{people}）" if people else ""),
        f"在{award.contest.name}{award.event.name}中",
        f"荣获{award.tier.name}" + (f"（第{award.rank}名）" if award.rank else ""),
        "特发此证，以资鼓励。",
    ]
    pdf.setFont(font, 20)
    y = height - 220
    for line in lines:
        pdf.drawCentredString(width / 2, y, line[:60])
        y -= 40
    pdf.setFont(font, 14)
    issued = timezone.localtime(award.contest.published_at or timezone.now())
    pdf.drawRightString(width - 90, 120, award.contest.org_unit.name)
    pdf.drawRightString(width - 90, 96, f"{issued:%Y年%m月%d日}")
    pdf.drawString(90, 96, f"证书编号：{award.certificate_no}")
    pdf.showPage()
    pdf.save()
    return buf.getvalue()

"""Invoices, pro-forma invoices and credit notes as A4 PDFs, drawn from their stored snapshot.

The snapshot is the document (it never changes once issued), so a PDF rendered today and one
rendered next year are the same invoice. Text is set in Noto Sans (the `fontpkg-noto-sans`
package), which has the rupee sign and every Indian name's Latin diacritics.
"""
from __future__ import annotations

from decimal import Decimal
from functools import cache
from typing import Any

import fontpkg
from fpdf import FPDF
from fpdf.fonts import FontFace

from services.billing.domain.money import format_inr

_FONT = "Noto Sans"
_INK = (20, 24, 33)
_MUTED = (84, 92, 107)
_RULE = (200, 205, 214)


@cache
def _font_path() -> str:
    return str(fontpkg.path(_FONT))


def rate_label(gst_rate_bp: int, *, half: bool = False) -> str:
    """1800 -> "18%", and with `half` "9%" (CGST and SGST each take half the rate)."""
    value = Decimal(gst_rate_bp) / (200 if half else 100)
    return f"{value.normalize():f}%"


def document_pdf(document: dict[str, Any]) -> bytes:
    pdf = FPDF(format="A4", unit="mm")
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.set_margins(15, 15, 15)
    pdf.add_font(_FONT, fname=_font_path())
    pdf.set_title(f"{document['title']} {document['number']}")
    pdf.set_author(document["supplier"]["legal_name"])
    pdf.set_creator("Defence Partnership Days billing")
    pdf.add_page()
    pdf.set_text_color(*_INK)

    pdf.set_font(_FONT, size=18)
    pdf.cell(0, 9, document["title"], new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(_FONT, size=10)
    facts = [f"Number: {document['number']}", f"Date: {document['issued_on']}", f"Order: {document['order_number']}"]
    if document.get("against_invoice"):
        against = document["against_invoice"]
        facts.append(f"Against tax invoice {against['number']} of {against['issued_on']}")
    pdf.multi_cell(0, 5, "\n".join(facts), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)

    top = pdf.get_y()
    half = (pdf.w - pdf.l_margin - pdf.r_margin) / 2
    _party(pdf, "Supplier", document["supplier"], x=pdf.l_margin, width=half - 4)
    supplier_bottom = pdf.get_y()
    pdf.set_y(top)
    _party(pdf, "Recipient", document["buyer"], x=pdf.l_margin + half + 4, width=half - 4)
    pdf.set_y(max(supplier_bottom, pdf.get_y()) + 3)

    pdf.set_font(_FONT, size=10)
    pdf.multi_cell(0, 5, f"Place of supply: {document['place_of_supply']}\n"
                         f"Tax payable on reverse charge: {document['reverse_charge']}",
                   new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    _lines_table(pdf, document)
    pdf.ln(3)
    _totals(pdf, document)
    pdf.ln(2)
    pdf.set_font(_FONT, size=10)
    pdf.multi_cell(0, 5, f"Amount in words: {document['amount_in_words']}", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.set_text_color(*_MUTED)
    pdf.set_font(_FONT, size=8.5)
    notes = [document["rounding"]]
    if document.get("reason"):
        notes.insert(0, f"Reason: {document['reason']}")
    if document.get("payment"):
        payment = document["payment"]
        notes.append(f"Paid by {payment['method'].replace('_', ' ')} on {payment['received_on']}, "
                     f"reference {payment['reference']}.")
    if document.get("bank_details"):
        notes.append(f"Pay by {document['pay_by'][:10]} to: {document['bank_details']}")
    if document.get("note"):
        notes.append(document["note"])
    notes.append(f"For {document['supplier']['legal_name']}: authorised signatory. {document['signatory']}")
    pdf.multi_cell(0, 4.5, "\n".join(notes), new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def _party(pdf: FPDF, heading: str, party: dict[str, Any], *, x: float, width: float) -> None:
    pdf.set_x(x)
    pdf.set_font(_FONT, size=8.5)
    pdf.set_text_color(*_MUTED)
    pdf.cell(width, 5, heading.upper(), new_x="LEFT", new_y="NEXT")
    pdf.set_text_color(*_INK)
    pdf.set_font(_FONT, size=10.5)
    pdf.set_x(x)
    pdf.multi_cell(width, 5, party["legal_name"], new_x="LEFT", new_y="NEXT")
    pdf.set_font(_FONT, size=9.5)
    lines = [party["address"]]
    if party.get("city"):
        lines.append(f"{party['city']} {party.get('postal_code') or ''}".strip())
    if party.get("state"):
        lines.append(f"State: {party['state']}")
    elif party.get("country") and party["country"] != "IN":
        lines.append(f"Country: {party['country']}")
    lines.append(f"GSTIN: {party['gstin'] or 'unregistered'}")
    pdf.set_x(x)
    pdf.multi_cell(width, 4.8, "\n".join(lines), new_x="LEFT", new_y="NEXT")


def _lines_table(pdf: FPDF, document: dict[str, Any]) -> None:
    intra = document["intra_state"]
    headings = ["#", "Description", "SAC", "Qty", "Taxable value"]
    headings += ["CGST", "SGST"] if intra else ["IGST"]
    headings += ["Amount"]
    widths = (6, 62, 15, 9, 26, 22, 22, 24) if intra else (6, 78, 15, 9, 28, 26, 24)
    pdf.set_font(_FONT, size=8.5)
    pdf.set_draw_color(*_RULE)
    aligns = ("RIGHT", "LEFT", "LEFT", "RIGHT", "RIGHT", "RIGHT", "RIGHT", "RIGHT")
    with pdf.table(col_widths=widths, text_align=aligns[:len(widths)], line_height=4.6, first_row_as_headings=True,
                   headings_style=FontFace(color=_MUTED), borders_layout="HORIZONTAL_LINES") as table:
        table.row(headings)
        for line in document["lines"]:
            description = line["description"] + (" (RC)" if line["reverse_charge"] else "")
            if line.get("unit_price_paise") is not None and line.get("quantity", 1) > 1:
                description += f"\n{line['quantity']} × {format_inr(line['unit_price_paise'])}"
            taxes = ([f"{rate_label(line['gst_rate_bp'], half=True)}\n{format_inr(line['cgst_paise'])}",
                      f"{rate_label(line['gst_rate_bp'], half=True)}\n{format_inr(line['sgst_paise'])}"] if intra
                     else [f"{rate_label(line['gst_rate_bp'])}\n{format_inr(line['igst_paise'])}"])
            table.row([str(line["line_no"]), description, line["sac_code"], str(line.get("quantity", "")),
                       format_inr(line["taxable_paise"]), *taxes, format_inr(line["amount_paise"])])


def _totals(pdf: FPDF, document: dict[str, Any]) -> None:
    totals = document["totals"]
    rows = [("Taxable value", totals["taxable_paise"])]
    if document["intra_state"]:
        rows += [("CGST", totals["cgst_paise"]), ("SGST", totals["sgst_paise"])]
    else:
        rows.append(("IGST", totals["igst_paise"]))
    if totals["reverse_charge_tax_paise"]:
        rows.append(("of which payable by the recipient on reverse charge", -totals["reverse_charge_tax_paise"]))
    label = "Total refunded" if document["title"] == "Credit note" else "Total payable"
    rows.append((label, totals["payable_paise"]))
    pdf.set_font(_FONT, size=9.5)
    for index, (name, amount) in enumerate(rows):
        last = index == len(rows) - 1
        if last:
            pdf.set_font(_FONT, size=11.5)
        pdf.cell(pdf.w - pdf.l_margin - pdf.r_margin - 40, 6, name, align="R")
        pdf.cell(40, 6, format_inr(amount), align="R", new_x="LMARGIN", new_y="NEXT")

"""What a buyer hears about an order: placed, its hold running out, the pro-forma for a bank
transfer, payment received, the tax invoice, a credit note. Plain Python.

The buyer's contact gets each email; an order whose contact was erased gets none.
"""
from __future__ import annotations

from services.notification.domain.formatting import local_time, rupees
from services.notification.domain.messages import EmailToSend, Recipient


def _to_buyer(template: str, data: dict, **extra) -> list[EmailToSend]:
    buyer = data["buyer"]
    if not buyer["contact_email"]:
        return []
    recipient = Recipient(email=buyer["contact_email"], full_name=buyer["contact_name"] or buyer["legal_name"])
    return [EmailToSend(recipient=recipient, template=template, context={
        "full_name": recipient.full_name,
        "organisation": buyer["legal_name"],
        "order_number": data["order_number"],
        "lines": [{"description": line["description"], "quantity": line["quantity"],
                   "amount": rupees(line["payable_paise"])} for line in data["lines"]],
        "taxable": rupees(data["taxable_paise"]),
        "tax": rupees(data["tax_paise"]),
        "payable": rupees(data["payable_paise"]),
        "by_bank_transfer": data["payment_method"] == "bank_transfer",
        "order_url": data["order_url"],
        **extra,
    })]


def _document(data: dict) -> dict:
    return {"document_number": data["document_number"], "download_url": data["download_url"],
            "download_expires_at": local_time(data["download_expires_at"])}


def order_placed(data: dict) -> list[EmailToSend]:
    return _to_buyer("order_placed", data, hold_expires_at=local_time(data["hold_expires_at"]))


def hold_expiring(data: dict) -> list[EmailToSend]:
    return _to_buyer("hold_expiring", data, hold_expires_at=local_time(data["hold_expires_at"]))


def proforma_issued(data: dict) -> list[EmailToSend]:
    return _to_buyer("proforma_issued", data, pay_by=local_time(data["pay_by"]), bank_details=data["bank_details"],
                     **_document(data))


def payment_received(data: dict) -> list[EmailToSend]:
    return _to_buyer("payment_received", data, amount=rupees(data["amount_paise"]),
                     paid_at=local_time(data["paid_at"]), payment_reference=data["payment_reference"])


def invoice_issued(data: dict) -> list[EmailToSend]:
    return _to_buyer("invoice_issued", data, **_document(data))


def credit_note_issued(data: dict) -> list[EmailToSend]:
    return _to_buyer("credit_note_issued", data, invoice_number=data["invoice_number"],
                     refunded=rupees(data["refunded_paise"]), **_document(data))

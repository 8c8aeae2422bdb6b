"""Billing's settings: every environment variable it reads, with its meaning."""
from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass

from services.billing.domain.gstin import valid_gstin
from services.billing.domain.numbering import check_prefix
from services.billing.domain.tax import LegalForm, Supplier
from shared.config import ConfigError, KafkaSettings, load_settings, positive_float, positive_int, setting


def _secret(raw: str) -> bytes:
    try:
        value = base64.b64decode(raw, validate=True)
    except binascii.Error:
        raise ValueError("must be base64") from None
    if len(value) < 16:
        raise ValueError("must be at least 16 random bytes")
    return value


def _url(raw: str) -> str:
    if not raw.startswith(("http://", "https://")):
        raise ValueError("must be an http:// or https:// URL")
    return raw.rstrip("/")


@dataclass(frozen=True)
class Settings:
    database_url: str = setting(
        "BILLING_DATABASE_URL", doc="SQLAlchemy URL of billing's own database")
    public_url: str = setting(
        "BILLING_PUBLIC_URL", parse=_url,
        doc="billing's base URL as browsers reach it (links in emails, the gateway's return address)")
    supplier_legal_name: str = setting(
        "BILLING_SUPPLIER_LEGAL_NAME", doc="the organiser's legal name, as invoices print it")
    supplier_gstin: str = setting(
        "BILLING_SUPPLIER_GSTIN", parse=valid_gstin,
        doc="the organiser's GSTIN; its state code is the supplier's state (CGST+SGST inside it, IGST outside)")
    supplier_address: str = setting(
        "BILLING_SUPPLIER_ADDRESS", doc="the organiser's registered address, as invoices print it")
    supplier_legal_form: LegalForm = setting(
        "BILLING_SUPPLIER_LEGAL_FORM", parse=LegalForm,
        doc="company, llp, partnership, society, trust or government: a society, trust or government "
            "organiser's sponsorships are under reverse charge for body-corporate buyers")
    document_link_secret: bytes = setting(
        "BILLING_DOCUMENT_LINK_SECRET", parse=_secret,
        doc="base64 of at least 16 random bytes: signs the download links of invoices sent by email")
    razorpay_key_id: str = setting(
        "RAZORPAY_KEY_ID", doc="the Razorpay API key id (rzp_live_... or rzp_test_...)")
    razorpay_key_secret: str = setting(
        "RAZORPAY_KEY_SECRET", doc="the Razorpay API key secret: authenticates API calls, signs checkout returns")
    razorpay_webhook_secret: str = setting(
        "RAZORPAY_WEBHOOK_SECRET", doc="the secret set on the Razorpay webhook: signs every callback")
    previous_razorpay_webhook_secrets: tuple[str, ...] = setting(
        "PREVIOUS_RAZORPAY_WEBHOOK_SECRETS", default=(),
        parse=lambda raw: tuple(secret.strip() for secret in raw.split(",") if secret.strip()),
        doc="comma-separated webhook secrets still accepted while a new one is rolled out (see ops new-webhook-secret)")
    razorpay_api_url: str = setting(
        "RAZORPAY_API_URL", default="https://api.razorpay.com", parse=_url,
        doc="where Razorpay's API and hosted checkout are (the local gateway simulator in development)")
    payment_gateway: str = setting(
        "PAYMENT_GATEWAY", default="razorpay", doc="which gateway adapter takes payments (see adapters/gateways.py)")
    gateway_timeout_seconds: float = setting(
        "PAYMENT_GATEWAY_TIMEOUT_SECONDS", default=10.0, parse=positive_float,
        doc="how long a call to the gateway's API may take before it counts as failed")
    webhook_max_age_hours: int = setting(
        "PAYMENT_WEBHOOK_MAX_AGE_HOURS", default=168, parse=positive_int,
        doc="callbacks created longer ago are refused as stale (Razorpay replays events up to 7 days old)")
    bank_transfer_details: str = setting(
        "BILLING_BANK_TRANSFER_DETAILS", default="",
        doc="account name, number, IFSC for bank transfers; printed on pro-forma invoices (unset: no bank transfers)")
    hold_minutes: int = setting(
        "BILLING_HOLD_MINUTES", default=15, parse=positive_int,
        doc="how long checkout reserves the items for a buyer paying online")
    hold_reminder_minutes: int = setting(
        "BILLING_HOLD_REMINDER_MINUTES", default=5, parse=positive_int,
        doc="the buyer is told this long before an unpaid hold expires")
    bank_transfer_days: int = setting(
        "BILLING_BANK_TRANSFER_DAYS", default=7, parse=positive_int,
        doc="how long items stay reserved for a buyer paying by bank transfer against a pro-forma invoice")
    invoice_prefix: str = setting(
        "BILLING_INVOICE_PREFIX", default="DPD", parse=check_prefix,
        doc="series of tax invoice numbers (1-4 of A-Z, 0-9, '-'): DPD/2627/000001")
    credit_note_prefix: str = setting(
        "BILLING_CREDIT_NOTE_PREFIX", default="DPDC", parse=check_prefix, doc="series of credit note numbers")
    proforma_prefix: str = setting(
        "BILLING_PROFORMA_PREFIX", default="DPDP", parse=check_prefix, doc="series of pro-forma invoice numbers")
    document_link_days: int = setting(
        "BILLING_DOCUMENT_LINK_DAYS", default=30, parse=positive_int,
        doc="how long an emailed download link of an invoice or credit note works")
    expiry_sweep_seconds: float = setting(
        "BILLING_EXPIRY_SWEEP_SECONDS", default=10.0, parse=positive_float,
        doc="how often the worker releases expired holds and sends hold reminders")
    database_pool_size: int = setting(
        "BILLING_DATABASE_POOL_SIZE", default=5, parse=positive_int,
        doc="connections each process keeps open to the database")

    @property
    def supplier(self) -> Supplier:
        return Supplier(legal_name=self.supplier_legal_name, gstin=self.supplier_gstin,
                        address=self.supplier_address, legal_form=self.supplier_legal_form)


def load(environ=None) -> tuple[Settings, KafkaSettings]:
    settings = load_settings(Settings, environ)
    prefixes = [settings.invoice_prefix, settings.credit_note_prefix, settings.proforma_prefix]
    if len(set(prefixes)) != len(prefixes):
        raise ConfigError("Settings: BILLING_INVOICE_PREFIX, BILLING_CREDIT_NOTE_PREFIX and BILLING_PROFORMA_PREFIX "
                          "must differ: each document series has its own numbers")
    return settings, load_settings(KafkaSettings, environ)

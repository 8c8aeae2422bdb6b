"""The billing database (catalogue, orders, payments, invoices and refunds). Only this service reads or writes it."""
from __future__ import annotations

from shared.audit import audit_log_table
from shared.consumer import processed_events_table
from shared.db import new_metadata
from shared.outbox import outbox_table
from shared.revocation import revoked_subjects_table

metadata = new_metadata()

outbox = outbox_table(metadata)
processed_events = processed_events_table(metadata)
revoked_subjects = revoked_subjects_table(metadata)
audit_log = audit_log_table(metadata)

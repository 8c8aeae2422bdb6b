"""Valid registration payloads for tests, varied by a seed so many can be told apart."""
from __future__ import annotations

from services.registration.domain.identifiers import gstin_check_character


def gstin(state_code: str = "07", pan: str = "AABCT1234F", entity: str = "1") -> str:
    first14 = f"{state_code}{pan}{entity}Z"
    return first14 + gstin_check_character(first14)


def registration_payload(email: str, *, name: str = "Tejas Avionics Private Limited", delegates: int = 1,
                         edition: str = "dpd-2026") -> dict:
    local, domain = email.split("@")
    return {
        "edition": edition,
        "organisation": {
            "legal_name": name,
            "type": "msme",
            "state": "DL",
            "gstin": gstin(),
            "address": "Plot 12, Okhla Industrial Area Phase II",
            "city": "New Delhi",
            "postal_code": "110020",
            "website": "https://tejas-avionics.example.in",
            "sectors": ["aerospace", "electronics_communication"],
            "capabilities": "Ruggedised mission computers and avionics displays to MIL-STD-810.",
            "products": "MC-7 mission computer; 6x8 inch MFD",
            "udyam_number": "UDYAM-DL-08-0012345",
        },
        "delegates": [
            {"full_name": f"Ananya Rao {i}" if i else "Ananya Rao", "designation": "Director, Business Development",
             "email": f"{local}+{i}@{domain}" if i else email, "phone": "+91 98765 43210", "nationality": "IN",
             "id_document": {"type": "passport", "number": f"Z{1234567 + i}"}}
            for i in range(delegates)
        ],
        "meeting_interests": ["b2g", "b2b"],
        "participation_interests": ["exhibition_booth"],
    }

"""A registration: an organisation and its delegates asking to take part in an edition.

Plain Python: the rules that hold whatever the channel (web form, JSON API, demo data).
Field-level checks of single values live beside (identifiers, contact, india); this
module holds the rules that span fields, and raises `InvalidFields` keyed by field path.
"""
from __future__ import annotations

import enum
import re
import secrets
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone

from services.registration.domain.editions import Edition
from services.registration.domain.errors import InvalidInput
from services.registration.domain.identifiers import validate_gstin
from services.registration.domain.india import state_by_key
from services.registration.domain.vetting import Status
from shared.errors import InvalidFields


class OrganisationType(enum.StrEnum):
    PRIME_CONTRACTOR = "prime_contractor"
    DPSU_PUBLIC_SECTOR = "dpsu_public_sector"
    MSME = "msme"
    STARTUP = "startup"
    INVESTOR = "investor"
    ACADEMIA = "academia"
    FOREIGN_OEM = "foreign_oem"


class MeetingInterest(enum.StrEnum):
    B2G = "b2g"
    B2B = "b2b"


class ParticipationInterest(enum.StrEnum):
    DELEGATE_ONLY = "delegate_only"
    EXHIBITION_BOOTH = "exhibition_booth"
    SPONSORSHIP = "sponsorship"
    BRANDING = "branding"


# The event's sector list (an organiser-editable list arrives with editions).
SECTORS = {
    "land_systems": "Land systems",
    "naval_systems": "Naval systems",
    "aerospace": "Aerospace",
    "electronics_communication": "Electronics and communication",
    "cyber": "Cyber",
    "unmanned_systems": "Unmanned systems",
    "space": "Space",
    "materials": "Materials",
    "ammunition_explosives": "Ammunition and explosives",
    "simulation_training": "Simulation and training",
    "small_arms": "Small arms",
    "artificial_intelligence": "Artificial intelligence",
}

# However generous an edition is, no delegation is larger than this (a bound for the API).
MAX_DELEGATES_EVER = 50


class IdentityDocumentType(enum.StrEnum):
    PASSPORT = "passport"
    AADHAAR = "aadhaar"
    PAN = "pan"
    DRIVING_LICENCE = "driving_licence"
    VOTER_ID = "voter_id"


@dataclass(frozen=True)
class IdentityDocument:
    """Checked at the venue's security desk. Its number is encrypted at rest and never shown whole."""

    type: IdentityDocumentType
    number: str

    @classmethod
    def of(cls, type_: str, number: str, nationality: str) -> IdentityDocument:
        kind = IdentityDocumentType(type_)
        value = "".join(number.split()).upper()
        rules = {
            IdentityDocumentType.AADHAAR: (r"^[2-9][0-9]{11}$", "An Aadhaar number has 12 digits."),
            IdentityDocumentType.PAN: (r"^[A-Z]{5}[0-9]{4}[A-Z]$", "A PAN looks like ABCDE1234F."),
            IdentityDocumentType.PASSPORT: (r"^[A-Z0-9]{6,12}$", "A passport number has 6 to 12 letters and digits."),
        }
        pattern, message = rules.get(kind, (r"^[A-Z0-9/-]{5,30}$", "5 to 30 letters, digits, '/' or '-'."))
        errors = []
        if not re.match(pattern, value):
            errors.append(message)
        if nationality != "IN" and kind is not IdentityDocumentType.PASSPORT:
            errors.append("Foreign nationals identify with their passport.")
        if errors:
            raise InvalidFields({"id_document": errors})
        return cls(kind, value)

    @property
    def last_characters(self) -> str:
        return self.number[-4:]


@dataclass(frozen=True)
class Delegate:
    full_name: str
    designation: str
    email: str
    phone: str
    nationality: str
    id_document: IdentityDocument | None = None  # None only for delegates read back for display
    id: str = field(default_factory=lambda: str(uuid.uuid4()))


@dataclass(frozen=True)
class Organisation:
    legal_name: str
    type: OrganisationType
    country: str
    state: str | None
    gstin: str | None
    address: str
    city: str
    postal_code: str
    website: str | None
    sectors: tuple[str, ...]
    capabilities: str
    products: str
    udyam_number: str | None = None
    dpiit_number: str | None = None


def new_reference() -> str:
    """A short code a person can read out on the phone: no 0/O or 1/I to confuse."""
    alphabet = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
    return "DPD-" + "".join(secrets.choice(alphabet) for _ in range(8))


@dataclass(frozen=True)
class Registration:
    organisation: Organisation
    delegates: tuple[Delegate, ...]
    meeting_interests: tuple[MeetingInterest, ...]
    participation_interests: tuple[ParticipationInterest, ...]
    id: str = field(default_factory=lambda: str(uuid.uuid4()))
    reference: str = field(default_factory=new_reference)
    edition_id: str | None = None
    status: Status = Status.AWAITING_VERIFICATION
    submitted_at: datetime = field(default_factory=lambda: datetime.now(timezone.utc))

    @property
    def contact(self) -> Delegate:
        """The first delegate speaks for the organisation and receives its mail."""
        return self.delegates[0]

    @classmethod
    def submit(cls, edition: Edition, organisation: Organisation, delegates: list[Delegate],
               meeting_interests: list[MeetingInterest],
               participation_interests: list[ParticipationInterest], *, now: datetime) -> Registration:
        edition.check_open(now)
        check_organisation(organisation)
        check_delegates(delegates, edition.rule_for(organisation.type.value).max_delegates)
        return cls(edition_id=edition.id, organisation=organisation, delegates=tuple(delegates),
                   meeting_interests=tuple(dict.fromkeys(meeting_interests)),
                   participation_interests=tuple(dict.fromkeys(participation_interests)))


def check_organisation(organisation: Organisation) -> None:
    errors: dict[str, list[str]] = {}
    indian = organisation.country == "IN"
    if indian and organisation.state is None:
        errors["organisation.state"] = ["An Indian organisation must give its state or union territory."]
    if not indian and organisation.state is not None:
        errors["organisation.state"] = ["Only organisations in India give a state; leave it empty."]
    if indian and organisation.type is OrganisationType.FOREIGN_OEM:
        errors["organisation.country"] = ["A foreign OEM is registered outside India; choose its country."]
    if not indian and organisation.type is not OrganisationType.FOREIGN_OEM:
        errors["organisation.type"] = ["An organisation outside India registers as a foreign OEM."]
    if indian and organisation.gstin is None:
        errors["organisation.gstin"] = ["An Indian organisation must give its GSTIN."]
    if organisation.gstin is not None and organisation.state is not None:
        try:
            issued_in = validate_gstin(organisation.gstin).state
            if issued_in.key != organisation.state:
                errors["organisation.gstin"] = [
                    f"This GSTIN was issued in {issued_in.name}, but the state given is "
                    f"{state_by_key(organisation.state).name}."]
        except InvalidInput as error:
            errors["organisation.gstin"] = [str(error)]
    if organisation.udyam_number and organisation.type is not OrganisationType.MSME:
        errors["organisation.udyam_number"] = ["Only an MSME gives a Udyam registration number."]
    if organisation.dpiit_number and organisation.type is not OrganisationType.STARTUP:
        errors["organisation.dpiit_number"] = ["Only a startup gives a DPIIT recognition number."]
    if errors:
        raise InvalidFields(errors)


def check_delegates(delegates: list[Delegate], max_delegates: int) -> None:
    errors: dict[str, list[str]] = {}
    if not delegates:
        errors["delegates"] = ["Name at least one delegate."]
    elif len(delegates) > max_delegates:
        errors["delegates"] = [f"At most {max_delegates} delegates for an organisation of this kind."]
    seen: dict[str, int] = {}
    for index, delegate in enumerate(delegates):
        key = delegate.email.casefold()
        if key in seen:
            errors[f"delegates.{index}.email"] = [f"Delegate {seen[key] + 1} already uses this email address."]
        seen.setdefault(key, index)
    if errors:
        raise InvalidFields(errors)

"""The officer roster: procurement officers of the Ministry, the Services, DRDO and the Coast
Guard who meet industry. Imported from a spreadsheet (CSV) or added one by one.

`parse_roster` checks a whole file and reports every bad row with its line number, so the
organiser fixes the file once; nothing is imported from a file with errors.
"""
from __future__ import annotations

import csv
import enum
import io
import uuid
from dataclasses import dataclass, field

from services.registration.domain.contact import normalise_email, normalise_phone
from services.registration.domain.errors import InvalidInput
from services.registration.domain.model import SECTORS
from shared.errors import InvalidFields


class OfficerOrganisation(enum.StrEnum):
    MOD = "mod"
    ARMY = "army"
    NAVY = "navy"
    AIR_FORCE = "air_force"
    DRDO = "drdo"
    COAST_GUARD = "coast_guard"
    DPSU = "dpsu"
    OTHER = "other"


_ORGANISATION_NAMES = {"ministry of defence": "mod", "indian army": "army", "indian navy": "navy",
                       "indian air force": "air_force", "iaf": "air_force", "air force": "air_force",
                       "indian coast guard": "coast_guard", "icg": "coast_guard", "coast guard": "coast_guard"}
_SECTOR_BY_NAME = {label.lower(): key for key, label in SECTORS.items()}
COLUMNS = ("name", "rank", "organisation", "appointment", "email", "phone", "sectors", "requirements")
MAX_ROWS = 5000


@dataclass(frozen=True)
class Officer:
    name: str
    rank: str
    organisation: OfficerOrganisation
    appointment: str
    email: str
    phone: str | None
    sectors: tuple[str, ...]
    requirements: str
    id: str = field(default_factory=lambda: str(uuid.uuid4()))


@dataclass(frozen=True)
class RowError:
    line: int
    errors: dict[str, list[str]]


def build_officer(values: dict[str, str]) -> Officer:
    """One officer from text fields (a CSV row or a form); InvalidFields names every bad field."""
    errors: dict[str, list[str]] = {}

    def text(name: str, *, required: bool, limit: int) -> str:
        value = " ".join((values.get(name) or "").split()) if name != "requirements" else (values.get(name) or "").strip()
        if required and not value:
            errors[name] = ["Required."]
        elif len(value) > limit:
            errors[name] = [f"At most {limit} characters."]
        return value

    name, rank = text("name", required=True, limit=120), text("rank", required=True, limit=60)
    appointment = text("appointment", required=True, limit=200)
    requirements = text("requirements", required=False, limit=4000)
    organisation_text = text("organisation", required=True, limit=60).lower()
    organisation = _ORGANISATION_NAMES.get(organisation_text, organisation_text.replace(" ", "_"))
    if organisation_text and organisation not in OfficerOrganisation.__members__.values():
        errors["organisation"] = [f"Unknown organisation {values.get('organisation')!r}; use one of "
                                  f"{', '.join(o.value for o in OfficerOrganisation)}."]
    email = phone = None
    try:
        email = normalise_email(values.get("email") or "")
    except InvalidInput as error:
        errors["email"] = [str(error)]
    if (values.get("phone") or "").strip():
        try:
            phone = normalise_phone(values["phone"])
        except InvalidInput as error:
            errors["phone"] = [str(error)]
    sectors = []
    for raw in filter(None, (part.strip() for part in (values.get("sectors") or "").split(";"))):
        key = raw if raw in SECTORS else _SECTOR_BY_NAME.get(raw.lower())
        if key is None:
            errors.setdefault("sectors", []).append(f"Unknown sector {raw!r}.")
        elif key not in sectors:
            sectors.append(key)
    if errors:
        raise InvalidFields(errors)
    return Officer(name=name, rank=rank, organisation=OfficerOrganisation(organisation), appointment=appointment,
                   email=email, phone=phone, sectors=tuple(sectors), requirements=requirements)


def parse_roster(text: str) -> tuple[list[Officer], list[RowError]]:
    """Every officer of a CSV roster, or every reason it cannot be imported (line numbers as a
    spreadsheet shows them: the header is line 1)."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [name.strip().lower() for name in (reader.fieldnames or [])]
    missing = [name for name in COLUMNS if name not in header]
    if missing:
        return [], [RowError(1, {"header": [f"Missing column(s): {', '.join(missing)}. "
                                            f"Expected: {', '.join(COLUMNS)}."]})]
    reader.fieldnames = header
    officers, problems, seen = [], [], {}
    try:
        for count, row in enumerate(reader, start=1):
            index = reader.line_num  # the line the row ends on, as a text editor or spreadsheet counts
            if count > MAX_ROWS:
                problems.append(RowError(index, {"file": [f"At most {MAX_ROWS} officers per file."]}))
                break
            if None in row:
                problems.append(RowError(index, {"row": ["More cells than columns; is a comma missing quotes?"]}))
                continue
            if not any((value or "").strip() for value in row.values()):
                continue  # spreadsheets leave blank lines at the end
            try:
                officer = build_officer(row)
            except InvalidFields as refused:
                problems.append(RowError(index, refused.errors))
                continue
            if officer.email.lower() in seen:
                problems.append(RowError(index, {"email": [f"Also on line {seen[officer.email.lower()]}."]}))
                continue
            seen[officer.email.lower()] = index
            officers.append(officer)
    except csv.Error as error:
        problems.append(RowError(reader.line_num, {"file": [f"Not a readable CSV file: {error}."]}))
    return officers, problems

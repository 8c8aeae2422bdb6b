"""E-badges: codes only we can issue, and badges whose QR scans back to that code."""
import base64
import io
import string
import uuid

import pytest
import zxingcpp
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image
from pypdf import PdfReader

from services.registration.adapters.badge_documents import (
    HEIGHT,
    WIDTH,
    BadgeFace,
    badge_pdf,
    badge_png,
    printed_code,
)
from services.registration.domain.badges import BadgeSigner, InvalidBadge
from services.registration.domain.errors import InvalidInput

SECRET = b"s" * 32
OTHER_SECRET = b"o" * 32
BADGE_ID = uuid.UUID("6f1c2b9e-3d4a-4b8c-9e2f-7a1b3c5d7e9f")
BASE32 = string.ascii_uppercase + "234567"
QR_ALPHANUMERIC = string.digits + string.ascii_uppercase + " $%*+-./:"
A6_POINTS = (297.64, 419.53)


def scan(image: Image.Image) -> list[zxingcpp.Barcode]:
    return zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)


def face(**changes: str) -> BadgeFace:
    fields = {
        "full_name": "Anjali Deshmukh",
        "organisation": "Bharat Electronics Limited",
        "role_label": "Delegate",
        "event_name": "Defence Partnership Days 2026",
        "dates_label": "28–29 November 2026",
        "venue": "Manekshaw Centre, New Delhi",
        "code": BadgeSigner(SECRET).code_for(BADGE_ID),
    }
    return BadgeFace(**(fields | changes))


# ---------------------------------------------------------------- codes


@given(st.uuids())
def test_a_code_reads_back_to_the_badge_id_it_was_made_for(badge_id):
    signer = BadgeSigner(SECRET)
    assert signer.read(signer.code_for(badge_id)) == badge_id
    assert signer.read(signer.code_for(str(badge_id))) == badge_id


def test_a_code_is_short_and_fits_the_qr_alphanumeric_mode():
    code = BadgeSigner(SECRET).code_for(BADGE_ID)
    assert code.startswith("DPD1-")
    assert set(code.removeprefix("DPD1-")) <= set(BASE32)
    assert set(code) <= set(QR_ALPHANUMERIC)
    assert len(code) == 47


def test_altering_any_single_character_is_refused():
    signer = BadgeSigner(SECRET)
    code = signer.code_for(BADGE_ID)
    for position, original in enumerate(code):
        for replacement in set(BASE32 + "-1") - {original}:
            altered = code[:position] + replacement + code[position + 1 :]
            with pytest.raises(InvalidBadge):
                signer.read(altered)


@pytest.mark.parametrize(
    "cut",
    [
        lambda code: code[:-1],
        lambda code: code + "A",
        lambda code: code[:-16],
        lambda code: code[:5],
    ],
    ids=["last character lost", "character added", "tag lost", "prefix alone"],
)
def test_a_truncated_or_extended_code_is_refused(cut):
    signer = BadgeSigner(SECRET)
    with pytest.raises(InvalidBadge, match="damaged or altered"):
        signer.read(cut(signer.code_for(BADGE_ID)))


def test_a_code_signed_with_another_secret_is_refused():
    forged = BadgeSigner(OTHER_SECRET).code_for(BADGE_ID)
    with pytest.raises(InvalidBadge, match="damaged or altered"):
        BadgeSigner(SECRET).read(forged)


def test_knowing_a_badge_id_is_not_enough_to_make_its_code():
    signer = BadgeSigner(SECRET)
    for tag in (bytes(10), b"\xff" * 10, BADGE_ID.bytes[:10]):
        guessed = "DPD1-" + base64.b32encode(BADGE_ID.bytes + tag).decode().rstrip("=")
        with pytest.raises(InvalidBadge):
            signer.read(guessed)
    assert signer.code_for(BADGE_ID) != BadgeSigner(OTHER_SECRET).code_for(BADGE_ID)


def test_codes_of_different_badges_differ():
    signer = BadgeSigner(SECRET)
    codes = {signer.code_for(uuid.uuid4()) for _ in range(2000)}
    assert len(codes) == 2000


def test_rotation_reads_codes_signed_with_the_old_secret_and_signs_with_the_new_one():
    old_code = BadgeSigner(OTHER_SECRET).code_for(BADGE_ID)
    rotated = BadgeSigner(SECRET, previous_secrets=[OTHER_SECRET])
    assert rotated.read(old_code) == BADGE_ID
    assert rotated.code_for(BADGE_ID) == BadgeSigner(SECRET).code_for(BADGE_ID)
    with pytest.raises(InvalidBadge):
        BadgeSigner(SECRET).read(old_code)  # once the old secret is retired


@pytest.mark.parametrize(
    "retype",
    [str.lower, lambda code: f"  {code}\n", lambda code: f"\t{code.lower()} ", printed_code],
    ids=["lower case", "surrounding whitespace", "both", "typed in groups as printed"],
)
def test_scanners_and_people_may_change_case_and_spacing(retype):
    signer = BadgeSigner(SECRET)
    assert signer.read(retype(signer.code_for(BADGE_ID))) == BADGE_ID


@pytest.mark.parametrize(
    "scanned", ["", "DPD", "https://example.org/ticket/42", "ABC-123", "DPD2-AAAA", "ДПД1-"]
)
def test_other_codes_are_refused_with_a_message_for_venue_staff(scanned):
    with pytest.raises(InvalidBadge, match="not one of our badges"):
        BadgeSigner(SECRET).read(scanned)


def test_characters_outside_the_alphabet_are_refused():
    code = BadgeSigner(SECRET).code_for(BADGE_ID)
    for intruder in ("0", "8", "é", "Ａ", "="):
        with pytest.raises(InvalidBadge, match="damaged or altered"):
            BadgeSigner(SECRET).read(code[:-1] + intruder)


def test_an_invalid_badge_is_a_registration_input_error():
    assert issubclass(InvalidBadge, InvalidInput)
    assert issubclass(InvalidBadge, ValueError)


@pytest.mark.parametrize("length", [0, 16, 31])
def test_short_secrets_are_refused(length):
    with pytest.raises(ValueError, match="at least 32 bytes"):
        BadgeSigner(b"k" * length)
    with pytest.raises(ValueError, match="at least 32 bytes"):
        BadgeSigner(SECRET, previous_secrets=[b"k" * length])


# ---------------------------------------------------------------- documents


def test_the_png_is_a_portrait_badge_whose_qr_scans_back_to_the_code():
    badge = face()
    image = Image.open(io.BytesIO(badge_png(badge)))
    assert image.format == "PNG"
    assert image.size == (WIDTH, HEIGHT)
    (barcode,) = scan(image)
    assert barcode.text == badge.code
    assert barcode.ec_level in {"M", "Q"}


def test_the_qr_still_scans_from_a_badge_shown_at_half_size():
    badge = face()
    image = Image.open(io.BytesIO(badge_png(badge)))
    small = image.resize((WIDTH // 2, HEIGHT // 2), Image.Resampling.LANCZOS)
    assert [barcode.text for barcode in scan(small)] == [badge.code]


def test_the_pdf_is_one_a6_page_with_the_text_and_a_qr_image_that_scans():
    badge = face()
    reader = PdfReader(io.BytesIO(badge_pdf(badge)))
    (page,) = reader.pages
    assert (float(page.mediabox.width), float(page.mediabox.height)) == pytest.approx(A6_POINTS)
    (embedded,) = page.images
    assert [barcode.text for barcode in scan(embedded.image)] == [badge.code]
    text = page.extract_text()
    for printed in ("Anjali Deshmukh", "Bharat Electronics Limited", "DELEGATE", "New Delhi"):
        assert printed in text
    code_lines = text.splitlines()[-3:-1]
    assert BadgeSigner(SECRET).read(" ".join(code_lines)) == BADGE_ID


def fonts_and_text_of(badge: BadgeFace) -> tuple[set[str], str]:
    """The font families a badge's PDF embeds, and its text as a reader would copy it."""
    (page,) = PdfReader(io.BytesIO(badge_pdf(badge))).pages
    fonts = page["/Resources"]["/Font"]
    # Text extraction of shaped text may leave a control character where a glyph was reordered.
    text = "".join(character for character in page.extract_text() if character.isprintable() or character == "\n")
    return {str(fonts[name]["/BaseFont"]).split("+")[-1] for name in fonts}, text


def test_names_in_tamil_and_telugu_are_printed_in_fonts_that_have_their_letters():
    fonts, text = fonts_and_text_of(face(full_name="முருகன் செல்வம்", organisation="తెలుగు రక్షణ పరిశ్రమలు Pvt Ltd"))
    assert fonts == {"NotoSans", "NotoSansTamil", "NotoSansTelugu"}
    assert "முருகன் செல்வம்" in text and "తెలుగు రక్షణ పరిశ్రమలు Pvt Ltd" in text


def test_names_in_bengali_and_arabic_are_printed_in_fonts_that_have_their_letters():
    fonts, text = fonts_and_text_of(face(full_name="তমাল দত্ত", organisation="محمد الهاشمي Trading LLC"))
    assert fonts == {"NotoSans", "HindSiliguri", "NotoSansArabic"}
    assert "তমাল দত্ত" in text
    # Arabic runs right to left: the Latin words end up on the left of the printed line.
    assert text.splitlines()[text.splitlines().index("তমাল দত্ত") + 1].startswith("Trading LLC")


def test_the_badge_colour_tells_officers_from_delegates():
    def role_band_colour(role_label):
        image = Image.open(io.BytesIO(badge_png(face(role_label=role_label))))
        return image.convert("RGB").getpixel((8, HEIGHT - 8))

    colours = {role_band_colour(role) for role in ("Delegate", "Officer", "Exhibitor")}
    assert len(colours) == 3


HARD_TEXT = {
    "diacritics": {"full_name": "Ṣakti Ñāṇa"},
    "devanagari": {"full_name": "अनन्या राव", "organisation": "रक्षा अनुसंधान एवं विकास संगठन"},
    "long name": {"full_name": "Venkataraghavan Subramaniam Ramachandran " * 6},
    "one long word": {"full_name": "Ramachandran" * 12, "organisation": "अनुसंधान" * 30},
    "long everything": {
        "event_name": "Defence Partnership Days: Self-Reliance in Defence Manufacturing " * 3,
        "venue": "Manekshaw Centre, Parade Road, Delhi Cantonment, New Delhi " * 3,
        "organisation": "Hindustan Aeronautics Limited, Aircraft Research and Design Centre " * 4,
        "role_label": "Sponsor and exhibitor representative",
    },
    "tamil and telugu": {"full_name": "முருகன் செல்வம்", "organisation": "తెలుగు రక్షణ పరిశ్రమలు Pvt Ltd"},
    "bengali and arabic": {"full_name": "তমাল বন্দ্যোপাধ্যায়", "organisation": "محمد الهاشمي Trading LLC"},
    "scripts no font has": {"full_name": "王小明 ગુજરાતી", "organisation": "😀"},
    "blank organisation": {"organisation": ""},
    "line breaks in a name": {"full_name": "Anjali\nDeshmukh\t"},
}


@pytest.mark.parametrize("changes", HARD_TEXT.values(), ids=HARD_TEXT.keys())
def test_long_and_non_latin_text_stays_on_the_badge_and_off_the_qr(changes):
    badge = face(**changes)
    image = Image.open(io.BytesIO(badge_png(badge))).convert("RGB")
    assert [barcode.text for barcode in scan(image)] == [badge.code]
    white_area = image.crop((0, 200, WIDTH, 760))
    for margin in (white_area.crop((0, 0, 24, 560)), white_area.crop((WIDTH - 24, 0, WIDTH, 560))):
        assert margin.getcolors() == [(24 * 560, (255, 255, 255))]
    (page,) = PdfReader(io.BytesIO(badge_pdf(badge))).pages
    assert len(page.images) == 1

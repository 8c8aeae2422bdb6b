"""A person's e-badge as a PNG (for phones and email) and as an A6 PDF page (for printing).

Both come from one layout, measured once in pixels on a 600 x 846 canvas (A6's aspect
ratio), so the PDF is the PNG's design in vector text and cannot overflow where the PNG
does not. Text is set in Noto Sans, shipped by `fontpkg-*` pip packages, so no system font
is needed: Noto Sans covers Latin with diacritics, Greek, Cyrillic and Devanagari, and a
piece of text in Tamil, Telugu, Bengali (or Assamese) or Arabic (or Urdu) is set in Noto
Sans Tamil or Telugu, Hind Siliguri or Noto Sans Arabic, each with Latin too. Characters
no family has (Gujarati, Kannada, Malayalam, Gurmukhi, Odia, CJK, emoji) print as empty
boxes rather than failing: PyPI has no font package for them. Long text shrinks, then wraps, then ends in an ellipsis.
"""

import io
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache

import fontpkg
import fontpkg.pil
import qrcode
from fpdf import FPDF
from fpdf.enums import TextMode
from fontTools.ttLib import TTFont
from PIL import Image, ImageDraw, ImageFont

WIDTH, HEIGHT = 600, 846
# The PDF is laid out in points: fpdf2 writes a text outline's width in the document's
# unit without converting it, which is only right when that unit is the point.
_A6_PT = (105 * 72 / 25.4, 148 * 72 / 25.4)  # fpdf2 knows no "A6"
_PT_PER_PX = _A6_PT[0] / WIDTH
_PDF_BOLD_STROKE = 0.03  # outline width, in ems, that makes regular glyphs look bold

_FONT_FAMILY = "Noto Sans"
# Tried in order for each piece of text: the first that has every character sets it.
_FONT_FAMILIES = (_FONT_FAMILY, "Noto Sans Tamil", "Noto Sans Telugu", "Hind Siliguri", "Noto Sans Arabic")
_REGULAR, _BOLD = 400, 700
_LINE_SPACING = 1.3  # line height in ems: room for Devanagari marks above and below
_ASCENT = 1.0  # baseline below a line's top, in ems
_ELLIPSIS = "…"

_MARGIN = 36
_TEXT_WIDTH = WIDTH - 2 * _MARGIN
_CENTRE_X = WIDTH / 2

_WHITE = (255, 255, 255)
_INK = (20, 24, 33)
_MUTED_INK = (84, 92, 107)
_BAND_COLOUR = (16, 37, 66)
_BAND_MUTED_TEXT = (196, 210, 230)
_TRICOLOUR = ((255, 153, 51), (255, 255, 255), (19, 136, 8))

# Venue staff tell roles apart at a glance by the colour of the bottom band.
ROLE_COLOURS = {
    "delegate": (31, 78, 140),
    "officer": (75, 83, 32),
    "exhibitor": (128, 27, 45),
}
_OTHER_ROLE_COLOUR = (70, 70, 70)

# The QR is the part that must work: error correction Q still reads with a quarter of
# the symbol scuffed or under a lanyard clip, and the module size is a whole number of
# pixels so that no module is blurred by scaling.
_QR_ERROR_CORRECTION = qrcode.constants.ERROR_CORRECT_Q
_QR_QUIET_ZONE_MODULES = 4
_QR_MAX_SIDE = 296
_CODE_GROUP = 6  # characters per group in the printed code, for typing it by hand

Colour = tuple[int, int, int]


@dataclass(frozen=True, slots=True)
class BadgeFace:
    """Everything printed on a badge, already worded for the person holding it."""

    full_name: str
    organisation: str
    role_label: str  # "Delegate", "Officer", "Exhibitor", ...
    event_name: str
    dates_label: str  # "28–29 November 2026"
    venue: str
    code: str  # from BadgeSigner.code_for


def badge_png(face: BadgeFace) -> bytes:
    """The badge as a WIDTH x HEIGHT PNG."""
    layout = _lay_out(face)
    canvas = Image.new("RGB", (WIDTH, HEIGHT), _WHITE)
    draw = ImageDraw.Draw(canvas)
    for box in layout.boxes:
        draw.rectangle((box.left, box.top, box.right - 1, box.bottom - 1), fill=box.colour)
    for block in layout.texts:
        font = _pillow_font(block.size, block.weight, block.family)
        for baseline, line in block.baselines():
            draw.text((_CENTRE_X, baseline), line, font=font, fill=block.colour, anchor="ms")
    canvas.paste(layout.qr, (layout.qr_left, layout.qr_top))
    output = io.BytesIO()
    canvas.save(output, format="PNG", optimize=True)
    return output.getvalue()


def badge_pdf(face: BadgeFace) -> bytes:
    """The badge as a one-page A6 PDF, with the QR embedded as a lossless image."""
    layout = _lay_out(face)
    pdf = FPDF(unit="pt", format=_A6_PT)
    pdf.set_title(f"{face.event_name}: badge of {face.full_name}")
    pdf.set_auto_page_break(False)
    pdf.set_margins(0, 0, 0)
    # The default instance of the variable font is the regular weight. Instancing a bold
    # one takes fontTools seconds per document, so bold is drawn as fill plus a thin
    # outline instead, as PDF writers have long done for fonts without a bold face.
    for family in sorted({block.family for block in layout.texts}):
        pdf.add_font(family, fname=_font_path(family))
    pdf.set_text_shaping(True)
    pdf.add_page()
    for box in layout.boxes:
        pdf.set_fill_color(*box.colour)
        pdf.rect(
            box.left * _PT_PER_PX,
            box.top * _PT_PER_PX,
            (box.right - box.left) * _PT_PER_PX,
            (box.bottom - box.top) * _PT_PER_PX,
            style="F",
        )
    for block in layout.texts:
        size_pt = block.size * _PT_PER_PX
        pdf.set_font(block.family, size=size_pt)
        pdf.set_text_color(*block.colour)
        pdf.set_draw_color(*block.colour)
        pdf.set_line_width(_PDF_BOLD_STROKE * size_pt)
        pdf.text_mode = TextMode.FILL_STROKE if block.weight == _BOLD else TextMode.FILL
        for baseline, line in block.baselines():
            # fpdf2 puts a cell's baseline at top + 0.5 * height + 0.3 * font size.
            pdf.set_xy(0, baseline * _PT_PER_PX - 0.8 * size_pt)
            pdf.cell(w=pdf.w, h=size_pt, text=line, align="C")
    qr_side_pt = layout.qr.width * _PT_PER_PX
    pdf.image(
        layout.qr,
        x=layout.qr_left * _PT_PER_PX,
        y=layout.qr_top * _PT_PER_PX,
        w=qr_side_pt,
        h=qr_side_pt,
        alt_text=f"Badge QR code {face.code}",
    )
    return bytes(pdf.output())


def printed_code(code: str) -> str:
    """The code as printed under the QR: in groups, which `BadgeSigner.read` accepts."""
    prefix, dash, body = code.partition("-")
    groups = [body[start : start + _CODE_GROUP] for start in range(0, len(body), _CODE_GROUP)]
    return prefix + dash + " ".join(groups)


# ---------------------------------------------------------------- layout


@dataclass(frozen=True, slots=True)
class _Box:
    left: int
    top: int
    right: int
    bottom: int
    colour: Colour


@dataclass(frozen=True, slots=True)
class _TextBlock:
    """Lines centred on the badge, `size` being the font's em in pixels."""

    lines: tuple[str, ...]
    size: int
    weight: int
    colour: Colour
    top: float
    family: str

    def baselines(self) -> list[tuple[float, str]]:
        line_height = _LINE_SPACING * self.size
        return [
            (self.top + index * line_height + _ASCENT * self.size, line)
            for index, line in enumerate(self.lines)
        ]


@dataclass(frozen=True, slots=True)
class _Layout:
    boxes: tuple[_Box, ...]
    texts: tuple[_TextBlock, ...]
    qr: Image.Image
    qr_left: int
    qr_top: int


@dataclass(frozen=True, slots=True)
class _Region:
    """A horizontal strip of the badge that one piece of text must fit in."""

    top: int
    bottom: int
    sizes: range  # font sizes to try, largest first
    max_lines: int
    weight: int
    colour: Colour


_BAND_BOTTOM = 180
_STRIPE_HEIGHT = 4
_QR_TOP = 408
_ROLE_BAND_TOP = 772

_EVENT_NAME = _Region(22, 118, range(40, 23, -2), 2, _BOLD, _WHITE)
_DATES_AND_VENUE = _Region(118, 172, range(20, 14, -1), 2, _REGULAR, _BAND_MUTED_TEXT)
_FULL_NAME = _Region(206, 340, range(60, 31, -2), 3, _BOLD, _INK)
_ORGANISATION = _Region(344, 404, range(26, 17, -1), 2, _REGULAR, _MUTED_INK)
_CODE_TEXT = _Region(706, 764, range(20, 15, -1), 2, _REGULAR, _INK)
_ROLE = _Region(_ROLE_BAND_TOP + 12, HEIGHT - 8, range(40, 23, -2), 1, _BOLD, _WHITE)


def _lay_out(face: BadgeFace) -> _Layout:
    qr = _qr_image(face.code)
    stripe_tops = range(_BAND_BOTTOM, _BAND_BOTTOM + 3 * _STRIPE_HEIGHT, _STRIPE_HEIGHT)
    boxes = (
        _Box(0, 0, WIDTH, _BAND_BOTTOM, _BAND_COLOUR),
        *(
            _Box(0, top, WIDTH, top + _STRIPE_HEIGHT, colour)
            for top, colour in zip(stripe_tops, _TRICOLOUR, strict=True)
        ),
        _Box(0, _ROLE_BAND_TOP, WIDTH, HEIGHT, _role_colour(face.role_label)),
    )
    texts = (
        _fit([face.event_name], _EVENT_NAME),
        _fit([" · ".join(filter(None, (face.dates_label, face.venue)))], _DATES_AND_VENUE),
        _fit([face.full_name], _FULL_NAME),
        _fit([face.organisation], _ORGANISATION),
        _fit(_printed_code_lines(face.code), _CODE_TEXT),
        _fit([face.role_label.upper()], _ROLE),
    )
    return _Layout(boxes, texts, qr, qr_left=(WIDTH - qr.width) // 2, qr_top=_QR_TOP)


def _printed_code_lines(code: str) -> list[str]:
    """The printed code in two lines of about equal length, rather than one left over."""
    groups = printed_code(code).split(" ")
    half = len(groups) // 2
    return [" ".join(groups[:half]), " ".join(groups[half:])]


def _role_colour(role_label: str) -> Colour:
    return ROLE_COLOURS.get(role_label.strip().lower(), _OTHER_ROLE_COLOUR)


def _qr_image(code: str) -> Image.Image:
    symbol = qrcode.QRCode(error_correction=_QR_ERROR_CORRECTION, border=_QR_QUIET_ZONE_MODULES)
    symbol.add_data(code)
    symbol.make(fit=True)
    matrix = symbol.get_matrix()
    module_px = _QR_MAX_SIDE // len(matrix)
    image = Image.new("L", (len(matrix), len(matrix)))
    image.putdata([0 if dark else 255 for row in matrix for dark in row])
    side = module_px * len(matrix)
    return image.resize((side, side), Image.Resampling.NEAREST)


# ---------------------------------------------------------------- fitting text


def _fit(paragraphs: Iterable[str], region: _Region) -> _TextBlock:
    """The largest size at which the paragraphs fit `region`; at the smallest, cut with an ellipsis.

    Each paragraph starts a new line; any other line break in the text is a space.
    """
    texts = [" ".join(unicodedata.normalize("NFC", text).split()) for text in paragraphs]
    family = _font_family_for("".join(texts))
    height = region.bottom - region.top
    for size in region.sizes:
        lines = _wrap_all(texts, _measure(size, region.weight, family))
        if len(lines) <= region.max_lines and len(lines) * _LINE_SPACING * size <= height:
            return _block(lines, size, region, family)
    size = region.sizes[-1]
    room = min(region.max_lines, int(height // (_LINE_SPACING * size)))
    width_of = _measure(size, region.weight, family)
    kept = _wrap_all(texts, width_of)[:room]
    kept[-1] = _with_ellipsis(kept[-1], width_of, _TEXT_WIDTH)
    return _block(kept, size, region, family)


def _block(lines: list[str], size: int, region: _Region, family: str) -> _TextBlock:
    spare = region.bottom - region.top - len(lines) * _LINE_SPACING * size
    return _TextBlock(tuple(lines), size, region.weight, region.colour, region.top + spare / 2, family)


def _font_family_for(text: str) -> str:
    """The first family that has every character of `text`; else the one that has the most."""
    wanted = {ord(character) for character in text if not character.isspace()}
    for family in _FONT_FAMILIES:
        if wanted <= _characters_of(family):
            return family
    return max(_FONT_FAMILIES, key=lambda family: len(wanted & _characters_of(family)))


@cache
def _characters_of(family: str) -> frozenset[int]:
    with TTFont(_font_path(family), lazy=True) as font:
        return frozenset(font.getBestCmap())


def _wrap_all(texts: list[str], width_of: Callable[[str], float]) -> list[str]:
    return [line for text in texts for line in _wrap(text, width_of, _TEXT_WIDTH)]


def _wrap(text: str, width_of: Callable[[str], float], max_width: float) -> list[str]:
    """Greedy word wrap; a word too wide for a line of its own is split between clusters."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}" if current else word
        if width_of(candidate) <= max_width:
            current = candidate
            continue
        if current:
            lines.append(current)
        current = word
        while width_of(current) > max_width:
            head, current = _split_to_fit(current, width_of, max_width)
            lines.append(head)
    if current:
        lines.append(current)
    return lines


def _split_to_fit(word: str, width_of: Callable[[str], float], max_width: float) -> tuple[str, str]:
    clusters = _clusters(word)
    taken = 1  # at least one cluster, or a very narrow box would never make progress
    while taken < len(clusters) and width_of("".join(clusters[: taken + 1])) <= max_width:
        taken += 1
    return "".join(clusters[:taken]), "".join(clusters[taken:])


def _with_ellipsis(line: str, width_of: Callable[[str], float], max_width: float) -> str:
    clusters = _clusters(line)
    while clusters and width_of("".join(clusters).rstrip() + _ELLIPSIS) > max_width:
        clusters.pop()
    return "".join(clusters).rstrip() + _ELLIPSIS


_VIRAMA = 9  # canonical combining class of the Indic viramas, which join two consonants
_JOINERS = "\u200c\u200d"


def _clusters(text: str) -> list[str]:
    """`text` cut where a break keeps accents on their letters and conjuncts whole."""
    clusters: list[str] = []
    for char in text:
        joins_previous = clusters and (
            unicodedata.category(char).startswith("M")
            or char in _JOINERS
            or clusters[-1][-1] in _JOINERS
            or unicodedata.combining(clusters[-1][-1]) == _VIRAMA
        )
        if joins_previous:
            clusters[-1] += char
        else:
            clusters.append(char)
    return clusters


# ---------------------------------------------------------------- fonts


@cache
def _font_path(family: str) -> str:
    return str(fontpkg.path(family))


@cache
def _pillow_font(size: int, weight: int, family: str) -> ImageFont.FreeTypeFont:
    return fontpkg.pil.truetype(family, size, weight=weight)


def _measure(size: int, weight: int, family: str) -> Callable[[str], float]:
    return _pillow_font(size, weight, family).getlength

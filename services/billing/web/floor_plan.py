"""A hall's floor plan as inline SVG: every booth drawn at its place and size, coloured by
status, with its number and price; buyers follow an available booth's link to pick it.

Colour is never the only signal: each booth's status is in its tooltip and in the table the
page prints beside the plan, and sold booths are hatched.
"""
from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from itertools import groupby

from markupsafe import Markup, escape

from services.billing.adapters.queries import Offer
from services.billing.domain.catalogue import metres
from services.billing.domain.money import format_inr

MAX_WIDTH_PX = 860
MAX_SCALE = Decimal(48)  # pixels per metre, so a small hall does not become cartoonish
MARGIN = 12
STYLES = {  # fill, stroke
    "available": ("#dff3e3", "#2e7d32"),
    "held": ("#ffe9b8", "#a15c00"),
    "sold": ("url(#sold-hatch)", "#5b6472"),
    "withdrawn": ("#ffffff", "#9aa3ae"),
}
LEGEND = (("available", "Available"), ("held", "Held (awaiting payment)"), ("sold", "Sold"))


def short_price(paise: int) -> str:
    """For a booth's label: ₹1.5 L, ₹2 Cr, ₹75,000."""
    rupees = Decimal(paise) / 100
    if rupees >= 10_000_000:
        return f"₹{(rupees / 10_000_000).quantize(Decimal('0.01')).normalize():f} Cr"
    if rupees >= 100_000:
        return f"₹{(rupees / 100_000).quantize(Decimal('0.01')).normalize():f} L"
    return format_inr(paise).split(".")[0]


def halls(offers: list[Offer]) -> list[tuple[str, list[Offer]]]:
    booths = sorted((offer for offer in offers if offer.kind == "booth"), key=lambda o: (o.hall, o.booth_number))
    return [(hall, list(group)) for hall, group in groupby(booths, key=lambda o: o.hall)]


def floor_plan_svg(hall: str, booths: list[Offer], *, link: Callable[[Offer], str | None],
                   show_holders: bool) -> Markup:
    width_m = max(booth.x_m + booth.width_m for booth in booths)
    depth_m = max(booth.y_m + booth.depth_m for booth in booths)
    scale = min(Decimal(MAX_WIDTH_PX - 2 * MARGIN) / width_m, MAX_SCALE)
    width, height = int(width_m * scale) + 2 * MARGIN, int(depth_m * scale) + 2 * MARGIN + 28
    parts = [
        f'<svg class="floor-plan" role="img" aria-labelledby="plan-{_slug(hall)}-title" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" xmlns="http://www.w3.org/2000/svg" font-family="sans-serif">',
        f'<title id="plan-{_slug(hall)}-title">Floor plan of {escape(hall)}: {len(booths)} booths</title>',
        '<defs><pattern id="sold-hatch" width="6" height="6" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)"><rect width="6" height="6" fill="#e4e7eb"/>'
        '<line x1="0" y1="0" x2="0" y2="6" stroke="#b8bec7" stroke-width="2"/></pattern></defs>',
        f'<rect x="{MARGIN - 4}" y="{MARGIN - 4}" width="{int(width_m * scale) + 8}" height="{int(depth_m * scale) + 8}" '
        'fill="none" stroke="#c9ced6" stroke-dasharray="4 3"/>',
    ]
    for booth in booths:
        parts.append(_booth(booth, scale, link(booth), show_holders))
    parts.append(_legend(height - 18))
    parts.append("</svg>")
    return Markup("".join(parts))


def _booth(booth: Offer, scale: Decimal, href: str | None, show_holders: bool) -> str:
    x, y = MARGIN + int(booth.x_m * scale), MARGIN + int(booth.y_m * scale)
    w, h = max(int(booth.width_m * scale), 8), max(int(booth.depth_m * scale), 8)
    fill, stroke = STYLES.get(booth.status, STYLES["withdrawn"])
    tooltip = f"Booth {booth.booth_number}, {metres(booth.area_m2)} m², {format_inr(booth.unit_price_paise)} + GST: {booth.status}"
    if show_holders and booth.holder:
        tooltip += f", {booth.holder}"
    cx = x + w / 2
    number_size = min(13, max(8, h // 3))
    shape = (f'<title>{escape(tooltip)}</title>'
             f'<rect x="{x}" y="{y}" width="{w}" height="{h}" rx="2" fill="{fill}" stroke="{stroke}" stroke-width="1.5"/>'
             f'<text x="{cx:.1f}" y="{y + h / 2 - 1:.1f}" text-anchor="middle" font-size="{number_size}" '
             f'fill="#14181f">{escape(booth.booth_number)}</text>')
    if h >= 30 and w >= 40:
        shape += (f'<text x="{cx:.1f}" y="{y + h / 2 + number_size:.1f}" text-anchor="middle" font-size="10" '
                  f'fill="#3b4350">{escape(short_price(booth.unit_price_paise))}</text>')
    if show_holders and booth.holder and h >= 44:
        shape += (f'<text x="{cx:.1f}" y="{y + h / 2 + number_size + 12:.1f}" text-anchor="middle" font-size="9" '
                  f'fill="#14181f">{escape(_fit(booth.holder, w // 6))}</text>')
    if href:
        return f'<a href="{escape(href)}" aria-label="{escape(tooltip)}">{shape}</a>'
    return f"<g>{shape}</g>"


def _legend(y: int) -> str:
    parts, x = [], MARGIN
    for status, label in LEGEND:
        fill, stroke = STYLES[status]
        parts.append(f'<rect x="{x}" y="{y}" width="14" height="14" fill="{fill}" stroke="{stroke}"/>'
                     f'<text x="{x + 20}" y="{y + 11}" font-size="11" fill="#3b4350">{escape(label)}</text>')
        x += 30 + 7 * len(label)
    return "".join(parts)


def _fit(text: str, characters: int) -> str:
    return text if len(text) <= characters else text[:max(characters - 1, 1)] + "…"


def _slug(text: str) -> str:
    return "".join(character if character.isalnum() else "-" for character in text.lower())

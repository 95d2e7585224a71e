"""HTML that website owners copy to put a payment link on their own pages.

Three snippets, built from a link and the public base URL of this Kassa:

- a button: embed.js plus an element carrying the link's slug, which
  embed.js turns into a button that opens the checkout in an overlay.
- an inline checkout: embed.js plus a container that embed.js fills with
  the checkout, sized to its content.
- a plain link styled as a button with inline styles, for emails and pages
  where scripts do not run.

Before embed.js runs, and wherever it cannot frame the checkout, the button
and the inline container hold a plain link that opens the checkout in a new
tab. The labels are English; the website owner edits them in the snippet.
"""

import re
from dataclasses import dataclass

from markupsafe import escape

from portal.models import PaymentLink

EMBED_SCRIPT_PATH = "/static/js/embed.js"
BUTTON_LABEL = "Buy now"
DARK_TEXT = "#111111"
LIGHT_TEXT = "#ffffff"
HEX_COLOR = re.compile(r"#[0-9a-fA-F]{6}")


@dataclass(frozen=True)
class EmbedSnippets:
    button: str
    inline: str
    email_link: str


def checkout_url(link: PaymentLink, base_url: str) -> str:
    return f"{base_url.rstrip('/')}/pay/{link.slug}"


def build_snippets(link: PaymentLink, base_url: str, brand_color: str) -> EmbedSnippets:
    """Return the three snippets of ``link`` served from ``base_url``.

    ``brand_color`` is the business's ``#rrggbb`` colour, which fills the
    email link. The link's text is white or near-black, whichever contrasts
    more. Raises ``ValueError`` for a colour in another form.
    """
    if not HEX_COLOR.fullmatch(brand_color):
        raise ValueError(f"Brand colour {brand_color!r} is not in the form #rrggbb.")
    url = escape(checkout_url(link, base_url))
    slug = escape(link.slug)
    script = (
        f'<script src="{escape(base_url.rstrip("/"))}{EMBED_SCRIPT_PATH}" '
        "async></script>"
    )
    button = (
        f"{script}\n"
        f'<a href="{url}" data-kassa-button="{slug}" target="_blank" '
        f'rel="noopener">{BUTTON_LABEL}</a>'
    )
    inline = (
        f"{script}\n"
        f'<div data-kassa-checkout="{slug}">\n'
        f'  <a href="{url}" target="_blank" rel="noopener">'
        f"Buy {escape(link.title)}</a>\n"
        "</div>"
    )
    return EmbedSnippets(
        button=button, inline=inline, email_link=_email_link(url, brand_color)
    )


def _email_link(url: str, brand_color: str) -> str:
    """Build a link that looks like a button in email clients, which drop <style>."""
    style = ";".join(
        [
            "display:inline-block",
            "padding:12px 24px",
            f"background-color:{brand_color}",
            f"border:1px solid {brand_color}",
            "border-radius:6px",
            f"color:{text_color_on(brand_color)}",
            "font-family:Arial,Helvetica,sans-serif",
            "font-size:16px",
            "font-weight:bold",
            "line-height:20px",
            "text-decoration:none",
        ]
    )
    return f'<a href="{url}" style="{style}">{BUTTON_LABEL}</a>'


def text_color_on(background: str) -> str:
    """Return white or near-black text, whichever contrasts more with ``background``.

    ``background`` is ``#rrggbb``. The contrast ratio is WCAG 2's, from the
    relative luminance of the sRGB colours.
    """
    background_luminance = relative_luminance(background)
    dark = contrast_ratio(background_luminance, relative_luminance(DARK_TEXT))
    light = contrast_ratio(background_luminance, relative_luminance(LIGHT_TEXT))
    return LIGHT_TEXT if light >= dark else DARK_TEXT


def relative_luminance(color: str) -> float:
    """Return the WCAG 2 relative luminance (0 to 1) of a ``#rrggbb`` colour."""
    channels = []
    for start in (1, 3, 5):
        value = int(color[start : start + 2], 16) / 255
        if value <= 0.04045:
            channels.append(value / 12.92)
        else:
            channels.append(((value + 0.055) / 1.055) ** 2.4)
    red, green, blue = channels
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast_ratio(first: float, second: float) -> float:
    lighter, darker = max(first, second), min(first, second)
    return (lighter + 0.05) / (darker + 0.05)

"""QR codes of payment links, as SVG and PNG."""

import io
import re
import xml.etree.ElementTree as ET

import pytest
import segno
from PIL import Image

from portal.checkout.qr import BORDER, ERROR_CORRECTION, PNG_SCALE, SVG_SCALE

SVG_NS = "{http://www.w3.org/2000/svg}"
# The URL the test client's requests are served under, which the codes encode.
CHECKOUT_URL = "http://localhost/pay/workshop-kit"


def expected_modules(url: str) -> list[list[bool]]:
    """Return the dark modules of the QR code of ``url``, row by row."""
    code = segno.make(url, error=ERROR_CORRECTION, micro=False)
    return [[bool(module) for module in row] for row in code.matrix]


def png_modules(png: bytes) -> list[list[bool]]:
    """Read the modules back from the PNG's pixels, one sample per module."""
    image = Image.open(io.BytesIO(png)).convert("L")
    size = image.width // PNG_SCALE - 2 * BORDER
    return [
        [
            image.getpixel(
                (
                    (BORDER + column) * PNG_SCALE + PNG_SCALE // 2,
                    (BORDER + row) * PNG_SCALE + PNG_SCALE // 2,
                )
            )
            < 128
            for column in range(size)
        ]
        for row in range(size)
    ]


def svg_modules(svg: bytes) -> list[list[bool]]:
    """Read the modules back from the SVG path of horizontal strokes.

    The path starts with an absolute move to a row's centre, then draws runs
    of dark modules (``h``) separated by relative moves (``m``).
    """
    root = ET.fromstring(svg)  # noqa: S314  (the app's own output)
    width = float(root.get("width")) / SVG_SCALE
    size = int(width) - 2 * BORDER
    modules = [[False] * size for _ in range(size)]
    path = next(
        element
        for element in root.iter(f"{SVG_NS}path")
        if element.get("stroke") == "#000"
    )
    x = y = 0.0
    for command, first, second in re.findall(
        r"([Mmh])(-?[\d.]+)(?:\s(-?[\d.]+))?", path.get("d")
    ):
        if command == "M":
            x, y = float(first), float(second)
        elif command == "m":
            x, y = x + float(first), y + float(second)
        else:
            row = int(y) - BORDER
            for column in range(int(x), int(x + float(first))):
                modules[row][column - BORDER] = True
            x += float(first)
    return modules


def test_png_encodes_checkout_url(client, kit_link):
    response = client.get("/pay/workshop-kit/qr.png")

    assert response.status_code == 200
    assert response.mimetype == "image/png"
    assert response.data.startswith(b"\x89PNG\r\n\x1a\n")
    image = Image.open(io.BytesIO(response.data))
    assert image.width == image.height
    assert image.width % PNG_SCALE == 0
    assert png_modules(response.data) == expected_modules(CHECKOUT_URL)


def test_svg_encodes_checkout_url(client, kit_link):
    response = client.get("/pay/workshop-kit/qr.svg")

    assert response.status_code == 200
    assert response.mimetype == "image/svg+xml"
    root = ET.fromstring(response.data)  # noqa: S314  (the app's own output)
    assert root.tag == f"{SVG_NS}svg"
    assert root.find(f"{SVG_NS}title").text == CHECKOUT_URL
    assert svg_modules(response.data) == expected_modules(CHECKOUT_URL)


def test_qr_uses_public_url(app, client, kit_link):
    app.config["KASSA_PUBLIC_URL"] = "https://pay.nordlys.example/"

    response = client.get("/pay/workshop-kit/qr.png")

    assert png_modules(response.data) == expected_modules(
        "https://pay.nordlys.example/pay/workshop-kit"
    )


@pytest.mark.parametrize("kind", ["svg", "png"])
def test_qr_is_cacheable(client, kit_link, kind):
    response = client.get(f"/pay/workshop-kit/qr.{kind}")

    assert response.headers["Cache-Control"] == "public, max-age=86400"
    etag = response.headers["ETag"]
    again = client.get(f"/pay/workshop-kit/qr.{kind}", headers={"If-None-Match": etag})
    assert again.status_code == 304


@pytest.mark.parametrize("kind", ["svg", "png"])
def test_qr_of_unknown_link_is_not_found(client, kit_link, kind):
    response = client.get(f"/pay/no-such-link/qr.{kind}")

    assert response.status_code == 404

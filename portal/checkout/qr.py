"""QR codes of payment link URLs, as SVG and PNG for print."""

import io

import segno

# Medium error correction (about 15% of the code may be damaged or covered)
# survives a smudged print without making the code much denser.
ERROR_CORRECTION = "m"
# The quiet zone around the code, in modules. ISO/IEC 18004 requires 4.
BORDER = 4
# Pixels per module of the PNG. A URL of about 40 characters makes a version 3
# code of 29 modules, so the PNG is (29 + 2 * 4) * 20 = 740 pixels wide: about
# 6 cm at 300 dpi.
PNG_SCALE = 20
# Units per module of the SVG, which scales to any size without loss.
SVG_SCALE = 10


def make_qr(url: str) -> segno.QRCode:
    """Return the QR code of ``url``.

    Never a Micro QR code, which most phone cameras do not read.
    """
    return segno.make(url, error=ERROR_CORRECTION, micro=False)


def qr_svg(url: str) -> bytes:
    """Render the QR code of ``url`` as a standalone SVG document."""
    buffer = io.BytesIO()
    make_qr(url).save(
        buffer,
        kind="svg",
        scale=SVG_SCALE,
        border=BORDER,
        dark="#000",
        light="#fff",
        xmldecl=True,
        title=url,
    )
    return buffer.getvalue()


def qr_png(url: str) -> bytes:
    """Render the QR code of ``url`` as a black-and-white PNG image."""
    buffer = io.BytesIO()
    make_qr(url).save(
        buffer, kind="png", scale=PNG_SCALE, border=BORDER, dark="#000", light="#fff"
    )
    return buffer.getvalue()

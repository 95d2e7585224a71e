"""Text of a PDF as poppler's pdftotext extracts it."""

import subprocess

NBSP = "\xa0"
NARROW_NBSP = "\u202f"


def pdf_text(pdf: bytes) -> str:
    """Extract the text of a PDF, with no-break spaces turned into spaces."""
    result = subprocess.run(
        ["/usr/bin/pdftotext", "-layout", "-enc", "UTF-8", "-", "-"],
        input=pdf,
        capture_output=True,
        check=True,
    )
    text = result.stdout.decode("utf-8")
    return text.replace(NBSP, " ").replace(NARROW_NBSP, " ")


def pdf_image_count(pdf: bytes) -> int:
    """Count the raster images in a PDF with poppler's pdfimages."""
    result = subprocess.run(
        ["/usr/bin/pdfimages", "-list", "-"],
        input=pdf,
        capture_output=True,
        check=True,
    )
    rows = result.stdout.decode().splitlines()[2:]  # after the two header lines
    return len([row for row in rows if row.strip()])

import io

import pytest
from PIL import Image

from portal.documents import render_receipt_pdf
from portal.documents.pdf import html_to_pdf, logo_uri
from tests.documents import builders
from tests.documents.pdf_text import pdf_image_count


@pytest.fixture
def static_folder(document_app, tmp_path):
    """Point the app's static folder at a temporary one holding img/logo.png."""
    folder = tmp_path / "static"
    (folder / "img").mkdir(parents=True)
    image = Image.new("RGB", (8, 8), (47, 111, 79))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    (folder / "img" / "logo.png").write_bytes(buffer.getvalue())
    (tmp_path / "outside.png").write_bytes(buffer.getvalue())
    document_app.static_folder = str(folder)
    return folder


def test_local_logo_is_embedded(static_folder):
    business = builders.business(logo_url="img/logo.png")

    pdf = render_receipt_pdf(builders.card_payment(), business)

    assert logo_uri(business) == (static_folder / "img" / "logo.png").as_uri()
    assert pdf_image_count(pdf) == 1


@pytest.mark.parametrize(
    "logo_url",
    [
        "http://127.0.0.1:9/logo.png",
        "//127.0.0.1:9/logo.png",
        "file:///etc/hostname",
        "../outside.png",
        "img/missing.png",
    ],
)
def test_logo_outside_static_is_left_out(static_folder, logo_url):
    business = builders.business(logo_url=logo_url)

    pdf = render_receipt_pdf(builders.card_payment(), business)

    assert logo_uri(business) is None
    assert pdf_image_count(pdf) == 0


def test_fetcher_reads_only_static_files(static_folder, tmp_path):
    outside = (tmp_path / "outside.png").as_uri()
    inside = (static_folder / "img" / "logo.png").as_uri()

    pdf = html_to_pdf(f'<img src="{outside}"><img src="http://127.0.0.1:9/a.png">')
    allowed = html_to_pdf(f'<img src="{inside}">')

    assert pdf_image_count(pdf) == 0
    assert pdf_image_count(allowed) == 1

"""Embeds on another site's page, in Chromium.

Kassa serves on http://127.0.0.1:<port>. The host pages come from a second
server, loaded as http://localhost:<port>: another origin, as a website
owner's site would be.
"""

import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from playwright.sync_api import expect

from portal.checkout.embeds import build_snippets
from tests.factories import make_link

pytestmark = pytest.mark.browser

BRAND = "#2f6f4f"
# Records the embeds' events on the host page, for the test to read.
EVENT_RECORDER = """
<script>
  window.kassaEvents = [];
  for (const name of ["kassa:open", "kassa:complete", "kassa:close"]) {
    document.addEventListener(name, (event) => {
      window.kassaEvents.push({
        name,
        target: event.target.id || event.target.tagName,
        detail: event.detail,
      });
    });
  }
  window.hostMessages = [];
  window.addEventListener("message", (event) => {
    window.hostMessages.push({ origin: event.origin, data: event.data });
  });
</script>
"""


@dataclass
class HostSite:
    """A website owner's site: HTML pages served on another origin than Kassa."""

    port: int
    pages: dict[str, tuple[str, dict[str, str]]] = field(default_factory=dict)

    @property
    def origin(self) -> str:
        return f"http://localhost:{self.port}"

    def add_page(self, path: str, body: str, headers: dict | None = None) -> str:
        """Serve ``body`` at ``path`` and return the page's URL."""
        html = "<!doctype html><html lang='en'><head><title>Shop</title></head>"
        html += f"<body><h1>Nordlys shop</h1>{body}</body></html>"
        self.pages[path] = (html, headers or {})
        return f"{self.origin}{path}"


class _HostHandler(BaseHTTPRequestHandler):
    site: HostSite

    def do_GET(self) -> None:
        if self.path not in self.site.pages:
            self.send_error(404)
            return
        html, headers = self.site.pages[self.path]
        body = html.encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args) -> None:
        pass


@pytest.fixture
def host_site() -> Iterator[HostSite]:
    """Serve host pages on a free port of 127.0.0.1, reached as localhost."""
    site = HostSite(port=0)
    handler = type("HostHandler", (_HostHandler,), {"site": site})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    site.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, name="host-site")
    thread.start()
    yield site
    server.shutdown()
    thread.join(timeout=10)
    server.server_close()


def add_link(db, slug: str, title: str, unit_amount: int, allowed: list[str]):
    link = make_link(
        db,
        slug=slug,
        items=[{"name": title, "unit_amount": unit_amount}],
        allowed_origins=allowed,
    )
    db.commit()
    return link


@pytest.fixture
def poster(db, business):
    return add_link(db, "poster", "Aurora poster", 3900, ["http://localhost:*"])


@pytest.fixture
def print_link(db, business):
    return add_link(db, "tokyo", "Tokyo night print", 5500, ["http://localhost:*"])


@pytest.fixture
def shop_only(db, business):
    """A link that only https://shop.example may embed."""
    return add_link(db, "shop-only", "Gift card", 2500, ["https://shop.example"])


def snippets(link, live_server):
    return build_snippets(link, live_server, BRAND)


def pay_in(frame, email: str = "aino@example.com") -> None:
    frame.get_by_label("Email").fill(email)
    frame.get_by_label("Card number").fill("4242 4242 4242 4242")
    frame.get_by_label("Expiry date").fill("12 / 40")
    frame.get_by_label("Security code (CVC)").fill("123")
    frame.get_by_role("button", name=re.compile(r"^Pay")).click()


def events(page, name: str | None = None) -> list[dict]:
    recorded = page.evaluate("window.kassaEvents")
    return [event for event in recorded if name is None or event["name"] == name]


def test_button_overlay_reports_payment(page, live_server, host_site, poster):
    url = host_site.add_page(
        "/shop.html", EVENT_RECORDER + snippets(poster, live_server).button
    )
    page.goto(url)

    button = page.get_by_role("button", name="Buy now")
    expect(button).to_have_attribute("aria-haspopup", "dialog")
    button.click()

    dialog = page.get_by_role("dialog", name="Aurora poster")
    expect(dialog).to_be_visible()
    assert [event["name"] for event in events(page)] == ["kassa:open"]
    frame = page.frame_locator("dialog iframe")
    expect(frame.get_by_role("heading", name="Aurora poster")).to_be_visible()

    pay_in(frame)

    expect(
        frame.get_by_role("heading", name="Thank you for your payment")
    ).to_be_visible()
    page.wait_for_function("window.kassaEvents.length === 2")
    [complete] = events(page, "kassa:complete")
    assert complete["target"] == "BUTTON"
    assert complete["detail"]["slug"] == "poster"
    assert complete["detail"]["status"] == "succeeded"
    assert re.fullmatch(
        rf"{live_server}/receipts/[\w-]+", complete["detail"]["receiptUrl"]
    )
    assert complete["detail"]["redirectUrl"] is None
    assert page.context.cookies() == []

    dialog.get_by_role("button", name="Close the checkout").click()

    page.wait_for_function("window.kassaEvents.length === 3")
    expect(page.locator("dialog")).to_have_count(0)
    expect(button).to_be_focused()
    [close] = events(page, "kassa:close")
    assert close["detail"] == {"slug": "poster", "completed": True}


def test_host_page_follows_after_payment_url(page, live_server, host_site, db, poster):
    thanks = host_site.add_page("/thanks.html", "<p id='thanks'>Thank you!</p>")
    poster.after_payment_url = thanks
    db.commit()
    url = host_site.add_page("/redirect.html", snippets(poster, live_server).button)
    page.goto(url)
    page.get_by_role("button", name="Buy now").click()

    pay_in(page.frame_locator("dialog iframe"))

    page.wait_for_url(thanks)
    expect(page.locator("#thanks")).to_be_visible()


def test_host_page_can_stay_after_payment(page, live_server, host_site, db, poster):
    poster.after_payment_url = host_site.add_page("/thanks.html", "<p>Thanks</p>")
    db.commit()
    stay = (
        "<script>document.addEventListener('kassa:complete', (event) => "
        "event.preventDefault());</script>"
    )
    url = host_site.add_page(
        "/stay.html", EVENT_RECORDER + stay + snippets(poster, live_server).button
    )
    page.goto(url)
    page.get_by_role("button", name="Buy now").click()
    frame = page.frame_locator("dialog iframe")

    pay_in(frame)

    expect(
        frame.get_by_role("heading", name="Thank you for your payment")
    ).to_be_visible()
    page.wait_for_function("window.kassaEvents.length === 2")
    [complete] = events(page, "kassa:complete")
    assert complete["detail"]["redirectUrl"] == poster.after_payment_url
    # A navigation that the listener failed to stop would have committed by now.
    page.wait_for_timeout(500)
    assert page.url == url
    continue_link = frame.get_by_role("link", name="Continue")
    expect(continue_link).to_have_attribute("target", "_top")


def test_inline_checkout_fits_and_pays(page, live_server, host_site, poster):
    url = host_site.add_page(
        "/inline.html", EVENT_RECORDER + snippets(poster, live_server).inline
    )
    page.goto(url)

    frame_element = page.locator("[data-kassa-checkout] iframe")
    frame = page.frame_locator("[data-kassa-checkout] iframe")
    expect(frame.get_by_role("heading", name="Aurora poster")).to_be_visible()
    page.wait_for_function("window.kassaEvents.length === 1")
    assert_frame_fits(page, frame_element)
    height_with_card = frame_element.bounding_box()["height"]

    frame.get_by_role("radio", name="Bank debit").check()

    page.wait_for_function(
        "height => document.querySelector('[data-kassa-checkout] iframe')"
        ".getBoundingClientRect().height !== height",
        arg=height_with_card,
    )
    assert_frame_fits(page, frame_element)
    frame.get_by_role("radio", name="Card").check()

    pay_in(frame)

    expect(
        frame.get_by_role("heading", name="Thank you for your payment")
    ).to_be_visible()
    page.wait_for_function("window.kassaEvents.length === 2")
    assert [event["name"] for event in events(page)] == ["kassa:open", "kassa:complete"]
    [complete] = events(page, "kassa:complete")
    assert complete["target"] == "DIV"
    assert complete["detail"]["receiptUrl"].startswith(f"{live_server}/receipts/")
    assert_frame_fits(page, frame_element)


def assert_frame_fits(page, frame_element) -> None:
    """Check that the iframe is as tall as its content, so it shows no scrollbar."""
    content = frame_element.element_handle().content_frame()
    page.wait_for_function(
        """([selector, height]) => Math.abs(
            document.querySelector(selector).getBoundingClientRect().height - height
        ) <= 1""",
        arg=[
            "[data-kassa-checkout] iframe",
            content.evaluate(
                "Math.ceil(document.documentElement.getBoundingClientRect().height)"
            ),
        ],
    )
    assert content.evaluate(
        "document.documentElement.scrollHeight <= window.innerHeight"
    )
    assert frame_element.get_attribute("scrolling") == "no"


def test_several_embeds_on_one_page(page, live_server, host_site, poster, print_link):
    body = (
        EVENT_RECORDER
        + snippets(poster, live_server).button.replace("<a ", '<a id="poster" ')
        + snippets(print_link, live_server).button.replace("<a ", '<a id="tokyo" ')
        + snippets(print_link, live_server).inline
    )
    url = host_site.add_page("/several.html", body)
    page.goto(url)
    inline = page.frame_locator("[data-kassa-checkout] iframe")
    expect(inline.get_by_role("heading", name="Tokyo night print")).to_be_visible()

    assert page.locator("script[src$='/static/js/embed.js']").count() == 3
    expect(page.get_by_role("button", name="Buy now")).to_have_count(2)
    # The inline frame reports opening once it has loaded; wait for it so the
    # order of the events below does not depend on the machine's speed.
    page.wait_for_function(
        "window.kassaEvents.some((event) => event.name === 'kassa:open')"
    )
    page.locator("#tokyo").click()
    overlay = page.frame_locator("dialog iframe")
    expect(overlay.get_by_role("heading", name="Tokyo night print")).to_be_visible()

    pay_in(overlay)

    expect(
        overlay.get_by_role("heading", name="Thank you for your payment")
    ).to_be_visible()
    page.wait_for_function(
        "window.kassaEvents.some((event) => event.name === 'kassa:complete')"
    )
    [complete] = events(page, "kassa:complete")
    assert complete["target"] == "tokyo"
    expect(inline.get_by_role("heading", name="Tokyo night print")).to_be_visible()

    page.keyboard.press("Escape")
    expect(page.locator("dialog")).to_have_count(0)
    expect(page.locator("#tokyo")).to_be_focused()
    page.locator("#poster").click()
    overlay = page.frame_locator("dialog iframe")
    expect(overlay.get_by_role("heading", name="Aurora poster")).to_be_visible()
    opened = [event["target"] for event in events(page, "kassa:open")]
    assert opened == ["DIV", "tokyo", "poster"]


def test_disallowed_origin_frame_refused(
    page, live_server, host_site, shop_only, poster
):
    embed = f"embed=http%3A%2F%2Flocalhost%3A{host_site.port}"
    url = host_site.add_page(
        "/refused.html",
        f'<iframe id="refused" src="{live_server}/pay/shop-only?{embed}"></iframe>'
        f'<iframe id="allowed" src="{live_server}/pay/poster?{embed}"></iframe>',
    )
    responses = []
    page.on("response", lambda response: responses.append(response))

    page.goto(url)

    allowed = page.frame_locator("#allowed")
    expect(allowed.get_by_role("heading", name="Aurora poster")).to_be_visible()
    page.wait_for_load_state("load")
    [checkout] = [each for each in responses if "/pay/shop-only" in each.url]
    assert checkout.status == 200
    policy = checkout.headers["content-security-policy"]
    assert policy.endswith("; frame-ancestors https://shop.example")
    refused = page.locator("#refused").element_handle().content_frame()
    assert refused.evaluate("location.href").startswith("chrome-error://")
    expect(
        page.frame_locator("#refused").get_by_role("heading", name="Gift card")
    ).to_have_count(0)


def test_button_new_tab_for_disallowed_origin(page, live_server, host_site, shop_only):
    url = host_site.add_page(
        "/fallback.html", EVENT_RECORDER + snippets(shop_only, live_server).button
    )
    page.goto(url)
    link = page.get_by_role("link", name="Buy now")
    # embed.js styles the link once the embed settings rule out a frame.
    expect(link).to_have_css("background-color", "rgb(47, 111, 79)")

    with page.context.expect_page() as new_tab:
        link.click()

    checkout = new_tab.value
    checkout.wait_for_load_state()
    assert checkout.url == f"{live_server}/pay/shop-only"
    expect(checkout.get_by_role("heading", name="Gift card")).to_be_visible()
    expect(page.locator("dialog")).to_have_count(0)
    assert events(page) == []


def test_inline_keeps_link_for_disallowed_origin(
    page, live_server, host_site, shop_only
):
    url = host_site.add_page(
        "/inline-fallback.html", snippets(shop_only, live_server).inline
    )
    page.goto(url)
    page.wait_for_function(
        "document.querySelector('[data-kassa-checkout]').dataset.kassaReady"
    )
    page.wait_for_load_state("networkidle")

    assert page.locator("[data-kassa-checkout] iframe").count() == 0
    link = page.get_by_role("link", name="Buy Gift card")
    expect(link).to_have_attribute("href", f"{live_server}/pay/shop-only")
    expect(link).to_have_attribute("target", "_blank")


def test_button_new_tab_when_page_blocks_frames(page, live_server, host_site, poster):
    """The host page's own Content Security Policy forbids every frame."""
    url = host_site.add_page(
        "/no-frames.html",
        EVENT_RECORDER + snippets(poster, live_server).button,
        {"Content-Security-Policy": "frame-src 'none'"},
    )
    page.goto(url)

    with page.context.expect_page() as new_tab:
        page.get_by_role("button", name="Buy now").click()

    checkout = new_tab.value
    checkout.wait_for_load_state()
    assert checkout.url == f"{live_server}/pay/poster"
    expect(page.locator("dialog")).to_have_count(0)


def test_spoofed_parent_origin_gets_no_messages(
    page, live_server, host_site, db, business
):
    """A frame given another allowed origin as its parent posts nothing here."""
    add_link(
        db,
        "poster",
        "Aurora poster",
        3900,
        ["http://localhost:*", "http://127.0.0.1:*"],
    )
    claimed = f"http%3A%2F%2F127.0.0.1%3A{host_site.port}"
    honest = f"http%3A%2F%2Flocalhost%3A{host_site.port}"
    url = host_site.add_page(
        "/spoofed.html",
        EVENT_RECORDER
        + f'<iframe id="spoofed" src="{live_server}/pay/poster?embed={claimed}">'
        "</iframe>"
        + f'<iframe id="honest" src="{live_server}/pay/poster?embed={honest}">'
        "</iframe>",
    )
    page.goto(url)

    spoofed = page.frame_locator("#spoofed")
    expect(spoofed.get_by_role("heading", name="Aurora poster")).to_be_visible()
    # Its checkout-embed.js ran with the claimed parent as the target origin.
    expect(spoofed.locator("script[data-parent-origin]")).to_have_attribute(
        "data-parent-origin", f"http://127.0.0.1:{host_site.port}"
    )
    page.wait_for_function(
        "window.hostMessages.some((message) => message.data.type === 'kassa:ready')"
    )
    # The spoofed frame's messages would have arrived by now.
    page.wait_for_timeout(300)
    messages = page.evaluate("window.hostMessages")
    ready = [
        message for message in messages if message["data"]["type"] == "kassa:ready"
    ]
    assert len(ready) == 1
    assert ready[0]["origin"] == live_server
    assert all(message["origin"] == live_server for message in messages)


def test_overlay_by_keyboard_alone(page, live_server, host_site, poster):
    url = host_site.add_page(
        "/keyboard.html",
        '<a href="#top" id="before">Top</a>'
        + EVENT_RECORDER
        + snippets(poster, live_server).button
        + '<a href="#top" id="after">Also top</a>',
    )
    page.goto(url)
    button = page.get_by_role("button", name="Buy now")
    expect(button).to_be_visible()

    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    expect(button).to_be_focused()
    page.keyboard.press("Enter")

    dialog = page.get_by_role("dialog")
    close = dialog.get_by_role("button", name="Close the checkout")
    expect(close).to_be_focused()
    frame = page.frame_locator("dialog iframe")
    expect(frame.get_by_label("Email")).to_be_visible()

    page.keyboard.press("Tab")
    assert_focus_in_frame(page)
    focused = {frame_active_element(page)}
    for _ in range(40):
        page.keyboard.press("Tab")
        wait_for_focus_to_settle(page)
        assert page.evaluate(
            "document.querySelector('dialog').contains(document.activeElement)"
        ), "focus left the overlay"
        if page.evaluate("document.activeElement.tagName") == "BUTTON":
            break
        focused.add(frame_active_element(page))
    expect(close).to_be_focused()
    assert "email" in focused
    assert "card_number" in focused

    page.keyboard.press("Shift+Tab")
    page.wait_for_function("document.activeElement.tagName === 'IFRAME'")
    expect(frame.locator("#pay-button")).to_be_focused()

    page.keyboard.press("Shift+Tab")
    assert_focus_in_frame(page)
    frame.get_by_label("Email").focus()
    page.keyboard.type("aino@example.com")
    page.keyboard.press("Escape")

    expect(dialog).to_have_count(0)
    expect(button).to_be_focused()
    assert [event["name"] for event in events(page)] == ["kassa:open", "kassa:close"]

    page.keyboard.press("Space")
    expect(page.get_by_role("dialog")).to_be_visible()
    expect(
        page.get_by_role("dialog").get_by_role("button", name="Close the checkout")
    ).to_be_focused()
    page.keyboard.press("Escape")
    expect(page.get_by_role("dialog")).to_have_count(0)
    expect(button).to_be_focused()


def wait_for_focus_to_settle(page) -> None:
    """Wait while focus crosses into or out of the checkout's frame.

    The frame runs in another process, so for a moment after Tab neither
    document has focus and the host page's active element is its body.
    """
    page.wait_for_function("document.activeElement !== document.body")


def assert_focus_in_frame(page) -> None:
    wait_for_focus_to_settle(page)
    assert page.evaluate("document.activeElement.tagName") == "IFRAME"


def frame_active_element(page) -> str:
    frame = page.locator("dialog iframe").element_handle().content_frame()
    return frame.evaluate("document.activeElement.id || document.activeElement.tagName")


def test_overlay_logs_no_console_errors(page, live_server, host_site, poster):
    errors = []

    def record(message):
        if message.type == "error":
            errors.append(f"{message.text} at {message.location['url']}")

    page.on("console", record)
    page.on("pageerror", lambda error: errors.append(str(error)))
    # Chromium asks every host for /favicon.ico, and a 404 would be logged.
    host_site.add_page("/favicon.ico", "")
    url = host_site.add_page("/quiet.html", snippets(poster, live_server).button)
    page.goto(url)

    # Focus the overlay's first focus guard in the same task as the click,
    # as Shift+Tab does, before the checkout has reported kassa:ready.
    page.get_by_role("button", name="Buy now").evaluate(
        "button => { button.click();"
        " document.querySelector('dialog span[tabindex]').focus(); }"
    )
    frame = page.frame_locator("dialog iframe")
    expect(frame.get_by_role("heading", name="Aurora poster")).to_be_visible()
    pay_in(frame)
    expect(
        frame.get_by_role("heading", name="Thank you for your payment")
    ).to_be_visible()
    page.get_by_role("button", name="Close the checkout").click()
    expect(page.locator("dialog")).to_have_count(0)

    assert errors == []

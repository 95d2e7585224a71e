"""CSP sources of the pages that take a payment with Stripe.js."""

from portal.processors.stripe.settings import StripeSettings

# Origins of Stripe.js v3: the script and the frames of the Payment Element
# and 3-D Secure come from js.stripe.com, its subdomains and hooks.stripe.com,
# and the script calls api.stripe.com.
# NOTE: this list follows Stripe's published CSP guidance for Stripe.js v3;
# check it again when moving to another Stripe.js version.
STRIPE_JS_SOURCES = {
    "script-src": ("https://js.stripe.com", "https://*.js.stripe.com"),
    "frame-src": (
        "https://js.stripe.com",
        "https://*.js.stripe.com",
        "https://hooks.stripe.com",
    ),
    "connect-src": ("https://api.stripe.com",),
    "img-src": ("https://*.stripe.com",),
}


def csp_sources(settings: StripeSettings) -> dict[str, tuple[str, ...]]:
    """Return the CSP sources a Stripe payment page adds, per directive.

    A stand-in for Stripe.js served from another origin, such as
    localstripe's in tests, runs everything from that one origin.
    """
    if settings.uses_stripe_js:
        return dict(STRIPE_JS_SOURCES)
    origin = settings.js_origin
    return {"script-src": (origin,), "frame-src": (origin,), "connect-src": (origin,)}

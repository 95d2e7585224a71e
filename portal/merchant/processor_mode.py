"""The top bar's badge that shows whether payments move real money."""

from dataclasses import dataclass

from portal.merchant import blueprint
from portal.processors import get_processor
from portal.processors.stripe import StripeProcessor


@dataclass(frozen=True, slots=True)
class ProcessorMode:
    label: str
    live: bool
    explanation: str


def processor_mode() -> ProcessorMode:
    processor = get_processor()
    if not isinstance(processor, StripeProcessor):
        return ProcessorMode(
            "Test-mode processor",
            live=False,
            explanation="Payments use test cards; no real money moves.",
        )
    if processor.live_mode:
        return ProcessorMode(
            "Stripe live mode",
            live=True,
            explanation="Payments take real money through Stripe.",
        )
    return ProcessorMode(
        "Stripe test mode",
        live=False,
        explanation="Payments go to Stripe's test mode; no real money moves.",
    )


@blueprint.context_processor
def template_context() -> dict[str, object]:
    return {"processor_mode": processor_mode()}

"""Payment processors, chosen by the ``KASSA_PROCESSOR`` setting."""

from flask import Flask, current_app

from portal.processors.base import Processor
from portal.processors.testmode import TestModeProcessor


def init_app(app: Flask) -> None:
    name = app.config["KASSA_PROCESSOR"]
    if name != "test":
        raise RuntimeError(f"KASSA_PROCESSOR={name!r} is not supported; use 'test'.")
    sessions = app.extensions["kassa.sessionmaker"]
    app.extensions["kassa.processor"] = TestModeProcessor(
        sessions, app.config["KASSA_TEST_DEBIT_DELAY"]
    )


def get_processor() -> Processor:
    return current_app.extensions["kassa.processor"]

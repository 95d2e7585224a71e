"""Errors of catalogue changes that cannot be saved."""

from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")

FORM = "form"  # the key of an error that belongs to no single field


class CatalogError(ValueError):
    """A value or change that is rejected; ``field`` names the form field at fault."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class InvalidInput(CatalogError):
    """Every rejected field of one form, by field name, each with its message."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(" ".join(errors.values()))
        self.errors = errors


class ErrorCollector:
    """Run the checks of one form and keep the first error of each field."""

    def __init__(self) -> None:
        self.errors: dict[str, str] = {}

    def check(
        self, check: Callable[..., T], *args: object, **kwargs: object
    ) -> T | None:
        """Return ``check(...)``, or None after recording its ``CatalogError``."""
        try:
            return check(*args, **kwargs)
        except InvalidInput as error:
            for field, message in error.errors.items():
                self.errors.setdefault(field, message)
        except CatalogError as error:
            self.errors.setdefault(error.field or FORM, error.message)
        return None

    def raise_any(self) -> None:
        """Raise ``InvalidInput`` when any check failed."""
        if self.errors:
            raise InvalidInput(dict(self.errors))

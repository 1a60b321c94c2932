"""Shared view helpers."""

from django.core.exceptions import ValidationError

__all__ = ["add_service_errors"]


def add_service_errors(form, error: ValidationError) -> None:
    """Show a service's ValidationError on the form: field errors inline, the rest at the top."""
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages)
    else:
        form.add_error(None, error.messages)

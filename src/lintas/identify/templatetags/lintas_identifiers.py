"""``{{ code|identifier_type }}``: an identifier type's name in the reader's language, not its code."""

from django import template

from lintas.identify.forms import TYPE_LABELS

register = template.Library()


@register.filter
def identifier_type(code) -> str:
    label = TYPE_LABELS.get(str(code or ""))
    return str(label) if label is not None else str(code or "")

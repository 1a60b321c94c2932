"""Template helpers for forms laid out in several groups."""

from django import template

register = template.Library()


@register.filter
def fields(form, names: str):
    """The bound fields named (space-separated), in that order."""
    return [form[name] for name in names.split() if name in form.fields]

"""Shared form styling: Bootstrap classes and accessible error wiring for every Lintas form."""

from django import forms

__all__ = ["IdsChoiceField", "StyledFormMixin"]


class StyledFormMixin:
    """Adds Bootstrap classes to widgets, and ``is-invalid`` plus ``aria-invalid`` to fields with errors."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxSelectMultiple | forms.RadioSelect):
                continue
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                attrs = self.fields[name].widget.attrs
                attrs["class"] = f"{attrs.get('class', '')} is-invalid".strip()
                attrs["aria-invalid"] = "true"
                attrs["aria-describedby"] = f"id_{name}_error"


class IdsChoiceField(forms.ModelMultipleChoiceField):
    """A choice of several objects by id, from a queryset already limited to what the user may see (``visible_to``).

    A hidden and a missing id are the same invalid choice; an id no database can hold (not a whole number, or past
    2^63) is refused as invalid before any query, where Django's own field lets it reach the database (a 500).
    """

    def _check_values(self, value):
        from lintas.core.access import parse_id

        key = self.to_field_name or "pk"
        if key == "pk":
            for pk in value if isinstance(value, list | tuple) else [value]:
                if parse_id(pk) is None:
                    raise forms.ValidationError(
                        self.error_messages["invalid_pk_value"], code="invalid_pk_value", params={"pk": pk}
                    )
        return super()._check_values(value)

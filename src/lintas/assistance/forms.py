"""Drafting a request. Rules are checked by ``services.draft_request``; the form gathers fields."""

import datetime as dt
import json
import re
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lintas.agencies.models import Agency
from lintas.assistance.choices import LegalBasis, Priority, RequestType
from lintas.assistance.prefill import default_priority
from lintas.cases.choices import HandlingCode, Tlp
from lintas.cases.models import Case, CaseIdentifier
from lintas.core.forms import IdsChoiceField, StyledFormMixin

__all__ = ["DraftForm", "OutcomeForm", "parse_amount", "parse_transfer_line"]


class IdentifierChoiceField(IdsChoiceField):
    def label_from_instance(self, obj):
        return f"{obj} · {obj.get_role_display()}"


class DraftForm(StyledFormMixin, forms.Form):
    receivers = forms.ModelMultipleChoiceField(
        label=gettext_lazy("To"),
        queryset=Agency.objects.none(),
        to_field_name="code",
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text=gettext_lazy("One request is made for each agency."),
    )
    type = forms.ChoiceField(label=gettext_lazy("Type"), choices=RequestType.choices)
    priority = forms.ChoiceField(
        label=gettext_lazy("Priority"),
        choices=Priority.choices,
        initial=Priority.ROUTINE,
        required=False,  # not sent: the type's default (services.draft_request)
        help_text=gettext_lazy("Set by the type: stop-payment and preservation are urgent. Change it if needed."),
    )
    legal_basis = forms.ChoiceField(
        label=gettext_lazy("Legal basis"), choices=LegalBasis.choices, initial=LegalBasis.POLICE_TO_POLICE
    )
    subject = forms.CharField(label=gettext_lazy("Subject"), max_length=200)
    asked = forms.CharField(label=gettext_lazy("What is asked"), widget=forms.Textarea(attrs={"rows": 5}))
    amount = forms.DecimalField(label=gettext_lazy("Amount at stake"), required=False, min_value=0, decimal_places=2)
    currency = forms.CharField(label=gettext_lazy("Currency"), max_length=3, required=False)
    due_at = forms.DateTimeField(
        label=gettext_lazy("Due"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        help_text=gettext_lazy(
            "If empty: the receiver's usual turnaround for the type, else the priority's default (urgent 4 hours, "
            "high 3 days, routine 21 days), as shown below."
        ),
    )
    cases = IdsChoiceField(label=gettext_lazy("Linked cases"), queryset=Case.objects.none(), required=False)
    identifiers = IdentifierChoiceField(
        label=gettext_lazy("About these identifiers"),
        queryset=CaseIdentifier.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    handling_code = forms.ChoiceField(label=gettext_lazy("Handling code"), choices=HandlingCode.choices, initial="H0")
    tlp = forms.ChoiceField(label="TLP", choices=Tlp.choices, initial=Tlp.AMBER)

    def __init__(self, *args, user=None, routed_by_hit=False, identifier_choices=None, **kwargs):
        super().__init__(*args, **kwargs)
        # The priority follows the type as the officer changes it (request-form.js), until they choose one themselves.
        self.fields["type"].widget.attrs["data-default-priorities"] = json.dumps(
            {value: default_priority(value) for value in RequestType.values}
        )
        if identifier_choices is None:  # offered only for a request opened from a case
            del self.fields["identifiers"]
        else:
            self.fields["identifiers"].queryset = identifier_choices
        self.fields["receivers"].queryset = Agency.objects.active().exclude(pk=user.agency_id)
        if routed_by_hit:  # the holder hides its name: the hit routes the request, the requester does not choose
            del self.fields["receivers"]
        self.fields["cases"].queryset = Case.objects.visible_to(user).filter(owner_agency_id=user.agency_id)


# --- Recording an outcome ---------------------------------------------------------------------------------------

MAX_TRANSFER_LINES = 100
_AMOUNT = re.compile(r"^[+]?\d[\d\s,.'\u00a0\u202f]*$")
_CURRENCY_AMOUNT = re.compile(
    r"^(?:(?P<pre>[A-Za-z]{3})\s*)?(?P<amount>\d[\d\s,.'\u00a0\u202f]*?)(?:\s*(?P<post>[A-Za-z]{3}))?$"
)
_DATE = (
    r"(?:(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})|(?P<d2>\d{1,2})[/.](?P<m2>\d{1,2})[/.](?P<y2>\d{4}))"
    r"(?:[ T]+(?P<hh>\d{1,2})[:.](?P<mm>\d{2})(?::(?P<ss>\d{2}))?)?"
)
_DATE_ONLY = re.compile(rf"^{_DATE}$")
_DATE_ANYWHERE = re.compile(rf"(?<![\d-]){_DATE}(?![\d:])")
_MONEY_ANYWHERE = re.compile(
    r"(?<![\w\-/])(?:(?P<pre>[A-Z]{3})\s?(?P<a1>\d[\d,.'\u00a0\u202f]*\d|\d)"
    r"|(?P<a2>\d[\d,.'\u00a0\u202f]*\d|\d)\s?(?P<post>[A-Z]{3}))(?![\w\-/])"
)
_COUNTRY = re.compile(r"^[A-Za-z]{2}$")


def parse_amount(text: str, decimal_mark: str = ".") -> Decimal:
    """An amount as officers write it: "3,300,000", "3.300.000,50", "3 300 000", "39000000.00".

    The last "," or "." followed by one or two digits is the decimal mark; a lone separator followed by exactly
    three digits is read as a thousands separator unless the reader's locale uses it as the decimal mark.
    Raises ValueError for anything else."""
    s = str(text).strip().replace("\u00a0", " ").replace("\u202f", " ")
    if not s or len(s) > 40 or not _AMOUNT.match(s):
        raise ValueError(text)
    s = s.replace(" ", "").replace("'", "")
    marks = [i for i, ch in enumerate(s) if ch in ",."]
    if marks:
        last = marks[-1]
        tail = s[last + 1 :]
        kinds = {s[i] for i in marks}
        if len(kinds) == 2:
            decimal = True  # "3,300,000.50" or "3.300.000,50": the last mark is the decimal one
            if s.count(s[last]) > 1:
                raise ValueError(text)
        elif len(marks) > 1:
            decimal = False  # "3,300,000" or "3.300.000": one mark repeated groups thousands
        else:
            decimal = len(tail) in (1, 2) or (len(tail) == 3 and s[last] == decimal_mark)
        whole, fraction = (s[:last], tail) if decimal else (s, "")
        groups = re.split(r"[,.]", whole)
        if (fraction and not fraction.isdigit()) or any(not g for g in groups) or any(len(g) != 3 for g in groups[1:]):
            raise ValueError(text)
        s = "".join(groups) + (f".{fraction}" if fraction else "")
    try:
        return Decimal(s)
    except ArithmeticError as exc:
        raise ValueError(text) from exc


def _moment(match: re.Match) -> dt.datetime:
    g = match.groupdict()
    year, month, day = (g["y"], g["m"], g["d"]) if g["y"] else (g["y2"], g["m2"], g["d2"])
    return dt.datetime(  # naive: read in the officer's time zone by the service
        int(year), int(month), int(day), int(g["hh"] or 0), int(g["mm"] or 0), int(g["ss"] or 0)
    )


def parse_transfer_line(line: str, default_currency: str, decimal_mark: str = ".") -> tuple[dict, list[str]]:
    """One onward transfer as written: ``destination; amount; currency; date time; country`` with the parts after
    the destination in any order, the currency optional (the outcome's), the country optional (guessed from the
    account); or the same without semicolons when the amount carries its currency ("KTB 123-4-56789-0 USD 3,300,000
    2024-07-10 21:42"). Returns the parts found and what is wrong, in words an officer can act on."""
    from lintas.core.validation import currencies

    found: dict = {"currency": default_currency, "country": None}
    problems: list[str] = []
    if re.search(r"[;\t|]", line):
        parts = [p.strip() for p in re.split(r"[;\t|]", line)]
        found["destination"] = parts[0]
        for part in (p for p in parts[1:] if p):
            upper = part.upper()
            date = _DATE_ONLY.match(part)
            money = _CURRENCY_AMOUNT.match(part)
            if date:
                try:
                    found["moved_at"] = _moment(date)
                except ValueError:
                    problems.append(_("not a real date or time: %(value)s") % {"value": part[:40]})
            elif upper in currencies():
                found["currency"] = upper
            elif _COUNTRY.match(part):
                found["country"] = upper
            elif re.fullmatch(r"[A-Za-z]{3}", part):
                problems.append(_("not an ISO 4217 currency: %(value)s") % {"value": part})
            elif money and "amount" not in found:
                code = (money.group("pre") or money.group("post") or "").upper()
                if code:
                    found["currency"] = code
                try:
                    found["amount"] = parse_amount(money.group("amount"), decimal_mark)
                except ValueError:
                    problems.append(_("not an amount: %(value)s") % {"value": part[:40]})
            else:
                problems.append(_("not understood: %(value)s") % {"value": part[:40]})
    else:
        rest = line
        date = _DATE_ANYWHERE.search(rest)
        if date:
            try:
                found["moved_at"] = _moment(date)
            except ValueError:
                problems.append(_("not a real date or time: %(value)s") % {"value": date.group(0)})
            rest = rest[: date.start()] + " " + rest[date.end() :]
        # "USD 3,300,000" before "3,300,000 USD": an IBAN's last group followed by a currency is not an amount.
        candidates = [m for m in _MONEY_ANYWHERE.finditer(rest) if (m.group("pre") or m.group("post")) in currencies()]
        money = next((m for m in candidates if m.group("pre")), candidates[0] if candidates else None)
        if money:
            found["currency"] = money.group("pre") or money.group("post")
            try:
                found["amount"] = parse_amount(money.group("a1") or money.group("a2"), decimal_mark)
            except ValueError:
                problems.append(_("not an amount: %(value)s") % {"value": money.group(0)})
            rest = rest[: money.start()] + " " + rest[money.end() :]
        found["destination"] = " ".join(rest.split())
    if not found.get("destination"):
        problems.append(_("no destination (an account with its bank, an IBAN, a wallet or a phone)"))
    if "amount" not in found and not problems:
        problems.append(_("no amount (write it as 3,300,000 or USD 3,300,000)"))
    if "moved_at" not in found and not problems:
        problems.append(_("no date and time (YYYY-MM-DD HH:MM, in your time zone)"))
    if not found["currency"] and not problems:
        problems.append(_("no currency (USD, THB ...)"))
    return found, problems


class OutcomeForm(StyledFormMixin, forms.Form):
    """What the receiving agency froze and where money had gone. The form reads what officers write (amounts with
    separators, destinations with their bank); ``outcomes.record_outcome`` checks every value again."""

    amount_frozen = forms.CharField(label=gettext_lazy("Amount frozen"), required=False, max_length=40)
    currency = forms.CharField(label=gettext_lazy("Currency"), required=False, max_length=3, initial="USD")
    accounts_frozen = forms.IntegerField(
        label=gettext_lazy("Accounts frozen"), required=False, min_value=0, max_value=100_000
    )
    wallets_frozen = forms.IntegerField(
        label=gettext_lazy("Wallets frozen"), required=False, min_value=0, max_value=100_000
    )
    amount_returned = forms.CharField(label=gettext_lazy("Amount returned"), required=False, max_length=40)
    transfers = forms.CharField(
        label=gettext_lazy("Onward transfers, one per line"),
        required=False,
        max_length=1_000_000,  # the number of lines is what counts (at most MAX_TRANSFER_LINES), said as such
        widget=forms.Textarea(attrs={"rows": 3, "spellcheck": "false"}),
        help_text=gettext_lazy(
            "Destination; amount; currency; date and time (your time zone); country, e.g. "
            "“Kasikornbank 123-4-56789-0; 3,300,000; USD; 2024-07-10 21:42”. The destination may be an account "
            "with its bank, an IBAN, a wallet or a phone; the currency is the outcome's if left out, and the "
            "country is read from the account."
        ),
    )
    note = forms.CharField(label=gettext_lazy("Note"), required=False, max_length=10_000)

    def __init__(self, *args, decimal_mark: str = ".", **kwargs):
        super().__init__(*args, **kwargs)
        self.decimal_mark = decimal_mark
        self.transfer_lines: list[int] = []  # the line number of each parsed transfer, for the service's errors

    def _amount(self, name: str):
        value = self.cleaned_data.get(name) or ""
        if not value.strip():
            return Decimal(0)
        try:
            return parse_amount(value, self.decimal_mark)
        except ValueError:
            raise forms.ValidationError(
                _("Not an amount: write it as 39,000,000 or 39000000.00."), code="invalid"
            ) from None

    def clean_amount_frozen(self):
        return self._amount("amount_frozen")

    def clean_amount_returned(self):
        return self._amount("amount_returned")

    def clean_currency(self):
        return (self.cleaned_data.get("currency") or "").strip().upper() or "USD"

    def clean(self):
        data = super().clean()
        from lintas.assistance.outcomes import TransferIn

        lines = [(n, line) for n, line in enumerate((data.get("transfers") or "").splitlines(), start=1)]
        lines = [(n, line.strip()) for n, line in lines if line.strip()]
        if len(lines) > MAX_TRANSFER_LINES:
            self.add_error(
                "transfers",
                _("At most %(max)d onward transfers at once; this has %(n)d.")
                % {"max": MAX_TRANSFER_LINES, "n": len(lines)},
            )
            lines = []
        transfers = []
        for number, line in lines:
            parts, problems = parse_transfer_line(line, data.get("currency") or "", self.decimal_mark)
            for problem in problems:
                self.add_error("transfers", _("Line %(n)d: %(problem)s") % {"n": number, "problem": problem})
            if not problems:
                transfers.append(
                    TransferIn(
                        parts["destination"],
                        parts["amount"],
                        parts["currency"],
                        parts["moved_at"],
                        country=parts["country"],
                    )
                )
                self.transfer_lines.append(number)
        data["transfer_list"] = transfers
        return data

    def add_service_errors(self, error: ValidationError) -> None:
        """The service's errors by field; a transfer's (``transfers[i]``) on the box, with its line number."""
        if not hasattr(error, "error_dict"):
            self.add_error(None, error.messages)
            return
        for key, messages in error.message_dict.items():
            match = re.fullmatch(r"transfers\[(\d+)\]", key)
            if match and int(match.group(1)) < len(self.transfer_lines):
                line = self.transfer_lines[int(match.group(1))]
                for message in messages:
                    self.add_error("transfers", _("Line %(n)d: %(problem)s") % {"n": line, "problem": message})
            else:
                self.add_error(key if key in self.fields else None, messages)

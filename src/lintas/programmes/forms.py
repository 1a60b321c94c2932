"""Organisers' forms. They collect input only: the services check every value (``lintas.core.validation``), so the
forms and the API refuse the same things with the same messages."""

from django import forms
from django.utils.translation import gettext_lazy as _

from lintas.agencies.models import Agency
from lintas.cases.choices import Tlp
from lintas.programmes.choices import EditionStatus, MaterialKind, SessionKind
from lintas.programmes.models import Expert

__all__ = [
    "AttendanceImportForm",
    "ChecklistTaskForm",
    "DecisionForm",
    "EditionForm",
    "ExpertForm",
    "ExpertLinkForm",
    "FeedbackForm",
    "MaterialForm",
    "NominationForm",
    "ProgrammeForm",
    "ReportForm",
    "SeatsForm",
    "SessionForm",
    "SurveyForm",
]

_DATE = forms.DateInput(attrs={"type": "date", "class": "form-control"})
_DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local", "class": "form-control"}, format="%Y-%m-%dT%H:%M")
_TEXT = {"class": "form-control"}


def _agencies():
    return Agency.objects.filter(is_active=True).order_by("short_name")


class EditionForm(forms.Form):
    title = forms.CharField(label=_("Title"), widget=forms.TextInput(attrs=_TEXT))
    theme = forms.CharField(label=_("Theme"), required=False, widget=forms.TextInput(attrs=_TEXT))
    aims = forms.CharField(label=_("Aims"), required=False, widget=forms.Textarea(attrs={**_TEXT, "rows": 3}))
    host_agency = forms.ModelChoiceField(
        label=_("Host agency"), queryset=_agencies(), to_field_name="code", widget=forms.Select(attrs=_TEXT)
    )
    co_organisers = forms.ModelMultipleChoiceField(
        label=_("Co-organising agencies"),
        queryset=_agencies(),
        to_field_name="code",
        required=False,
        widget=forms.SelectMultiple(attrs=_TEXT),
    )
    starts_on = forms.CharField(label=_("Starts on"), widget=_DATE)
    ends_on = forms.CharField(label=_("Ends on"), widget=_DATE)
    venue = forms.CharField(label=_("Venue"), required=False, widget=forms.TextInput(attrs=_TEXT))
    address = forms.CharField(label=_("Address"), required=False, widget=forms.TextInput(attrs=_TEXT))
    online_link = forms.CharField(label=_("Online platform link"), required=False, widget=forms.URLInput(attrs=_TEXT))
    time_zone = forms.CharField(
        label=_("Time zone"), initial="Asia/Seoul", help_text=_("e.g. Asia/Seoul"), widget=forms.TextInput(attrs=_TEXT)
    )
    languages = forms.CharField(
        label=_("Languages"), required=False, help_text=_("Codes, separated by commas: en, ko"),
        widget=forms.TextInput(attrs=_TEXT),
    )  # fmt: skip
    status = forms.ChoiceField(label=_("Status"), choices=EditionStatus.choices, widget=forms.Select(attrs=_TEXT))

    def service_fields(self) -> dict:
        """The fields as the services take them (the host and co-organisers apart)."""
        data = {k: v for k, v in self.cleaned_data.items() if k not in ("host_agency", "co_organisers")}
        data["languages"] = [code.strip() for code in data.get("languages", "").split(",") if code.strip()]
        return data


class SessionForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=SessionKind.choices, widget=forms.Select(attrs=_TEXT))
    topic = forms.CharField(label=_("Topic"), widget=forms.TextInput(attrs=_TEXT))
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={**_TEXT, "rows": 3})
    )
    starts_at = forms.CharField(label=_("Starts at (the edition's time zone)"), widget=_DATETIME)
    ends_at = forms.CharField(label=_("Ends at (the edition's time zone)"), widget=_DATETIME)
    room = forms.CharField(label=_("Room"), required=False, widget=forms.TextInput(attrs=_TEXT))
    online = forms.BooleanField(
        label=_("Online"), required=False, widget=forms.CheckboxInput(attrs={"class": "form-check-input"})
    )
    language = forms.CharField(label=_("Language"), required=False, widget=forms.TextInput(attrs=_TEXT))
    interpretation = forms.CharField(label=_("Interpretation"), required=False, widget=forms.TextInput(attrs=_TEXT))
    moderator = forms.ModelChoiceField(
        label=_("Moderator"), queryset=Expert.objects.all(), required=False, widget=forms.Select(attrs=_TEXT)
    )
    speakers = forms.ModelMultipleChoiceField(
        label=_("Speakers"), queryset=Expert.objects.all(), required=False, widget=forms.SelectMultiple(attrs=_TEXT)
    )
    panellists = forms.ModelMultipleChoiceField(
        label=_("Panellists"), queryset=Expert.objects.all(), required=False, widget=forms.SelectMultiple(attrs=_TEXT)
    )

    def service_fields(self) -> tuple[dict, list]:
        """The session's fields and its people as (Expert, role) pairs, as the services take them."""
        data = dict(self.cleaned_data)
        experts = []
        if data.pop("moderator"):
            experts.append((self.cleaned_data["moderator"], "moderator"))
        experts += [(expert, "speaker") for expert in data.pop("speakers")]
        experts += [(expert, "panellist") for expert in data.pop("panellists")]
        return data, experts


class ExpertForm(forms.Form):
    name = forms.CharField(label=_("Name"), widget=forms.TextInput(attrs=_TEXT))
    title = forms.CharField(label=_("Title"), required=False, widget=forms.TextInput(attrs=_TEXT))
    organisation = forms.CharField(label=_("Organisation"), required=False, widget=forms.TextInput(attrs=_TEXT))
    biography = forms.CharField(
        label=_("Short biography"), required=False, widget=forms.Textarea(attrs={**_TEXT, "rows": 3})
    )
    email = forms.CharField(label=_("E-mail"), required=False, widget=forms.EmailInput(attrs=_TEXT))


class ChecklistTaskForm(forms.Form):
    title = forms.CharField(label=_("Task"), widget=forms.TextInput(attrs=_TEXT))
    owner_agency = forms.ModelChoiceField(
        label=_("Owner agency"), queryset=_agencies(), to_field_name="code", widget=forms.Select(attrs=_TEXT)
    )
    due_on = forms.CharField(label=_("Due on"), required=False, widget=_DATE)


class ProgrammeForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200, widget=forms.TextInput(attrs=_TEXT))
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={**_TEXT, "rows": 3})
    )


# --- The post-programme report (decision 0042) -----------------------------------------------------------------------


class ReportForm(forms.Form):
    """What the organisers add to the report, and the parts of the public summary."""

    outcomes = forms.CharField(label=_("Outcomes"), required=False, widget=forms.Textarea(attrs={**_TEXT, "rows": 4}))
    reception = forms.CharField(
        label=_("Reception"),
        required=False,
        widget=forms.Textarea(attrs={**_TEXT, "rows": 3}),
        help_text=_("How the edition was received, e.g. what participants and partners said."),
    )
    next_edition_plan = forms.CharField(
        label=_("Plan for the next edition"), required=False, widget=forms.Textarea(attrs={**_TEXT, "rows": 3})
    )
    public_parts = forms.MultipleChoiceField(
        label=_("Parts of the public summary"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The title, dates and host are always shown; nothing else unless ticked. Participants never."),
    )

    def __init__(self, *args, **kwargs):
        from lintas.programmes.report import PUBLIC_PARTS

        super().__init__(*args, **kwargs)
        self.fields["public_parts"].choices = list(PUBLIC_PARTS.items())


# --- Materials and the feedback survey (issue 16 items 4 and 5; decision 0041) --------------------------------------

_RATING_CHOICES = [(str(n), str(n)) for n in range(1, 6)]


class MaterialForm(forms.Form):
    """Upload a material to one of the sessions the user may add to (``sessions``: a queryset of the edition's)."""

    session = forms.ModelChoiceField(label=_("Session"), queryset=None, widget=forms.Select(attrs=_TEXT))
    kind = forms.ChoiceField(label=_("Kind"), choices=MaterialKind.choices, widget=forms.Select(attrs=_TEXT))
    title = forms.CharField(label=_("Title"), widget=forms.TextInput(attrs=_TEXT))
    language = forms.CharField(
        label=_("Language"), required=False, help_text=_("A code such as en, ko or th"),
        widget=forms.TextInput(attrs=_TEXT),
    )  # fmt: skip
    tlp = forms.ChoiceField(
        label=_("Handling (TLP)"), choices=Tlp.choices, initial=Tlp.GREEN, widget=forms.Select(attrs=_TEXT)
    )
    file = forms.FileField(
        label=_("File"), required=False, help_text=_("PDF, PNG, JPEG, WebP, DOCX, XLSX or plain text"),
        widget=forms.ClearableFileInput(attrs=_TEXT),
    )  # fmt: skip
    link = forms.CharField(
        label=_("Link to a recording"), required=False, help_text=_("Instead of a file, for a recording only"),
        widget=forms.URLInput(attrs=_TEXT),
    )  # fmt: skip

    def __init__(self, *args, sessions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["session"].queryset = sessions


class SurveyForm(forms.Form):
    introduction = forms.CharField(
        label=_("Introduction"), required=False, help_text=_("Shown to participants above the questions"),
        widget=forms.Textarea(attrs={**_TEXT, "rows": 4}),
    )  # fmt: skip
    is_open = forms.BooleanField(
        label=_("Open for answers"), required=False, widget=forms.CheckboxInput(attrs={"class": "form-check-input"})
    )


class FeedbackForm(forms.Form):
    """A participant's answer: a rating per session they could attend (optional: skip what you missed), an overall
    rating, the most useful session, comments and topics wanted next year."""

    overall_rating = forms.TypedChoiceField(
        label=_("Overall, how useful was the programme? (1 = not at all, 5 = very)"),
        choices=_RATING_CHOICES, coerce=int, widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )  # fmt: skip
    most_useful = forms.ModelChoiceField(
        label=_("The most useful session"), queryset=None, required=False, widget=forms.Select(attrs=_TEXT)
    )
    comments = forms.CharField(label=_("Comments"), required=False, widget=forms.Textarea(attrs={**_TEXT, "rows": 4}))
    topics_wanted = forms.CharField(
        label=_("Topics you would like next year"), required=False,
        widget=forms.Textarea(attrs={**_TEXT, "rows": 3}),
    )  # fmt: skip

    def __init__(self, *args, sessions, **kwargs):
        super().__init__(*args, **kwargs)
        self.sessions = list(sessions)
        self.fields["most_useful"].queryset = sessions
        for session in self.sessions:
            self.fields[f"session_{session.pk}"] = forms.TypedChoiceField(
                label=session.topic, choices=[("", _("Did not attend")), *_RATING_CHOICES], coerce=int,
                empty_value=None, required=False, widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
            )  # fmt: skip

    def rating_fields(self):
        """(session, bound field) for each session to rate, in agenda order."""
        return [(session, self[f"session_{session.pk}"]) for session in self.sessions]

    def service_fields(self) -> dict:
        data = self.cleaned_data
        return {
            "overall_rating": data["overall_rating"],
            "ratings": {
                s.pk: data[f"session_{s.pk}"] for s in self.sessions if data.get(f"session_{s.pk}") is not None
            },
            "most_useful": data["most_useful"].pk if data.get("most_useful") else None,
            "comments": data.get("comments", ""),
            "topics_wanted": data.get("topics_wanted", ""),
        }


# --- Seats, nominations, attendance, expert links (decision 0040) --------------------------------------------------

_SELECT = forms.Select(attrs=_TEXT)


class SeatsForm(forms.Form):
    """One number per participating agency and mode; built for the agencies of the directory."""

    def __init__(self, *args, agencies, current: dict, **kwargs):
        super().__init__(*args, **kwargs)
        from lintas.programmes.choices import ParticipationMode

        self.rows = []
        for agency in agencies:
            names = []
            for mode, label in ParticipationMode.choices:
                name = f"{agency.code}__{mode}"
                self.fields[name] = forms.IntegerField(
                    label=f"{agency.short_name}: {label}",
                    required=False,
                    min_value=0,
                    initial=current.get((agency.pk, mode), 0),
                    widget=forms.NumberInput(attrs={**_TEXT, "min": 0, "inputmode": "numeric"}),
                )
                names.append(self[name])
            self.rows.append((agency, names))
        self.agencies = {agency.code: agency for agency in agencies}

    def allocations(self) -> list[tuple]:
        out = []
        for name, value in self.cleaned_data.items():
            code, mode = name.split("__", 1)
            out.append((self.agencies[code], mode, value or 0))
        return out


class NominationForm(forms.Form):
    """An officer of the admin's own agency: a Lintas user, or a person without an account."""

    user = forms.ModelChoiceField(
        label=_("Lintas user"),
        queryset=None,
        required=False,
        empty_label=_("— someone without an account (fill in below) —"),
        widget=_SELECT,
    )
    mode = forms.ChoiceField(label=_("Mode"), widget=_SELECT)
    name = forms.CharField(label=_("Name"), required=False, widget=forms.TextInput(attrs=_TEXT))
    rank = forms.CharField(label=_("Rank"), required=False, widget=forms.TextInput(attrs=_TEXT))
    unit = forms.CharField(label=_("Unit"), required=False, widget=forms.TextInput(attrs=_TEXT))
    email = forms.CharField(label=_("E-mail"), required=False, widget=forms.EmailInput(attrs=_TEXT))
    language = forms.ChoiceField(label=_("Language"), required=False, widget=_SELECT)

    def __init__(self, *args, users, **kwargs):
        from django.conf import settings

        from lintas.programmes.choices import ParticipationMode

        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = users
        self.fields["mode"].choices = ParticipationMode.choices
        self.fields["language"].choices = [("", "—"), *settings.LANGUAGES]

    def service_fields(self) -> dict:
        return dict(self.cleaned_data)


class DecisionForm(forms.Form):
    """Several nominations of one edition at once: confirm, wait-list or decline."""

    nominations = forms.ModelMultipleChoiceField(queryset=None, widget=forms.CheckboxSelectMultiple)
    decision = forms.ChoiceField(
        choices=[("confirmed", _("Confirm")), ("wait_listed", _("Wait-list")), ("declined", _("Decline"))]
    )

    def __init__(self, *args, nominations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["nominations"].queryset = nominations


class AttendanceImportForm(forms.Form):
    file = forms.FileField(
        label=_("Attendance export (CSV)"),
        help_text=_("Zoom, Teams or Webex participants export; e-mail addresses identify the participants."),
        widget=forms.ClearableFileInput(attrs={**_TEXT, "accept": ".csv,.txt,text/csv"}),
    )
    session = forms.ModelChoiceField(
        label=_("Session"),
        queryset=None,
        required=False,
        empty_label=_("— by the join and leave times —"),
        widget=_SELECT,
    )
    time_zone = forms.CharField(
        label=_("Time zone of the export's times"), required=False, widget=forms.TextInput(attrs=_TEXT)
    )

    def __init__(self, *args, sessions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["session"].queryset = sessions


class ExpertLinkForm(forms.Form):
    expert = forms.ModelChoiceField(label=_("Expert"), queryset=None, widget=_SELECT)
    days = forms.IntegerField(
        label=_("Valid for (days)"), initial=30, min_value=1, max_value=180, widget=forms.NumberInput(attrs=_TEXT)
    )

    def __init__(self, *args, experts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["expert"].queryset = experts

"""Tracking forms. They check what a user typed; writes stay in ``actions.py``.

Texts kept in several languages (titles, descriptions) are one field per language;
``translated(form, "title")`` turns them back into the ``{language: text}`` value the
models store. Every editing form carries the ``version`` it started from, so that
``actions.ConcurrentEditError`` can refuse a stale save instead of overwriting.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any, cast

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext, ngettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from qadam.indicators.models import Indicator
from qadam.taxonomy.models import Institution
from qadam.tracking.actions import evidence_limit, validate_evidence
from qadam.tracking.models import Action, OutcomeType, Plan, ProgressUpdate, Status

LANGUAGES = ("kk", "ru", "en")
MAX_FILES = 10


class DateInput(forms.DateInput):
    """The browser's own date picker; the value travels as YYYY-MM-DD in every language."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


def _date_field(label: Any, required: bool = False, help_text: Any = "") -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        widget=DateInput(),
        help_text=help_text,
        input_formats=["%Y-%m-%d", "%d.%m.%Y"],
    )


def _money_field(label: Any, help_text: Any = "") -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=False,
        min_value=Decimal(0),
        max_digits=16,
        decimal_places=2,
        help_text=help_text,
    )


def translated(form: forms.Form, name: str) -> dict[str, str]:
    """``{language: text}`` from the ``<name>_<language>`` fields, empty ones left out."""
    out = {}
    for code in LANGUAGES:
        text = (form.cleaned_data.get(f"{name}_{code}") or "").strip()
        if text:
            out[code] = text
    return out


def translated_initial(name: str, values: dict[str, str] | None) -> dict[str, str]:
    return {f"{name}_{code}": (values or {}).get(code, "") for code in LANGUAGES}


def _title_fields() -> dict[str, forms.Field]:
    # Whole labels per language: translators need the sentence, not a pattern.
    return {
        "title_kk": forms.CharField(label=_("Title in Kazakh"), required=False, max_length=1000),
        "title_ru": forms.CharField(label=_("Title in Russian"), required=False, max_length=1000),
        "title_en": forms.CharField(label=_("Title in English"), required=False, max_length=1000),
    }


def _description_fields() -> dict[str, forms.Field]:
    area = forms.Textarea(attrs={"rows": 4})
    return {
        "description_kk": forms.CharField(
            label=_("Description in Kazakh"), required=False, widget=area
        ),
        "description_ru": forms.CharField(
            label=_("Description in Russian"), required=False, widget=area
        ),
        "description_en": forms.CharField(
            label=_("Description in English"), required=False, widget=area
        ),
    }


class TitledForm(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Title fields first, in the order a reader in Kazakhstan expects.
        titles = _title_fields()
        self.fields = {**titles, **self.fields}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not translated(self, "title"):
            # Added, not raised: the subclass's own checks still run and report too.
            self.add_error(None, gettext("Give the title in at least one language."))
        return data


# -- plans ---------------------------------------------------------------------------


class PlanForm(TitledForm):
    kind = forms.ChoiceField(label=_("Kind of plan"), choices=Plan.Kind.choices)
    adopted_by = forms.CharField(
        label=_("Adopted by"),
        required=False,
        max_length=300,
        help_text=_("The decree or decision, e.g. Decree No. 258 of 28 April 2022."),
    )
    adopted_on = _date_field(_("Adopted on"))
    period_start = _date_field(_("Period from"))
    period_end = _date_field(_("Period to"))
    is_demo = forms.BooleanField(
        label=_("This is a demo plan"),
        required=False,
        help_text=_("Demo plans are marked as such wherever they are shown."),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("period_start"), data.get("period_end")
        if start and end and start > end:
            self.add_error("period_end", gettext("The period cannot end before it starts."))
        return data

    def plan_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "title": translated(self, "title"),
            "kind": data["kind"],
            "adopted_by": data["adopted_by"],
            "adopted_on": data["adopted_on"],
            "period_start": data["period_start"],
            "period_end": data["period_end"],
            "is_demo": data["is_demo"],
        }

    @classmethod
    def initial_for(cls, plan: Plan) -> dict[str, Any]:
        return {
            **translated_initial("title", plan.title),
            "kind": plan.kind,
            "adopted_by": plan.adopted_by,
            "adopted_on": plan.adopted_on,
            "period_start": plan.period_start,
            "period_end": plan.period_end,
            "is_demo": plan.is_demo,
        }


# -- actions ---------------------------------------------------------------------------


def _institutions() -> Any:
    return Institution.objects.filter(active=True).order_by("code")


class InstitutionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.code} — {obj.display_name()}"


class ActionForm(TitledForm):
    """Everything the secretariat sets on an action; co-executors come in ``co_formset``."""

    number = forms.CharField(label=_("Number in the plan"), required=False, max_length=20)
    outcome_type = forms.ModelChoiceField(
        label=pgettext_lazy("plan action", "Outcome"),
        required=False,
        queryset=OutcomeType.objects.all(),
        empty_label=_("Not stated"),
    )
    timeframe_text = forms.CharField(
        label=_("Timeframe as written in the plan"),
        required=False,
        max_length=200,
        help_text=_("Kept as written, e.g. “By the end of 2023”."),
    )
    deadline_start = _date_field(
        _("Deadline period from"),
        help_text=_("For a period such as “2023”, its first day; leave empty for a single date."),
    )
    deadline = _date_field(
        _("Deadline"), help_text=_("The exact date, or the last day of the period.")
    )
    status = forms.ChoiceField(label=_("Status"), choices=Status.choices)
    budget_planned = _money_field(_("Planned budget"))
    budget_spent = _money_field(_("Money spent"))
    budget_currency = forms.CharField(
        label=_("Currency"),
        max_length=10,
        initial="KZT",
        help_text=_("Three-letter ISO code, e.g. KZT or USD."),
    )
    budget_source = forms.CharField(label=_("Source of funds"), required=False, max_length=200)
    lead = InstitutionChoiceField(
        label=_("Lead institution"),
        required=False,
        queryset=_institutions(),
        empty_label=_("Not known yet"),
    )
    lead_as_agreed = forms.BooleanField(
        label=_("The lead institution takes part as agreed"), required=False
    )
    indicators = forms.CharField(
        label=_("Indicators the action should move"),
        required=False,
        max_length=500,
        help_text=_("Indicator codes separated by commas, e.g. 3-2-1, kz-life-expectancy."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        descriptions = _description_fields()
        ordered = {}
        for name, fld in self.fields.items():
            ordered[name] = fld
            if name == "title_en":
                ordered.update(descriptions)
        self.fields = ordered
        # A fresh queryset per form: institutions added since start-up appear.
        cast(forms.ModelChoiceField, self.fields["lead"]).queryset = _institutions()

    def clean_indicators(self) -> list[Indicator]:
        codes = [c.strip() for c in self.cleaned_data["indicators"].split(",") if c.strip()]
        found = {i.code: i for i in Indicator.objects.filter(code__in=codes)}
        unknown = [c for c in codes if c not in found]
        if unknown:
            raise ValidationError(
                gettext("No imported indicator has the code %(codes)s.")
                % {"codes": ", ".join(unknown)}
            )
        return [found[c] for c in dict.fromkeys(codes)]

    def clean_budget_currency(self) -> str:
        code = self.cleaned_data["budget_currency"].strip().upper()
        if not re.fullmatch(r"[A-Z]{3}", code):
            raise ValidationError(gettext("Give the currency as three letters, e.g. KZT."))
        return code

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("deadline_start"), data.get("deadline")
        if start and not end:
            self.add_error("deadline", gettext("A period needs its last day as the deadline."))
        elif start and end and start > end:
            self.add_error("deadline", gettext("The deadline cannot be before the period starts."))
        elif end and not start:
            data["deadline_start"] = end  # an exact date is a one-day period
        return data

    def action_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        names = (
            "number",
            "outcome_type",
            "timeframe_text",
            "deadline_start",
            "deadline",
            "status",
            "budget_planned",
            "budget_spent",
            "budget_currency",
            "budget_source",
        )
        return {
            "title": translated(self, "title"),
            "description": translated(self, "description"),
            **{name: data[name] for name in names},
        }

    @classmethod
    def initial_for(cls, action: Action) -> dict[str, Any]:
        lead = next((a for a in action.assignments.all() if a.role == "lead"), None)
        return {
            **translated_initial("title", action.title),
            **translated_initial("description", action.description),
            "number": action.number,
            "outcome_type": action.outcome_type_id,
            "timeframe_text": action.timeframe_text,
            "deadline_start": action.deadline_start,
            "deadline": action.deadline,
            "status": action.status,
            "budget_planned": action.budget_planned,
            "budget_spent": action.budget_spent,
            "budget_currency": action.budget_currency,
            "budget_source": action.budget_source,
            "lead": lead.institution_id if lead else None,
            "lead_as_agreed": lead.as_agreed if lead else False,
            "indicators": ", ".join(i.code for i in action.indicators.all()),
            "version": action.version,
        }


class CoExecutorForm(forms.Form):
    institution = InstitutionChoiceField(
        label=_("Institution"),
        required=False,
        queryset=_institutions(),
        empty_label=_("None"),
    )
    as_agreed = forms.BooleanField(label=_("Takes part as agreed"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["institution"]).queryset = _institutions()


class BaseCoFormSet(forms.BaseFormSet):
    lead: Institution | None = None

    def clean(self) -> None:
        super().clean()
        seen = {self.lead.pk} if self.lead else set()
        for form in self.forms:
            inst = form.cleaned_data.get("institution") if hasattr(form, "cleaned_data") else None
            if inst is None:
                continue
            if inst.pk in seen:
                raise ValidationError(
                    gettext("%(code)s is listed twice; name each institution once.")
                    % {"code": inst.code}
                )
            seen.add(inst.pk)

    def assignments(self, lead: Institution | None, lead_as_agreed: bool) -> list[Any]:
        rows: list[tuple[Institution, str, bool]] = []
        if lead:
            rows.append((lead, "lead", lead_as_agreed))
        for form in self.forms:
            inst = form.cleaned_data.get("institution")
            if inst is not None:
                rows.append((inst, "co", bool(form.cleaned_data.get("as_agreed"))))
        return rows


_CoFormSet = forms.formset_factory(CoExecutorForm, formset=BaseCoFormSet, extra=3, max_num=30)


def co_formset(data: Any = None, initial: list[dict[str, Any]] | None = None) -> BaseCoFormSet:
    """Co-executors: their rows and three empty ones (a page without JavaScript adds no rows)."""
    return cast(BaseCoFormSet, _CoFormSet(data, prefix="co", initial=initial))


def co_initial(action: Action) -> list[dict[str, Any]]:
    return [
        {"institution": a.institution_id, "as_agreed": a.as_agreed}
        for a in action.assignments.all()
        if a.role == "co"
    ]


class ReportForm(forms.Form):
    """What a focal point keeps current on their institution's action."""

    budget_spent = _money_field(_("Money spent"))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields = {**_description_fields(), **self.fields}

    def report_fields(self) -> dict[str, Any]:
        return {
            "description": translated(self, "description"),
            "budget_spent": self.cleaned_data["budget_spent"],
        }

    @classmethod
    def initial_for(cls, action: Action) -> dict[str, Any]:
        return {
            **translated_initial("description", action.description),
            "budget_spent": action.budget_spent,
            "version": action.version,
        }


# -- linking recommendations -------------------------------------------------------------


class IdListField(forms.Field):
    """Repeated ``name=<id>`` parameters (ticked checkboxes) as a list of ints."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value: Any) -> list[int]:
        values = value if isinstance(value, list | tuple) else ([value] if value else [])
        out = []
        for v in values:
            if not str(v).isdigit():
                raise ValidationError(gettext("The selection was not understood."))
            out.append(int(v))
        return out[:500]


class LinkForm(forms.Form):
    add = IdListField(required=False)
    remove = IdListField(required=False)
    add_cluster = IdListField(required=False)
    remove_cluster = IdListField(required=False)


# -- progress updates ----------------------------------------------------------------


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


def _status_choices() -> list[tuple[str, Any]]:
    return [("", _("No change proposed")), *Status.choices]


class UpdateForm(forms.Form):
    as_of = _date_field(_("Progress as of"), required=True)
    text = forms.CharField(
        label=_("What was done"), widget=forms.Textarea(attrs={"rows": 8}), max_length=20000
    )
    language = forms.ChoiceField(label=_("Language of the text"), choices=settings.LANGUAGES)
    proposed_status = forms.ChoiceField(
        label=_("Proposed status of the action"), required=False, choices=_status_choices
    )
    spent = _money_field(_("Money spent to date"))
    evidence_files = MultipleFileField(label=_("Evidence files"), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["evidence_files"].help_text = gettext(
            "PDF, Word, Excel, OpenDocument, PNG, JPEG or text files, at most %(size)s each. "
            "The type is checked from the contents, not the name."
        ) % {"size": filesizeformat(evidence_limit())}
        language = cast(forms.ChoiceField, self.fields["language"])
        language.choices = [(c, str(n)) for c, n in settings.LANGUAGES]
        if not self.is_bound and "as_of" not in self.initial:
            self.initial["as_of"] = timezone.localdate()

    def clean_as_of(self) -> date:
        as_of: date = self.cleaned_data["as_of"]
        if as_of > timezone.localdate():
            raise ValidationError(gettext("Progress cannot be reported for a future date."))
        return as_of

    def clean_evidence_files(self) -> list[tuple[str, bytes]]:
        """Every file checked before any is stored: one bad file refuses the whole batch."""
        uploads: list[UploadedFile] = self.cleaned_data.get("evidence_files") or []
        if len(uploads) > MAX_FILES:
            raise ValidationError(
                ngettext(
                    "Attach at most %(count)d file at a time.",
                    "Attach at most %(count)d files at a time.",
                    MAX_FILES,
                )
                % {"count": MAX_FILES}
            )
        limit = evidence_limit()
        out, errors = [], []
        for upload in uploads:
            name = upload.name or "evidence"
            if (upload.size or 0) > limit:
                # Refused on the declared size: never read a huge file into memory.
                errors.append(
                    gettext("%(file)s is %(size)s; evidence files may be at most %(limit)s.")
                    % {
                        "file": name,
                        "size": filesizeformat(upload.size or 0),
                        "limit": filesizeformat(limit),
                    }
                )
                continue
            data = upload.read()
            try:
                validate_evidence(data, name)
            except ValidationError as exc:
                errors.extend(exc.messages)
                continue
            out.append((name, data))
        if errors:
            raise ValidationError(errors)
        return out

    def update_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "as_of": data["as_of"],
            "text": data["text"],
            "language": data["language"],
            "proposed_status": data["proposed_status"],
            "spent": data["spent"],
        }

    @classmethod
    def initial_for(cls, update: ProgressUpdate) -> dict[str, Any]:
        return {
            "as_of": update.as_of,
            "text": update.text,
            "language": update.language,
            "proposed_status": update.proposed_status,
            "spent": update.spent,
            "version": update.version,
        }


class TransitionForm(forms.Form):
    STEPS = ("submitted", "validated", "returned", "published")

    to = forms.ChoiceField(choices=[(s, s) for s in STEPS])
    comment = forms.CharField(
        label=_("Comment for the institution"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("to") == "returned" and not (data.get("comment") or "").strip():
            self.add_error(
                "comment", gettext("Say why the update is returned, so the institution can fix it.")
            )
        return data


# -- assessments ------------------------------------------------------------------------


class OverrideForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Assessed status"),
        required=False,
        choices=lambda: [("", _("Use the status derived from the actions")), *Status.choices],
    )
    reason = forms.CharField(
        label=_("Reason for the override"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when you set a status: it is shown beside the assessment."),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("status") and not (data.get("reason") or "").strip():
            self.add_error("reason", gettext("Give the reason for overriding the derived status."))
        return data

"""The labelling pages' forms: filters, free-text classification, runs, overlap decisions."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from qadam.registry.models import SourceDocument


def max_text_chars() -> int:
    return int(settings.QADAM_MAX_LABEL_CHARS) * 5


class SuggestionFilterForm(forms.Form):
    """The review queue's filters: a GET form, so a filtered queue can be bookmarked."""

    taxonomy = forms.ChoiceField(label=_("Taxonomy"), required=False)
    term = forms.CharField(label=_("Term code"), required=False, max_length=100)
    model = forms.ChoiceField(label=_("Model version"), required=False)
    min_score = forms.IntegerField(
        label=_("Minimum score (%)"), required=False, min_value=0, max_value=100
    )

    def __init__(
        self,
        *args: Any,
        taxonomies: list[tuple[str, str]] = (),  # type: ignore[assignment]
        models: list[str] = (),  # type: ignore[assignment]
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        everything = [("", _("All"))]
        self.fields["taxonomy"].choices = [*everything, *taxonomies]  # type: ignore[attr-defined]
        self.fields["model"].choices = [  # type: ignore[attr-defined]
            *everything,
            *((m, m) for m in models),
        ]


class ClassifyForm(forms.Form):
    text = forms.CharField(
        label=_("Text to label"),
        widget=forms.Textarea(attrs={"rows": 10, "cols": 80}),
        help_text=_("A paragraph of a report, a plan or a submission."),
    )
    lang = forms.ChoiceField(
        label=_("Language of the text"),
        required=False,
        choices=[
            ("", _("Recognise it")),
            ("kk", _("Kazakh")),
            ("ru", _("Russian")),
            ("en", _("English")),
        ],
    )

    def clean_text(self) -> str:
        text = str(self.cleaned_data["text"])
        limit = max_text_chars()
        if len(text) > limit:
            raise forms.ValidationError(
                _(
                    "The text is too long (characters: %(length)d, at most %(limit)d). "
                    "Shorten it or split it into parts."
                ),
                code="too_long",
                params={"length": len(text), "limit": limit},
            )
        return text


class RunForm(forms.Form):
    scope = forms.ChoiceField(
        label=_("Which recommendations"),
        choices=[("all", _("All recommendations")), ("document", _("One source document"))],
        widget=forms.RadioSelect,
        initial="all",
    )
    document = forms.ModelChoiceField(
        label=_("Source document"),
        queryset=SourceDocument.objects.none(),
        required=False,
    )

    def __init__(self, *args: Any, documents: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if documents is not None:
            self.fields["document"].queryset = documents  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("scope") == "document" and not data.get("document"):
            self.add_error("document", _("Choose the source document."))
        return data

    def run_scope(self) -> dict[str, Any]:
        if self.cleaned_data["scope"] == "document":
            return {"document": self.cleaned_data["document"].pk}
        return {}


class OverlapDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("confirm", "confirm"), ("reject", "reject"), ("split", "split")]
    )
    keep = forms.TypedMultipleChoiceField(coerce=int, required=False)

    def __init__(self, *args: Any, members: list[int] = (), **kwargs: Any) -> None:  # type: ignore[assignment]
        super().__init__(*args, **kwargs)
        self.fields["keep"].choices = [(pk, str(pk)) for pk in members]  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("decision") == "split" and len(data.get("keep") or []) < 2:
            raise forms.ValidationError(
                _("To split a group, check at least two recommendations to keep together.")
            )
        return data


def ids_from(values: list[str]) -> list[int]:
    """Integer ids from a form's repeated field, ignoring anything else."""
    return [int(v) for v in values if v.isdigit()][:1000]

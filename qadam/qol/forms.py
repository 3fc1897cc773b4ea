"""Forms of the quality-of-life pages: the standard editor and "what if"."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from qadam.lib import qol as engine
from qadam.lib.i18n import pick

MAX_UPLOAD = 512 * 1024


class StandardForm(forms.Form):
    text = forms.CharField(
        label=_("The standard, in YAML"),
        widget=forms.Textarea(attrs={"rows": 30, "spellcheck": "false"}),
        required=False,
    )
    file = forms.FileField(
        label=_("Or upload a YAML file"),
        required=False,
        help_text=_("A file replaces the text above."),
    )
    note = forms.CharField(label=_("What changed, and why"), max_length=500)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        upload = data.get("file")
        if upload is not None:
            if upload.size > MAX_UPLOAD:
                self.add_error("file", _("The file is larger than 512 KB."))
            else:
                try:
                    data["text"] = upload.read().decode("utf-8")
                except UnicodeDecodeError:
                    self.add_error("file", _("The file is not UTF-8 text."))
        if not data.get("text") and not self.errors:
            self.add_error("text", _("Paste the standard or upload a file."))
        return data

    def document_text(self) -> str:
        return str(self.cleaned_data["text"])


class WhatIfForm(forms.Form):
    """One weight per component, one threshold per indicator, and the aggregation.

    A GET form, so a "what if" can be shared as a link; nothing is saved."""

    aggregation = forms.ChoiceField(
        label=_("Aggregation across components"),
        choices=[("geometric", _("Geometric mean")), ("arithmetic", _("Arithmetic mean"))],
    )

    def __init__(self, *args: Any, spec: engine.Standard, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.spec = spec
        self.fields["aggregation"].initial = spec.across_components
        lang = get_language() or "en"
        for component in spec.components:
            name = pick(dict(component.name), lang).text
            self.fields[f"w_{component.code}"] = forms.FloatField(
                label=name, min_value=0, initial=component.weight, required=False
            )
            for indicator in component.indicators:
                self.fields[f"t_{indicator.code}"] = forms.FloatField(
                    label=pick(dict(indicator.name), lang).text,
                    initial=indicator.threshold,
                    required=False,
                )

    def weight_fields(self) -> list[forms.BoundField]:
        return [self[f"w_{c.code}"] for c in self.spec.components]

    def threshold_fields(self) -> list[forms.BoundField]:
        return [self[f"t_{i.code}"] for i in self.spec.indicators]

    def changed_standard(self) -> engine.Standard:
        data = self.cleaned_data
        weights = {
            c.code: data[f"w_{c.code}"]
            for c in self.spec.components
            if data.get(f"w_{c.code}") is not None
        }
        thresholds: dict[str, float | None] = {
            i.code: data[f"t_{i.code}"]
            for i in self.spec.indicators
            if data.get(f"t_{i.code}") is not None
        }
        return engine.what_if(
            self.spec,
            weights=weights,
            thresholds=thresholds,
            aggregation=data.get("aggregation") or None,
        )

"""Forms of the indicator pages: an import, and a link to a recommendation."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from qadam.indicators.actions import default_origin
from qadam.indicators.models import Dataset


class ImportForm(forms.Form):
    """Import from the data folder or from a URL.

    Arbitrary server folders are for the command line only: a web form that reads any
    path would let a stolen admin session read the server's files."""

    kind = forms.ChoiceField(label=_("What to import"), choices=Dataset.Kind.choices)
    url = forms.URLField(
        label=_("From a URL"),
        required=False,
        assume_scheme="https",
        help_text=_(
            "The address of an Open SDG data repository, e.g. "
            "https://example.org/sdg-data/. Empty: the copy in Qadam's data folder."
        ),
    )
    force = forms.BooleanField(label=_("Import again even if nothing changed"), required=False)

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if data.get("url") and data.get("kind") != Dataset.Kind.OPENSDG:
            self.add_error("url", _("Only Open SDG repositories can be imported from a URL."))
        return data

    def origin(self) -> str:
        return str(self.cleaned_data["url"] or default_origin(self.cleaned_data["kind"]))


class LinkForm(forms.Form):
    recommendation = forms.IntegerField(
        label=_("Recommendation ID"),
        min_value=1,
        help_text=_("The number at the end of the recommendation's address."),
    )
    note = forms.CharField(label=_("Why (optional)"), max_length=500, required=False)

"""Registry forms. They check what a user typed; writes stay in actions."""

from __future__ import annotations

import re
from pathlib import PurePath
from typing import Any, cast

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from qadam.registry.importing import KINDS

_SESSION_SPLIT = re.compile(r"[\s,;]+")


def max_import_bytes() -> int:
    return int(settings.QADAM_MAX_IMPORT_BYTES)


class ImportForm(forms.Form):
    """Kind, file and options of a web import; ``options()`` gives what the run stores."""

    kind = forms.ChoiceField(label=_("What kind of file is it?"), widget=forms.RadioSelect)
    file = forms.FileField(label=_("File"), max_length=200)
    state = forms.CharField(
        label=_("Only recommendations to this State"),
        required=False,
        max_length=100,
        help_text=_(
            "UPR Info exports only. The State under review as UPR Info spells it, "
            "e.g. Kazakhstan. Leave empty for every State."
        ),
    )
    sessions = forms.CharField(
        label=_("Only these UPR sessions"),
        required=False,
        max_length=200,
        help_text=_(
            "UPR Info exports only. Session numbers separated by commas, e.g. 7, 20. "
            "Leave empty for every session."
        ),
    )
    skip_invalid = forms.BooleanField(
        label=_("Import the valid rows even if some rows are rejected"),
        required=False,
        help_text=_(
            "Without this, one rejected row stops the whole import and nothing is written."
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        kind = cast(forms.ChoiceField, self.fields["kind"])
        kind.choices = [(k.code, k.label) for k in KINDS.values()]
        self.fields["file"].help_text = _("At most %(size)s.") % {
            "size": filesizeformat(max_import_bytes())
        }

    def clean_file(self) -> UploadedFile:
        upload: UploadedFile = self.cleaned_data["file"]
        limit = max_import_bytes()
        if upload.size is not None and upload.size > limit:
            raise forms.ValidationError(
                gettext("%(name)s is %(size)s; the largest file accepted is %(limit)s.")
                % {
                    "name": upload.name,
                    "size": filesizeformat(upload.size),
                    "limit": filesizeformat(limit),
                },
                code="too_large",
            )
        if not upload.size:
            raise forms.ValidationError(
                gettext("%(name)s is empty.") % {"name": upload.name}, code="empty"
            )
        return upload

    def clean_sessions(self) -> list[str]:
        raw = self.cleaned_data.get("sessions", "")
        numbers = [s for s in _SESSION_SPLIT.split(raw.strip()) if s]
        bad = [s for s in numbers if not s.isdigit()]
        if bad:
            raise forms.ValidationError(
                gettext("%(value)s is not a session number.") % {"value": bad[0]},
                code="invalid",
            )
        return sorted(set(numbers), key=int)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        kind, upload = cleaned.get("kind"), cleaned.get("file")
        if kind in KINDS and upload is not None:
            self._check_extension(kind, upload)
        if kind != "upr-info" and (cleaned.get("state") or cleaned.get("sessions")):
            self.add_error(
                "state" if cleaned.get("state") else "sessions",
                gettext("State and session filters apply to UPR Info exports only."),
            )
        return cleaned

    def _check_extension(self, kind: str, upload: UploadedFile) -> None:
        allowed = KINDS[kind].extensions
        suffix = PurePath(upload.name or "").suffix.lower()
        if suffix not in allowed:
            self.add_error(
                "file",
                gettext(
                    "%(name)s does not look like a %(kind)s file: expected a file ending in "
                    "%(allowed)s."
                )
                % {"name": upload.name, "kind": KINDS[kind].label, "allowed": ", ".join(allowed)},
            )

    def options(self) -> dict[str, Any]:
        """The run's stored options (JSON): parser filters and skip_invalid."""
        data = self.cleaned_data
        options: dict[str, Any] = {"skip_invalid": bool(data.get("skip_invalid"))}
        if data.get("state"):
            options["state"] = data["state"].strip()
        if data.get("sessions"):
            options["sessions"] = data["sessions"]
        return options

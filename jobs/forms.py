"""The upload form: one .zip or cables.csv, within the size limit, a zip with a safe directory."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile

from jobs.uploads import UploadError, check_zip, kind_of


class UploadForm(forms.Form):
    file = forms.FileField(
        label="Cables",
        required=False,  # said by clean_file, after the size limit (an oversized file arrives empty)
        help_text="A .zip of .txt cable files (folders inside are fine) or a Cablegate cables.csv.",
    )

    def __init__(self, *args: Any, too_large: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.too_large = too_large

    def clean_file(self) -> UploadedFile:
        if self.too_large:
            raise forms.ValidationError(self.too_large)
        upload: UploadedFile | None = self.cleaned_data["file"]
        if upload is None:
            raise forms.ValidationError("Choose a .zip or a cables.csv to upload.")
        try:
            if kind_of(upload.name or "") == ".zip":
                check_zip(upload)
                upload.seek(0)
        except UploadError as e:
            raise forms.ValidationError(str(e)) from None
        return upload

"""The designer's forms."""

from django import forms
from django.utils.translation import gettext_lazy as _

from design.ui.specfiles import ZIP_MAX_BYTES


class TenantCreateForm(forms.Form):
    name = forms.RegexField(
        label=_("Name"),
        regex=r"^[a-z][a-z0-9_]*$",
        max_length=40,
        help_text=_("Lower-case letters, digits and _; it becomes the URL /<name>/."),
        error_messages={
            "invalid": _("Use lower-case letters, digits and _, starting with a letter.")
        },
    )
    label = forms.CharField(label=_("Label"), max_length=255)


class SpecZipForm(forms.Form):
    archive = forms.FileField(label=_("Spec zip"))

    def clean_archive(self):
        archive = self.cleaned_data["archive"]
        if archive.size > ZIP_MAX_BYTES:
            raise forms.ValidationError(
                _("The zip is larger than %(n)d bytes.") % {"n": ZIP_MAX_BYTES}
            )
        return archive

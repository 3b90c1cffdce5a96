"""Admin form fields for code lists: an author types codes as they come (commas, spaces or new lines,
NDC with dashes); the form stores them in their standard form, or shows each code that is not valid."""

from django import forms

from factsheets.content import codes
from factsheets.models import Condition


class CodeListField(forms.CharField):
    def __init__(self, system: str, **kwargs):
        self.system = system
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", forms.TextInput(attrs={"size": 60}))
        super().__init__(**kwargs)

    def to_python(self, value):
        if isinstance(value, list):
            value = " ".join(value)
        return codes.parse_code_list(self.system, super().to_python(value))

    def prepare_value(self, value):
        if isinstance(value, list):
            return ", ".join(value)
        return value or ""


def code_field(model, name: str, system: str) -> CodeListField:
    """A form field for the model's code list `name`, with its label and help text."""
    field = model._meta.get_field(name)
    help_text = f"{field.help_text} Several codes: separate them with commas."
    return CodeListField(system, label=field.verbose_name[:1].upper() + field.verbose_name[1:], help_text=help_text)


class ConditionForm(forms.ModelForm):
    icd10cm = code_field(Condition, "icd10cm", codes.ICD10CM)
    snomedct = code_field(Condition, "snomedct", codes.SNOMEDCT)

    class Meta:
        model = Condition
        fields = ["name", "slug", "icd10cm", "snomedct"]

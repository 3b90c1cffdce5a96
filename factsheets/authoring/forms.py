"""Forms of the authoring screens: a new sheet with its first draft, a version's fields, its sections."""

from django import forms
from django.contrib import admin


from factsheets.content import limits
from factsheets.content import codes
from factsheets.authoring.codes import code_field
from factsheets.models import FactSheet, FactSheetRevision, Section

Status = FactSheetRevision.Status


class _FirstDraftRefused(Exception):
    """The service refused the first draft; carries the message for the author."""


class FastFactsField(forms.CharField):
    """The JSON list of fast facts, edited as a textarea with one fact per line (blank lines dropped).
    Its limits are the model's (`factsheets.content.limits`), checked by the model's validation."""

    widget = forms.Textarea(attrs={"rows": 6, "cols": 80})

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", "Fast facts")
        kwargs.setdefault(
            "help_text",
            f"One fact per line, in the order patients read them. Blank lines are ignored. "
            f"At most {limits.FAST_FACTS_MAX_ITEMS} facts of up to {limits.FAST_FACT_MAX_LENGTH} characters each.",
        )
        super().__init__(**kwargs)

    def to_python(self, value):
        if isinstance(value, (list, tuple)):
            return [str(item).strip() for item in value if str(item).strip()]
        lines = (value or "").splitlines()
        return [line.strip() for line in lines if line.strip()]

    def prepare_value(self, value):
        if isinstance(value, (list, tuple)):
            return "\n".join(str(item) for item in value)
        return value or ""


# A version's own fields, in the order the editor shows them (the sections are inline below).
REVISION_CONTENT_FIELDS = [
    "title",
    "generic_name",
    "brand_names",
    "conditions",
    "rxnorm",
    "atc",
    "ndc",
    "summary",
    "fast_facts",
    "credit_line",
    "change_note",
]


class RevisionForm(forms.ModelForm):
    fast_facts = FastFactsField()
    rxnorm = code_field(FactSheetRevision, "rxnorm", codes.RXNORM)
    atc = code_field(FactSheetRevision, "atc", codes.ATC)
    ndc = code_field(FactSheetRevision, "ndc", codes.NDC)

    class Meta:
        model = FactSheetRevision
        fields = [*REVISION_CONTENT_FIELDS, "publish_at"]


_revision_field = FactSheetRevision._meta.get_field
FIRST_DRAFT_FIELDS = ["title", "generic_name", "brand_names", "conditions", "summary", "fast_facts", "credit_line"]


class FactSheetAddForm(forms.ModelForm):
    """A new sheet (its permanent address) together with the content of its first draft (version 1)."""

    # The draft's own fields, checked by the revision model (the conditions are a relation, checked by the form).
    VALIDATED_FIELDS = [name for name in FIRST_DRAFT_FIELDS if name != "conditions"]
    title = _revision_field("title").formfield()
    generic_name = _revision_field("generic_name").formfield()
    brand_names = _revision_field("brand_names").formfield()
    conditions = _revision_field("conditions").formfield(
        widget=admin.widgets.FilteredSelectMultiple("conditions", is_stacked=False)
    )
    summary = _revision_field("summary").formfield()
    fast_facts = FastFactsField()
    credit_line = _revision_field("credit_line").formfield()

    class Meta:
        model = FactSheet
        fields = ["slug"]

    def clean(self):
        cleaned = super().clean()
        # The first draft's fields are checked by the revision model itself, as on every other path.
        draft = FactSheetRevision(**{name: cleaned.get(name) for name in self.VALIDATED_FIELDS if name in cleaned})
        excluded = [f.name for f in FactSheetRevision._meta.fields if f.name not in self.VALIDATED_FIELDS]
        try:
            draft.full_clean(exclude=excluded, validate_unique=False, validate_constraints=False)
        except forms.ValidationError as error:
            for name, messages in error.message_dict.items():
                if name in self.VALIDATED_FIELDS and name in self.cleaned_data:
                    self.add_error(name, messages)
                elif name not in self.VALIDATED_FIELDS:
                    self.add_error(None, messages)
        return cleaned


# Conditions ---------------------------------------------------------------------------------------


class SectionForm(forms.ModelForm):
    position = forms.IntegerField(
        required=False,
        min_value=0,
        help_text="Order on the page; lower comes first. Leave empty to put a new section at the end.",
    )

    class Meta:
        model = Section
        fields = ["position", "kind", "heading", "body"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is None:
            self.initial["position"] = None  # not the model's 0, which would put a new section first


class SectionFormSet(forms.BaseInlineFormSet):
    """The version's limits as a whole (number of sections, total length) over the sections as submitted."""

    def clean(self):
        super().clean()
        if any(form.errors for form in self.forms):
            return
        kept = [
            (form.cleaned_data.get("heading", ""), form.cleaned_data.get("body", ""))
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        try:
            self.instance.validate_version(sections=kept)
        except forms.ValidationError as error:
            raise forms.ValidationError(error.messages) from error

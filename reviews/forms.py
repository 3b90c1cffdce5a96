"""Forms of the workflow screens. They only collect input; the rules are checked by `reviews.services`."""

from django import forms

from .models import Committee, Decision


class CommitteeChoiceForm(forms.Form):
    committee = forms.ModelChoiceField(
        queryset=Committee.objects.order_by("name"), empty_label=None, help_text="The committee that signs this off."
    )
    reading_justification = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        required=False,
        max_length=5000,
        label="Reading-level justification",
        help_text="Required when this version reads above the committee's target grade: say why it cannot be simpler.",
    )


class SignForm(forms.Form):
    NONE = "none"
    DECLARE = "declare"

    verdict = forms.ChoiceField(widget=forms.RadioSelect, label="Your decision")
    comment = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5, "cols": 60}),
        required=False,
        max_length=10_000,
        help_text="Required when you request changes: say what needs to change.",
    )
    conflict = forms.ChoiceField(
        widget=forms.RadioSelect,
        label="Conflict of interest",
        choices=[(NONE, "I have no conflict of interest to declare"), (DECLARE, "I declare the following:")],
    )
    conflict_text = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2, "cols": 60}), required=False, max_length=5000, label="Declaration"
    )
    password = forms.CharField(
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        label="Your password",
        help_text="Re-enter your password to sign. This is your electronic signature.",
        strip=False,
    )

    def __init__(self, *args, reaffirmation: bool = False, needs_code: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if needs_code:
            self.fields["code"] = forms.CharField(
                label="Authenticator code",
                max_length=10,
                widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
                help_text="The six-digit code your authenticator app shows now. The committee requires it to sign.",
            )
        approve_meaning = Decision.REAFFIRM_MEANING if reaffirmation else Decision.MEANINGS[Decision.Verdict.APPROVE]
        self.fields["verdict"].choices = [
            (Decision.Verdict.APPROVE, f"Approve: “{approve_meaning}”"),
            (
                Decision.Verdict.REQUEST_CHANGES,
                f"Request changes: “{Decision.MEANINGS[Decision.Verdict.REQUEST_CHANGES]}”",
            ),
        ]

    def clean(self):
        data = super().clean()
        if data.get("conflict") == self.DECLARE and not (data.get("conflict_text") or "").strip():
            self.add_error("conflict_text", "Write your declaration, or choose “no conflict of interest”.")
        return data

    @property
    def conflict_of_interest(self) -> str:
        if self.cleaned_data.get("conflict") == self.DECLARE:
            return self.cleaned_data["conflict_text"].strip()
        return ""


class WithdrawSheetForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4, "cols": 60}),
        max_length=2000,
        required=False,
        help_text="Shown to patients on the withdrawn page, e.g. “This medicine is no longer sold.”",
    )

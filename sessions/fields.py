"""Form fields shared by the interview's forms and feedback's (a second opinion's)."""

from django import forms

# A NUL cannot be stored in PostgreSQL text; it usually arrives with pasted text.
NUL_IN = "{} contains a null character (\\0), which cannot be saved. Delete it and {}."


class TextareaField(forms.CharField):
    """Text typed in a <textarea>. Browsers send each line break as CRLF but count it as one
    character against `maxlength`, so line breaks become LF before the length is checked."""

    def to_python(self, value):
        return super().to_python(value).replace("\r\n", "\n").replace("\r", "\n")

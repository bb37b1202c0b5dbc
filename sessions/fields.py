"""Form fields shared by the interview's forms and feedback's (a second opinion's)."""

from questions.forms import TextareaField  # noqa: F401 (one textarea field, in the lower app)

# A NUL cannot be stored in PostgreSQL text; it usually arrives with pasted text.
NUL_IN = "{} contains a null character (\\0), which cannot be saved. Delete it and {}."

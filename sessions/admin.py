"""Admin pages of the interview app: each room registers its own (feedback/admin.py)."""

from sessions.feedback import admin as feedback_admin  # noqa: F401

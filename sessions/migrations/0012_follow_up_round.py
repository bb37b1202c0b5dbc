import django.db.models.deletion
import django.db.models.functions.text
import django.db.models.lookups
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("interview_sessions", "0011_item_transcript"),
    ]

    operations = [
        migrations.CreateModel(
            name="FollowUpAnswer",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "prompt",
                    models.TextField(blank=True, help_text="Chosen when the answer is graded."),
                ),
                ("key_point", models.CharField(blank=True, max_length=300)),
                (
                    "time_allowed",
                    models.PositiveIntegerField(
                        blank=True, help_text="Seconds; empty when untimed.", null=True
                    ),
                ),
                ("shown_at", models.DateTimeField(blank=True, null=True)),
                ("deadline", models.DateTimeField(blank=True, null=True)),
                ("draft", models.TextField(blank=True)),
                ("draft_saved_at", models.DateTimeField(blank=True, null=True)),
                ("answer_text", models.TextField(blank=True)),
                ("transcript", models.TextField(blank=True)),
                ("submitted_at", models.DateTimeField(blank=True, null=True)),
                (
                    "finish_state",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("on_time", "On time"),
                            ("late", "Late"),
                            ("timed_out", "Ran out of time"),
                            ("untimed", "Untimed"),
                        ],
                        max_length=10,
                    ),
                ),
                (
                    "time_used",
                    models.PositiveIntegerField(blank=True, help_text="Seconds.", null=True),
                ),
                (
                    "self_rating",
                    models.PositiveSmallIntegerField(
                        blank=True,
                        choices=[(1, "Missed it"), (2, "Partly"), (3, "Answered it well")],
                        null=True,
                    ),
                ),
                ("graded_at", models.DateTimeField(blank=True, null=True)),
            ],
            options={
                "ordering": ["interview", "item"],
            },
        ),
        migrations.AddField(
            model_name="interviewsession",
            name="follow_up_round",
            field=models.BooleanField(default=False),
        ),
        migrations.AddField(
            model_name="interviewsession",
            name="follow_up_seconds",
            field=models.PositiveIntegerField(blank=True, null=True),
        ),
        migrations.AddConstraint(
            model_name="interviewsession",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("follow_up_seconds__isnull", True),
                    models.Q(
                        ("follow_up_round", True),
                        ("follow_up_seconds__gte", 30),
                        ("follow_up_seconds__lte", 3600),
                    ),
                    _connector="OR",
                ),
                name="interview_follow_up_seconds_only_with_the_round",
            ),
        ),
        migrations.AddField(
            model_name="followupanswer",
            name="interview",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="follow_up_answers",
                to="interview_sessions.interviewsession",
            ),
        ),
        migrations.AddField(
            model_name="followupanswer",
            name="item",
            field=models.OneToOneField(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="follow_up",
                to="interview_sessions.sessionquestion",
            ),
        ),
        migrations.AddConstraint(
            model_name="followupanswer",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("self_rating__isnull", True),
                    models.Q(("self_rating__gte", 1), ("self_rating__lte", 3)),
                    _connector="OR",
                ),
                name="follow_up_rating_range",
            ),
        ),
        migrations.AddConstraint(
            model_name="followupanswer",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("self_rating__isnull", True), ("submitted_at__isnull", False), _connector="OR"
                ),
                name="follow_up_graded_only_when_answered",
            ),
        ),
        migrations.AddConstraint(
            model_name="followupanswer",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("shown_at__isnull", True),
                    models.Q(("prompt", ""), _negated=True),
                    _connector="OR",
                ),
                name="follow_up_shown_only_once_chosen",
            ),
        ),
        migrations.AddConstraint(
            model_name="followupanswer",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("finish_state__in", ["", "on_time", "late", "timed_out", "untimed"])
                ),
                name="follow_up_finish_state_valid",
            ),
        ),
        migrations.AddConstraint(
            model_name="followupanswer",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("submitted_at__isnull", True),
                    models.Q(("finish_state", ""), _negated=True),
                    _connector="OR",
                ),
                name="follow_up_finished_has_state",
            ),
        ),
        migrations.AddConstraint(
            model_name="followupanswer",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("deadline__isnull", True),
                    ("deadline__gte", models.F("shown_at")),
                    _connector="OR",
                ),
                name="follow_up_deadline_after_shown",
            ),
        ),
        migrations.AddConstraint(
            model_name="followupanswer",
            constraint=models.CheckConstraint(
                condition=django.db.models.lookups.LessThanOrEqual(
                    django.db.models.functions.text.Length("answer_text"), 20000
                ),
                name="follow_up_answer_length",
            ),
        ),
        migrations.AddConstraint(
            model_name="followupanswer",
            constraint=models.CheckConstraint(
                condition=django.db.models.lookups.LessThanOrEqual(
                    django.db.models.functions.text.Length("transcript"), 20000
                ),
                name="follow_up_transcript_length",
            ),
        ),
    ]

from django.db import migrations, models
import django.db.models.functions.text
import django.db.models.lookups


def forget_word_counts_of_typed_text(apps, schema_editor):
    """Word counts so far came from the answer's text, typed notes included: no pace can be
    told from them, so the dashboard leaves those recordings out of its pace."""
    apps.get_model("interview_sessions", "Recording").objects.update(word_count=None)


class Migration(migrations.Migration):
    dependencies = [
        ("interview_sessions", "0010_second_opinions"),
    ]

    operations = [
        migrations.AddField(
            model_name="sessionquestion",
            name="transcript",
            field=models.TextField(blank=True),
        ),
        migrations.AddConstraint(
            model_name="sessionquestion",
            constraint=models.CheckConstraint(
                condition=django.db.models.lookups.LessThanOrEqual(
                    django.db.models.functions.text.Length("transcript"), 20000
                ),
                name="item_transcript_length",
            ),
        ),
        migrations.RunPython(forget_word_counts_of_typed_text, migrations.RunPython.noop),
    ]

from django.db import migrations, models
from django.db.models import Count, OuterRef, Subquery


def count_the_chunks_kept(apps, schema_editor):
    Recording = apps.get_model("interview_sessions", "Recording")
    RecordingChunk = apps.get_model("interview_sessions", "RecordingChunk")
    kept = (
        RecordingChunk.objects.filter(recording=OuterRef("pk"))
        .values("recording")
        .annotate(count=Count("pk"))
        .values("count")
    )
    Recording.objects.filter(chunks__isnull=False).update(chunk_count=Subquery(kept))


class Migration(migrations.Migration):
    dependencies = [
        ("interview_sessions", "0008_recording_joins_and_zips_as_tasks"),
    ]

    operations = [
        migrations.AddField(
            model_name="recording",
            name="chunk_count",
            field=models.PositiveIntegerField(default=0, help_text="Chunks kept."),
        ),
        migrations.AddField(
            model_name="recording",
            name="join_started_at",
            field=models.DateTimeField(
                blank=True, help_text="When a join claimed the pieces (one at a time).", null=True
            ),
        ),
        migrations.RunPython(count_the_chunks_kept, migrations.RunPython.noop),
    ]

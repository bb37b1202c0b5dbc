"""Each card's key points also count how the detector's suggestions fared, filled here from
the answers already graded."""

from django.db import migrations, models
from django.db.models import Count, F, Q

BATCH = 2000


def count_agreement(apps, schema_editor):
    shown_key_point = apps.get_model("interview_sessions", "ShownKeyPoint")
    key_point_miss = apps.get_model("progress", "KeyPointMiss")
    rows = (
        shown_key_point.objects.filter(item__review__isnull=False)
        .values("item__review__card_id", "text")
        .annotate(
            shown=Count("pk"),
            missed=Count("pk", filter=Q(covered=False)),
            accepted=Count("pk", filter=Q(suggested=True, covered=True)),
            rejected=Count("pk", filter=Q(suggested=True, covered=False)),
            ticked_unsuggested=Count("pk", filter=Q(suggested=False, covered=True)),
            agreed=Count("pk", filter=Q(suggested=F("covered"))),
            decided=Count("pk", filter=Q(suggested__isnull=False)),
        )
        .order_by()
    )
    key_point_miss.objects.bulk_create(
        (
            key_point_miss(card_id=row.pop("item__review__card_id"), **row)
            for row in rows.iterator(chunk_size=BATCH)
        ),
        batch_size=BATCH,
        update_conflicts=True,
        unique_fields=["card", "text"],
        update_fields=[
            "shown", "missed", "accepted", "rejected", "ticked_unsuggested", "agreed", "decided"
        ],
    )


class Migration(migrations.Migration):

    dependencies = [
        ('progress', '0003_reminders_sent'),
        ('interview_sessions', '0006_finish_state_late_label'),
    ]

    operations = [
        migrations.AddField(
            model_name='keypointmiss',
            name='accepted',
            field=models.PositiveIntegerField(default=0, help_text='Suggested and ticked.'),
        ),
        migrations.AddField(
            model_name='keypointmiss',
            name='agreed',
            field=models.PositiveIntegerField(default=0, help_text='Ticked as suggested, or not.'),
        ),
        migrations.AddField(
            model_name='keypointmiss',
            name='decided',
            field=models.PositiveIntegerField(default=0, help_text='With a suggestion either way.'),
        ),
        migrations.AddField(
            model_name='keypointmiss',
            name='rejected',
            field=models.PositiveIntegerField(default=0, help_text='Suggested and left unticked.'),
        ),
        migrations.AddField(
            model_name='keypointmiss',
            name='ticked_unsuggested',
            field=models.PositiveIntegerField(default=0, help_text='Ticked without a suggestion.'),
        ),
        migrations.RunPython(count_agreement, migrations.RunPython.noop),
    ]

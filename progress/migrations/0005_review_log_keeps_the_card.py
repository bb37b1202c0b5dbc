"""Each review-log entry keeps the card as FSRS left it after the review, filled here by
replaying each card's log once, in batches of whole cards."""

from django.conf import settings
from django.db import migrations, models
from django.db.models import Count
from fsrs import Card, Rating, Scheduler

# Log entries read per batch (a card with more is read alone).
BATCH = 5000
AFTER_FIELDS = ["state_after", "step_after", "stability_after", "difficulty_after", "due_after"]


def _batches(counts):
    """Card ids in batches of at most BATCH entries (a bigger card alone)."""
    batch, size = [], 0
    for card_id, entries in counts:
        if batch and size + entries > BATCH:
            yield batch
            batch, size = [], 0
        batch.append(card_id)
        size += entries
    if batch:
        yield batch


def keep_the_card_after_each_review(apps, schema_editor):
    """As progress.scheduling replays a log: no fuzzing, by time and then by id."""
    review_card = apps.get_model("progress", "ReviewCard")
    review_log_entry = apps.get_model("progress", "ReviewLogEntry")
    scheduler = Scheduler(enable_fuzzing=False)
    connection, meta = schema_editor.connection, review_log_entry._meta
    quote = connection.ops.quote_name
    columns = ", ".join(f"{quote(meta.get_field(name).column)} = %s" for name in AFTER_FIELDS)
    update = f"UPDATE {quote(meta.db_table)} SET {columns} WHERE {quote(meta.pk.column)} = %s"
    counts = (
        review_card.objects.annotate(entries=Count("log"))
        .filter(entries__gt=0)
        .order_by("pk")
        .values_list("pk", "entries")
    )
    for card_ids in _batches(list(counts)):
        entries = review_log_entry.objects.filter(card_id__in=card_ids).order_by(
            "card_id", "review_datetime", "pk"
        )
        filled, card = [], None
        for pk, card_id, rating, reviewed in entries.values_list(
            "pk", "card_id", "rating", "review_datetime"
        ):
            if card is None or card.card_id != card_id:
                card = Card(card_id=card_id, due=reviewed)
            card, _ = scheduler.review_card(card, Rating(rating), reviewed)
            due = connection.ops.adapt_datetimefield_value(card.due)
            filled.append([card.state.value, card.step, card.stability, card.difficulty, due, pk])
        # One UPDATE per entry, sent as one batch: bulk_update's CASE per column costs about
        # a hundred times as much to build.
        with connection.cursor() as cursor:
            cursor.executemany(update, filled)


class Migration(migrations.Migration):

    dependencies = [
        ('interview_sessions', '0013_item_keeps_its_snapshot_when_the_question_goes'),
        ('progress', '0004_key_point_agreement'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='reviewlogentry',
            name='difficulty_after',
            field=models.FloatField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='reviewlogentry',
            name='due_after',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='reviewlogentry',
            name='stability_after',
            field=models.FloatField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='reviewlogentry',
            name='state_after',
            field=models.PositiveSmallIntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='reviewlogentry',
            name='step_after',
            field=models.PositiveSmallIntegerField(blank=True, null=True),
        ),
        migrations.AddConstraint(
            model_name='reviewlogentry',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('difficulty_after__isnull', True), ('due_after__isnull', True), ('stability_after__isnull', True), ('state_after__isnull', True), ('step_after__isnull', True)), models.Q(('difficulty_after__gte', 1), ('difficulty_after__lte', 10), ('due_after__gt', models.F('review_datetime')), ('stability_after__gt', 0), ('state_after__in', [1, 3]), ('step_after__isnull', False)), models.Q(('difficulty_after__gte', 1), ('difficulty_after__lte', 10), ('due_after__gt', models.F('review_datetime')), ('stability_after__gt', 0), ('state_after', 2), ('step_after__isnull', True)), _connector='OR'), name='log_card_after_is_an_fsrs_state_or_unknown'),
        ),
        migrations.RunPython(keep_the_card_after_each_review, migrations.RunPython.noop),
    ]

"""Decks: the built-in deck holds every question the bank had; users' own decks come later.

Question numbers become unique within their deck, so a user's deck can number its own."""

import django.db.models.deletion
import questions.models
from django.conf import settings
from django.db import migrations, models

BUILTIN_DECK_NAME = "Deep learning interview questions"


def questions_into_the_builtin_deck(apps, schema_editor):
    Deck = apps.get_model("questions", "Deck")
    Question = apps.get_model("questions", "Question")
    deck, _ = Deck.objects.get_or_create(is_builtin=True, defaults={"name": BUILTIN_DECK_NAME})
    Question.objects.filter(deck__isnull=True).update(deck=deck)


class Migration(migrations.Migration):

    dependencies = [
        ('questions', '0004_misconceptions'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterModelOptions(
            name='question',
            options={'ordering': ['deck_id', 'number']},
        ),
        migrations.AlterField(
            model_name='question',
            name='number',
            field=models.PositiveSmallIntegerField(),
        ),
        migrations.CreateModel(
            name='Deck',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('is_builtin', models.BooleanField(default=False, editable=False)),
                ('name', models.CharField(max_length=120)),
                ('description', models.CharField(blank=True, max_length=500)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('owner', models.ForeignKey(blank=True, help_text='Empty for the built-in deck, which belongs to the site.', null=True, on_delete=django.db.models.deletion.CASCADE, related_name='decks', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['-is_builtin', 'name', 'pk'],
            },
        ),
        migrations.AddField(
            model_name='question',
            name='deck',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.CASCADE, related_name='questions', to='questions.deck'),
        ),
        migrations.RunPython(questions_into_the_builtin_deck, migrations.RunPython.noop),
        migrations.AlterField(
            model_name='question',
            name='deck',
            field=models.ForeignKey(default=questions.models.builtin_deck_pk, on_delete=django.db.models.deletion.CASCADE, related_name='questions', to='questions.deck'),
        ),
        migrations.AddConstraint(
            model_name='question',
            constraint=models.UniqueConstraint(fields=('deck', 'number'), name='question_number_unique_in_its_deck'),
        ),
        migrations.AddConstraint(
            model_name='deck',
            constraint=models.UniqueConstraint(condition=models.Q(('is_builtin', True)), fields=('is_builtin',), name='only_one_builtin_deck'),
        ),
        migrations.AddConstraint(
            model_name='deck',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('is_builtin', True), ('owner__isnull', True)), models.Q(('is_builtin', False), ('owner__isnull', False)), _connector='OR'), name='deck_is_builtin_exactly_when_it_has_no_owner'),
        ),
        migrations.AddConstraint(
            model_name='deck',
            constraint=models.CheckConstraint(condition=models.Q(('name', ''), _negated=True), name='deck_name_not_empty'),
        ),
    ]

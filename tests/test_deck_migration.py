"""The bank as it was before decks migrates into the built-in deck with nothing lost."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [
    ("questions", "0004_misconceptions"),
    ("interview_sessions", "0007_shown_misconceptions"),
]


@pytest.mark.django_db(transaction=True)
def test_every_existing_question_moves_into_the_builtin_deck_with_its_history():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    Question, Topic = old.get_model("questions", "Question"), old.get_model("questions", "Topic")
    User = old.get_model("auth", "User")
    topic = Topic.objects.create(slug="systems", name="Systems")
    question = Question.objects.create(
        number=99,
        slug="an-old-question",
        level="beginner",
        prompt="An old question?",
        reference_answer="Its answer.",
        follow_ups=["Then?"],
    )
    question.topics.add(topic)
    for order in (1, 2, 3):
        question.key_points.create(order=order, text=f"Point {order}", cues=["point"])
    user = User.objects.create(username="carol")
    interview = old.get_model("interview_sessions", "InterviewSession").objects.create(
        user=user,
        timing_mode="untimed",
        order="random",
        question_count=1,
        started_at=timezone.now(),
    )
    interview.items.create(
        position=1, question=question, prompt=question.prompt, reference_answer="Its answer."
    )
    numbers_before = sorted(Question.objects.values_list("number", flat=True))

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    new = executor.loader.project_state(executor.loader.graph.leaf_nodes()).apps
    Deck, Question = new.get_model("questions", "Deck"), new.get_model("questions", "Question")
    builtin = Deck.objects.get(is_builtin=True)
    assert builtin.name == "Deep learning interview questions" and builtin.owner is None
    assert sorted(Question.objects.values_list("number", flat=True)) == numbers_before
    assert set(Question.objects.values_list("deck", flat=True)) == {builtin.pk}
    migrated = Question.objects.get(slug="an-old-question")
    assert [point.text for point in migrated.key_points.order_by("order")] == [
        "Point 1",
        "Point 2",
        "Point 3",
    ]
    assert list(migrated.topics.values_list("slug", "owner")) == [("systems", None)]
    assert migrated.follow_ups == ["Then?"]
    item = new.get_model("interview_sessions", "SessionQuestion").objects.get()
    assert item.question_id == migrated.pk

"""The question bank as users browse it: the filterable list and the question page."""

import html
import re

import pytest
from django.urls import reverse

from questions.models import Question
from tests.factories import question, record_answer

LIST = reverse("questions:list")
HIDDEN = "The reference answer stays hidden until you have answered this question"


def listed_urls(page: str) -> set[str]:
    return set(re.findall(r'class="question-link" href="([^"]+)"', page))


def urls_of(questions) -> set[str]:
    return {q.get_absolute_url() for q in questions}


def shows_the_answer(page: str, question: Question) -> bool:
    points = [html.escape(point.text) for point in question.key_points.all()]
    shown = [point in page for point in points]
    assert all(shown) or not any(shown), "some key points shown, some not"
    return all(shown) and re.search(r"<h2[^>]*>Reference answer</h2>", page) is not None


@pytest.mark.parametrize("path", [LIST, "/questions/what-is-a-neuron/"])
def test_it_sends_visitors_to_log_in(client, seeded, path):
    response = client.get(path)

    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next={path}"


def test_it_lists_every_active_question(seeded, alice_client):
    page = alice_client.get(LIST).text

    assert "30 questions" in page
    assert listed_urls(page) == urls_of(Question.objects.all())
    assert html.escape(question(12).prompt) in page


def test_it_filters_by_level(seeded, alice_client):
    page = alice_client.get(LIST, {"level": "advanced"}).text

    assert "5 questions" in page
    assert listed_urls(page) == urls_of(Question.objects.filter(level="advanced"))
    assert "badge beginner" not in page
    assert page.count('class="badge advanced"') == 5


def test_it_filters_by_topic(seeded, alice_client):
    page = alice_client.get(LIST, {"topic": "reinforcement-learning"}).text

    assert "2 questions" in page
    assert listed_urls(page) == urls_of([question(26), question(30)])


def test_it_combines_level_and_topic_filters(seeded, alice_client):
    page = alice_client.get(LIST, {"level": ["beginner", "bonus"], "topic": "fundamentals"}).text

    expected = Question.objects.filter(level__in=["beginner", "bonus"], topics__slug="fundamentals")
    assert listed_urls(page) == urls_of(expected)
    assert f"{expected.count()} questions" in page


def test_htmx_gets_only_the_results(seeded, alice_client):
    response = alice_client.get(LIST, {"level": "advanced"}, headers={"HX-Request": "true"})

    page = response.text
    assert "<html" not in page
    assert "<form" not in page
    assert page.strip().startswith('<section id="results"')
    assert listed_urls(page) == urls_of(Question.objects.filter(level="advanced"))
    assert "HX-Request" in response["Vary"]


def test_it_hides_the_answer_until_the_user_has_answered(seeded, alice_client):
    neuron = question(1)

    page = alice_client.get(neuron.get_absolute_url()).text

    assert html.escape(neuron.prompt) in page
    assert HIDDEN in page
    assert not shows_the_answer(page, neuron)
    assert "weighted sum" not in page


def test_it_reveals_the_answer_when_asked(seeded, alice_client):
    neuron = question(1)

    page = alice_client.get(neuron.get_absolute_url(), {"reveal": "1"}).text

    assert HIDDEN not in page
    assert shows_the_answer(page, neuron)


def test_htmx_reveal_gets_only_the_answer(seeded, alice_client):
    neuron = question(1)

    page = alice_client.get(
        neuron.get_absolute_url(), {"reveal": "1"}, headers={"HX-Request": "true"}
    ).text

    assert page.strip().startswith('<section id="answer"')
    assert "<html" not in page
    assert shows_the_answer(page, neuron)


def test_it_shows_the_answer_once_the_user_has_answered(seeded, alice, alice_client):
    neuron = question(1)
    record_answer(alice, neuron)

    page = alice_client.get(neuron.get_absolute_url()).text

    assert HIDDEN not in page
    assert shows_the_answer(page, neuron)


def test_a_question_shown_but_not_yet_answered_stays_hidden(seeded, alice, alice_client):
    neuron = question(1)
    record_answer(alice, neuron, submitted=False)

    page = alice_client.get(neuron.get_absolute_url()).text

    assert HIDDEN in page
    assert not shows_the_answer(page, neuron)


def test_another_users_answer_reveals_nothing(seeded, bob, alice_client, bob_client):
    neuron = question(1)
    record_answer(bob, neuron)

    assert shows_the_answer(bob_client.get(neuron.get_absolute_url()).text, neuron)
    page = alice_client.get(neuron.get_absolute_url()).text
    assert HIDDEN in page
    assert not shows_the_answer(page, neuron)


def test_an_archived_question_is_gone_for_users(seeded, alice_client):
    archived = question(5)
    Question.objects.filter(pk=archived.pk).update(is_active=False)

    assert alice_client.get(archived.get_absolute_url(), {"reveal": "1"}).status_code == 404
    page = alice_client.get(LIST).text
    assert "29 questions" in page
    assert archived.get_absolute_url() not in listed_urls(page)
    assert html.escape(archived.prompt) not in page


def test_it_renders_the_reference_answer_markdown(seeded, alice_client):
    neuron = question(1)
    assert "\n- **Inputs** are raw features" in neuron.reference_answer

    page = alice_client.get(neuron.get_absolute_url(), {"reveal": "1"}).text

    assert re.search(r"<ul>\s*<li><strong>Inputs</strong> are raw features", page)
    assert "<code>y = f(w · x + b)</code>" in page
    assert "- **Inputs**" not in page


@pytest.mark.parametrize("extra", [0, 270])
def test_the_question_list_runs_a_fixed_number_of_queries(
    seeded, alice_client, extra, django_assert_num_queries
):
    topic = Question.objects.get(number=1).topics.first()
    for number in range(100, 100 + extra):
        question = Question.objects.create(
            number=number,
            slug=f"extra-{number}",
            level="beginner",
            prompt="An extra question?",
            reference_answer="An answer.",
        )
        question.topics.add(topic)
    # 1 the session's row, 2 user, 3 the bank's version, 4 the bank's topic slugs (to know
    # the filters exist), 5 the filter form's topics, 6 the questions, 7 their topics; the
    # list is then cached.
    with django_assert_num_queries(7):
        response = alice_client.get(reverse("questions:list"), {"level": "beginner"})
    assert response.text.count('class="question-link"') == 12 + extra

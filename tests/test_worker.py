"""The real worker: `manage.py run_worker` processes against the real database (SQLite or
PostgreSQL, whichever the tests run on), sending mail to a real SMTP server. Two workers run
each queued task once, and keep the schedule without running one slot twice: the reminder
pass, run by both workers' schedules and by two `send_reminders` at once, sends each user
one digest."""

import json
from collections import Counter

import pytest

from tests.smtp_server import smtp_server
from tests.worker_processes import wait_for, worker_database

pytestmark = pytest.mark.django_db(transaction=True)

USERS = 12


@pytest.fixture
def inbox():
    with smtp_server() as server:
        yield server


@pytest.fixture
def database(tmp_path, inbox, seeded):
    database = worker_database(
        tmp_path,
        DJANGO_EMAIL_HOST="127.0.0.1",
        DJANGO_EMAIL_PORT=str(inbox.port),
        DJANGO_EMAIL_USE_TLS="False",
    )
    yield database
    database.stop_workers()


def test_two_workers_run_each_queued_task_once(database, inbox):
    database.python(
        "from accounts.tasks import send_email\n"
        "for number in range(40):\n"
        "    send_email.enqueue(f'Message {number}', 'Body', ['someone@example.com'])\n"
    )

    # Each message takes the server a quarter of a second, so that the first worker is still
    # busy (for ten seconds) when the second has started, however quick the machine.
    inbox.delay_seconds = 0.25
    database.start_worker("--no-schedule")
    database.start_worker("--no-schedule")
    assert wait_for(lambda: len(inbox.messages) >= 40)
    outputs = database.stop_workers()

    subjects = Counter(message["Subject"] for message in inbox.messages)
    assert subjects == Counter(f"Message {number}" for number in range(40))
    # Both workers took part (each logs the tasks it ran).
    assert all("send_email" in output for output in outputs), outputs
    states = json.loads(
        database.python(
            "import json\n"
            "from django_tasks_db.models import DBTaskResult\n"
            "print(json.dumps(list(DBTaskResult.objects.values_list('status', flat=True))))"
        )
    )
    assert Counter(states) == {"SUCCESSFUL": 40}


def test_two_workers_keep_the_schedule_and_send_each_user_one_digest(database, inbox):
    database.python(
        "from datetime import timedelta\n"
        "from django.contrib.auth import get_user_model\n"
        "from django.utils import timezone\n"
        "from sessions.models import Rating\n"
        "from tests.factories import graded_interview, set_profile\n"
        f"for number in range({USERS}):\n"
        "    user = get_user_model().objects.create_user(f'user{number}', f'user{number}@example.com')\n"
        "    graded_interview(user, [(1, Rating.AGAIN, 0)], timezone.now() - timedelta(days=2))\n"
        "    set_profile(user, remind_due=True, remind_at_hour=0)\n"
    )

    database.start_worker()
    database.start_worker()
    # An operator running the pass by hand at the same time changes nothing.
    database.manage("send_reminders")
    database.manage("send_reminders")
    assert wait_for(lambda: len(inbox.messages) >= USERS)
    # Room for a duplicate to arrive, if there were one.
    wait_for(lambda: len(inbox.messages) > USERS, timeout=3)
    database.stop_workers()

    recipients = Counter(address for rcpt in inbox.recipients for address in rcpt)
    assert recipients == Counter(f"user{number}@example.com" for number in range(USERS))
    assert {message["List-Unsubscribe-Post"] for message in inbox.messages} == {
        "List-Unsubscribe=One-Click"
    }
    runs = json.loads(
        database.python(
            "import json\n"
            "from django.db.models import Count\n"
            "from interviewprep.models import PeriodicRun\n"
            "print(json.dumps(list(PeriodicRun.objects.values('job', 'slot')"
            ".annotate(n=Count('id')).values_list('job', 'n'))))"
        )
    )
    assert {job for job, _ in runs} >= {"send_reminders", "close_expired_interviews"}
    assert all(count == 1 for _, count in runs)

"""The suite runs on the database CI asks for, never silently on another one."""

import os

import pytest
from django.db import connection


@pytest.mark.django_db
def test_it_runs_on_the_expected_database():
    expected = os.environ.get("INTERVIEWPREP_EXPECT_DATABASE")
    if expected is None:
        pytest.skip("INTERVIEWPREP_EXPECT_DATABASE is not set (CI sets it).")
    assert connection.vendor == expected
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        assert cursor.fetchone() == (1,)

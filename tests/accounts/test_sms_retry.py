"""A failing or hanging SMS gateway does not fail the request: the message is retried later
by a task, encrypted in the queue. (The hanging gateway over real HTTP: tests/faults.)"""

import datetime as dt

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from gonghui.accounts.domain.login import login_with_code, request_login_code
from gonghui.accounts.sms import MemorySender
from gonghui.accounts.tasks import retry_sms

from .test_login import _request, user  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db


class DownSender:
    def send_login_code(self, mobile, code):
        raise TimeoutError("gateway did not answer")

    send_notice = send_login_code


@pytest.fixture
def down(settings):
    settings.GONGHUI_SMS_SENDER = "tests.accounts.test_sms_retry.DownSender"
    MemorySender.outbox.clear()


def test_a_failed_login_code_is_retried_later_and_then_works(user, down, settings):  # noqa: F811
    before = timezone.now()
    request_login_code(mobile="13900001111")  # does not raise
    row = DBTaskResult.objects.get(task_path="gonghui.accounts.tasks.retry_sms")
    assert row.status == "READY"
    assert dt.timedelta(seconds=29) < row.run_after - before < dt.timedelta(seconds=31)
    kind, mobile, payload, attempt, expires = row.args_kwargs["args"]
    assert (kind, attempt) == ("login_code", 1)
    assert "13900001111" not in str(row.args_kwargs)  # encrypted in the queue
    # Still down at the first retry: queued again, one step later.
    assert retry_sms.call(kind, mobile, payload, attempt, expires) == "rescheduled"
    again = DBTaskResult.objects.exclude(pk=row.pk).get()
    assert again.args_kwargs["args"][3] == 2
    # The gateway is back: the code arrives and works.
    settings.GONGHUI_SMS_SENDER = "gonghui.accounts.sms.MemorySender"
    assert retry_sms.call(kind, mobile, payload, attempt, expires) == "sent"
    [(to, code)] = MemorySender.outbox
    assert to == "13900001111"
    assert login_with_code(_request(), mobile="13900001111", code=code) == user


def test_a_login_code_is_not_retried_past_its_lifetime(user, down):  # noqa: F811
    request_login_code(mobile="13900001111")
    row = DBTaskResult.objects.get()
    kind, mobile, payload, attempt, _ = row.args_kwargs["args"]
    past = (timezone.now() - dt.timedelta(seconds=1)).isoformat()
    assert retry_sms.call(kind, mobile, payload, attempt, past) == "expired"
    # The last attempt failing too: nothing more is queued.
    assert retry_sms.call(kind, mobile, payload, 4, row.args_kwargs["args"][4]) == "dropped"

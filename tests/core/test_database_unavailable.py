"""A lost database answers 503 in Chinese, not a server error (the real restart of
PostgreSQL under load: tests/faults/test_postgres_restart.py)."""

import json
import sys

from django.db import InterfaceError, OperationalError
from django.test import RequestFactory

from gonghui.core.middleware import DatabaseUnavailableMiddleware
from gonghui.core.views import server_error

MESSAGE = "数据库暂时无法连接，请稍后重试；如刚才提交过操作，请稍后查看是否已生效。"


def _middleware():
    return DatabaseUnavailableMiddleware(lambda request: None)


def test_the_api_gets_the_error_envelope():
    request = RequestFactory().post("/api/training/plans/1/enrollments")
    res = _middleware().process_exception(request, OperationalError("server closed"))
    assert (res.status_code, res["Retry-After"]) == (503, "5")
    assert json.loads(res.content) == {
        "error": {"code": "unavailable", "message": MESSAGE, "fields": {}}
    }


def test_a_page_gets_a_page():
    request = RequestFactory().get("/console/")
    res = _middleware().process_exception(request, InterfaceError("connection already closed"))
    assert res.status_code == 503
    assert res["Content-Type"] == "text/html; charset=utf-8"
    body = res.content.decode()
    assert "系统暂时不可用" in body and MESSAGE in body


def test_other_errors_are_left_alone():
    request = RequestFactory().get("/console/")
    assert _middleware().process_exception(request, ValueError("x")) is None


def test_handler500_answers_503_for_a_lost_database_outside_views():
    request = RequestFactory().get("/console/")
    try:
        raise OperationalError("terminating connection due to administrator command")
    except OperationalError:
        assert sys.exc_info()[0] is OperationalError
        res = server_error(request)
    assert res.status_code == 503

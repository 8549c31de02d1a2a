import pytest

from ..factories import PASSWORD
from .conftest import login

pytestmark = pytest.mark.django_db(transaction=True)


def test_worker_logs_in_on_a_phone(phone, live_server, county, shot):
    mobile = county.worker_a.mobile
    login(phone, live_server, mobile, PASSWORD)
    assert phone.url.endswith("/me/")
    shot(phone, "worker-portal-after-login")

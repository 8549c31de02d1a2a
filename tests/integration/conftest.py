import pytest
from django.test import TestCase
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from gonghui.core.actors import SYSTEM
from gonghui.orgs.domain.access import issue_api_token
from gonghui.orgs.enums import Role

from .receiver import Receiver


@pytest.fixture(autouse=True)
def _webhook_settings(settings):
    settings.GONGHUI_WEBHOOK_ALLOW_HTTP = True
    settings.GONGHUI_WEBHOOK_BACKOFF_SECONDS = 30
    settings.GONGHUI_WEBHOOK_MAX_ATTEMPTS = 4
    settings.GONGHUI_WEBHOOK_TIMEOUT_SECONDS = 5


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.stop()


def run_ready_tasks() -> int:
    """Run the queued tasks that are due now, in the test's transaction (tests/worker.py)."""
    worker = Worker(queue_names=["default"], interval=0, batch=True, backend_name="default",
                    startup_delay=False, max_tasks=None, worker_id="test",
                    excluded_queue_names=[])  # fmt: skip
    done = 0
    while (result := DBTaskResult.objects.ready().first()) is not None:
        result.claim(worker.worker_id)
        # A worker's task commits; here it runs in the test's transaction, so the retries it
        # enqueues after commit are run by hand.
        with TestCase.captureOnCommitCallbacks(execute=True):
            worker.run_task(result)
        done += 1
    return done


@pytest.fixture
def county_token(county):
    token, _ = issue_api_token(county.county, name="省总工会平台", role=Role.FEDERATION_STAFF,
                               actor=SYSTEM)  # fmt: skip
    return token


@pytest.fixture(scope="session")
def idp(live_server, tmp_path_factory):
    """The development OpenID Connect provider, one process for the session."""
    from .idp import Provider

    provider = Provider(f"{live_server.url}/sso/local/callback/", tmp_path_factory.mktemp("idp"))
    yield provider
    provider.stop()


@pytest.fixture
def sso(idp, settings):
    """Gonghui configured to sign in through the provider (and /m/ to use it)."""
    settings.GONGHUI_SSO_PROVIDERS = idp.settings()
    settings.GONGHUI_SSO_EMBEDDED_PROVIDER = "local"
    settings.GONGHUI_SSO_HELPDESK = "0573-86000000"
    return idp

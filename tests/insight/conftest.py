import pytest


@pytest.fixture(autouse=True)
def _fresh_cache():
    """The dashboard caches its score blocks; every test starts without them."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()

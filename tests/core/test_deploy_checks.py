"""Issue 12 item 11: ``check --deploy`` fails (an Error, exit status 1) on the publicly known
development keys, and passes with real ones."""

from ..test_settings import _manage

GOOD_SECRET = "x7Kq!v9#Lm2$Pz8&Rt4^Wn6*Yb3(Hd5)Jf1-Gs0+Ec7=Ua9;Io2"
GOOD_DATA_KEY = "prod-data-key-for-test-only-7d1e0c"
DEV_SECRET = "dev-only-insecure-secret-key-change-me-0123456789abcdef"
DEV_DATA_KEY = "dev-only-data-key-never-use-in-production"


def _deploy_check(tmp_path, *, secret: str, data_key: str):
    return _manage(
        "check", "--deploy", GONGHUI_ENV="production", SECRET_KEY=secret,
        GONGHUI_DATA_KEY=data_key, ALLOWED_HOSTS="gonghui.example.cn",
        GONGHUI_VAR_DIR=str(tmp_path),
    )  # fmt: skip


def test_development_data_key_is_an_error(tmp_path):
    result = _deploy_check(tmp_path, secret=GOOD_SECRET, data_key=DEV_DATA_KEY)
    assert result.returncode == 1
    assert "(gonghui.E001) GONGHUI_DATA_KEY is the public development key" in result.stderr
    assert "gonghui.E002" not in result.stderr


def test_development_secret_key_is_an_error(tmp_path):
    result = _deploy_check(tmp_path, secret=DEV_SECRET, data_key=GOOD_DATA_KEY)
    assert result.returncode == 1
    assert "(gonghui.E002) SECRET_KEY is the public development key" in result.stderr
    assert "gonghui.E001" not in result.stderr


def test_real_keys_pass(tmp_path):
    result = _deploy_check(tmp_path, secret=GOOD_SECRET, data_key=GOOD_DATA_KEY)
    assert result.returncode == 0, result.stderr
    assert "gonghui.E00" not in result.stderr + result.stdout

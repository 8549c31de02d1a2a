# SPDX-License-Identifier: AGPL-3.0-or-later
"""Run the development OpenID Connect provider::

    python -m gonghui.integration.devprovider --port 8001 --dir /tmp/gh-idp \\
        --client-id gonghui --client-secret s3cret \\
        --redirect-uri http://127.0.0.1:8000/sso/local/callback/ \\
        --identity "王建国|330424199001011234|13800000001"

Prints ``ready <base url>`` once it answers. Each ``--identity`` is ``name|ID|mobile``
(either number may be empty).
"""

import argparse
import contextlib
import os
import socketserver
import sys
from pathlib import Path
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server


class _Server(socketserver.ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format, *args):
        pass


def _key(directory: Path) -> None:
    path = directory / "key.pem"
    if path.exists():
        return
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(prog="python -m gonghui.integration.devprovider")
    parser.add_argument("--port", type=int, default=8001)
    parser.add_argument("--dir", default="/tmp/gonghui-devprovider")  # noqa: S108 - dev only
    parser.add_argument("--client-id", required=True)
    parser.add_argument("--client-secret", required=True)
    parser.add_argument("--redirect-uri", action="append", required=True)
    parser.add_argument("--identity", action="append", default=[])
    args = parser.parse_args(argv)

    directory = Path(args.dir)
    directory.mkdir(parents=True, exist_ok=True)
    _key(directory)
    os.environ["GONGHUI_DEVPROVIDER_DIR"] = str(directory)
    os.environ["DJANGO_SETTINGS_MODULE"] = "gonghui.integration.devprovider.settings"
    import django

    django.setup()
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.core.wsgi import get_wsgi_application
    from oauth2_provider.models import Application

    from .models import Identity

    call_command("migrate", run_syncdb=True, verbosity=0)
    Application.objects.filter(client_id=args.client_id).delete()
    Application.objects.create(
        name="Gonghui", client_id=args.client_id, client_secret=args.client_secret,
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris=" ".join(args.redirect_uri), algorithm=Application.RS256_ALGORITHM,
        skip_authorization=True,
    )  # fmt: skip
    for n, line in enumerate(args.identity, start=1):
        name, id_number, phone = ([*line.split("|"), "", ""])[:3]
        user, _ = User.objects.get_or_create(username=f"person{n}")
        Identity.objects.update_or_create(
            user=user, defaults={"name": name, "id_number": id_number, "phone_number": phone}
        )
    server = make_server(
        "127.0.0.1", args.port, get_wsgi_application(), server_class=_Server,
        handler_class=_QuietHandler,
    )  # fmt: skip
    print(f"ready http://127.0.0.1:{server.server_port}", flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        server.serve_forever()
    sys.exit(0)


if __name__ == "__main__":
    main()

"""Reading a request body into a buffer: under gunicorn straight from the socket (after
what gunicorn already buffered, never past the body), elsewhere through request.read."""

import os
import socket
import threading
from types import SimpleNamespace

from django.test import RequestFactory
from gunicorn.http.body import Body, LengthReader
from gunicorn.http.unreader import SocketUnreader

from gonghui.core.request_body import body_reader


def _read_all(readinto, size: int = 1000) -> bytes:
    buf = bytearray(size)
    view = memoryview(buf)
    out = bytearray()
    while n := readinto(view):
        out += view[:n]
    return bytes(out)


def test_under_gunicorn_it_reads_the_socket_and_leaves_the_next_request(settings):
    body = os.urandom(300_000)
    following = b"GET /next HTTP/1.1\r\n\r\n"
    ours, theirs = socket.socketpair()
    try:
        unreader = SocketUnreader(ours)
        # What gunicorn's parser read with the headers: the body's first 5,000 bytes.
        unreader.unread(body[:5000])
        reader = LengthReader(unreader, len(body))
        wsgi_input = Body(reader)
        # The application had already read 10 bytes through gunicorn itself.
        assert wsgi_input.read(10) == body[:10]
        sender = threading.Thread(target=theirs.sendall, args=(body[5000:] + following,))
        sender.start()
        request = SimpleNamespace(
            META={"CONTENT_LENGTH": str(len(body)), "wsgi.input": wsgi_input,
                  "gunicorn.socket": ours},
            _read_started=False,
        )  # fmt: skip
        got = _read_all(body_reader(request), size=7777)
        sender.join()
        # body_reader saw the 10 bytes as taken: it hands out the rest of the body.
        assert got == body[10:]
        # gunicorn finds the body consumed, and the next request where it begins.
        assert reader.length == 0 and wsgi_input.read(100) == b""
        assert unreader.read(len(following)) == following
    finally:
        ours.close()
        theirs.close()


def test_elsewhere_it_reads_through_the_request():
    body = os.urandom(50_000)
    request = RequestFactory().generic("PATCH", "/x", body,
                                       content_type="application/offset+octet-stream")  # fmt: skip
    assert "gunicorn.socket" not in request.META
    assert _read_all(body_reader(request), size=4096) == body


def test_a_body_cut_short_ends_with_what_arrived():
    body = os.urandom(20_000)
    ours, theirs = socket.socketpair()
    try:
        unreader = SocketUnreader(ours)
        wsgi_input = Body(LengthReader(unreader, len(body)))
        theirs.sendall(body[:12_345])
        theirs.close()  # the client went away
        request = SimpleNamespace(
            META={"CONTENT_LENGTH": str(len(body)), "wsgi.input": wsgi_input,
                  "gunicorn.socket": ours},
            _read_started=False,
        )  # fmt: skip
        assert _read_all(body_reader(request)) == body[:12_345]
    finally:
        ours.close()

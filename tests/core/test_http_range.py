import pytest

from gonghui.core.http_range import ByteRange, RangeNotSatisfiable, not_satisfiable, parse_range


@pytest.mark.parametrize(
    ("header", "length", "expected"),
    [
        ("bytes=0-9", 100, (0, 9)),
        ("bytes=10-", 100, (10, 99)),
        ("bytes=95-1000", 100, (95, 99)),  # the end is clipped to the file
        ("bytes=-10", 100, (90, 99)),  # suffix: the last 10 bytes
        ("bytes=-1000", 100, (0, 99)),  # a suffix longer than the file: all of it
        ("bytes=99-99", 100, (99, 99)),
        ("Bytes = 5 - 6", 100, (5, 6)),  # unit case-insensitive, optional whitespace
    ],
)
def test_single_ranges(header, length, expected):
    got = parse_range(header, length)
    assert (got.first, got.last) == expected
    assert got.size == expected[1] - expected[0] + 1
    assert got.content_range == f"bytes {expected[0]}-{expected[1]}/{length}"


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        "bytes=",
        "bytes=-",
        "bytes=abc",
        "bytes=1-2-3",
        "bytes=5-1",
        "items=0-9",
        "bytes 0-9",
        "bytes=0-1,5-6",
        "bytes=-5,10-",
        "bytes=0x10-",
        "bytes=+1-2",
        "bytes=" + "9" * 40 + "-",
    ],
)
def test_absent_malformed_or_multiple_ranges_serve_the_whole_file(header):
    assert parse_range(header, 100) is None


@pytest.mark.parametrize(("header", "length"), [("bytes=100-", 100), ("bytes=150-200", 100),
                                                ("bytes=-0", 100), ("bytes=0-", 0),
                                                ("bytes=-5", 0)])  # fmt: skip
def test_unsatisfiable_ranges(header, length):
    with pytest.raises(RangeNotSatisfiable) as caught:
        parse_range(header, length)
    res = not_satisfiable(caught.value)
    assert res.status_code == 416
    assert res["Content-Range"] == f"bytes */{length}"


def test_byte_range_is_a_plain_tuple():
    assert ByteRange(0, 9, 10) == (0, 9, 10)

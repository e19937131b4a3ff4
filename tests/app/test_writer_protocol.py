"""Frames between the console and its cache writer process, through a real pipe."""

import io
import os
import sys

import pytest

from app.cache.page_writer import PIPE_BYTES, _widen
from app.cache.protocol import (
    WRITE_PAGE,
    page_payload,
    read_frame,
    split_page_payload,
    write_frame,
)


def test_a_page_and_its_cursor_arrive_as_sent():
    body = b'{"data":[{"note":"a\\nb"}],"next_cursor":"7"}' * 5000
    stream = io.BytesIO()
    write_frame(stream, WRITE_PAGE, page_payload("3.1", body))
    write_frame(stream, WRITE_PAGE, page_payload(None, b"{}"))
    write_frame(stream, b"A", {"rows": 2})
    stream.seek(0)
    op, payload = read_frame(stream)
    since, got = split_page_payload(payload)
    assert op == WRITE_PAGE and since == "3.1" and bytes(got) == body
    assert split_page_payload(read_frame(stream)[1])[0] is None
    assert read_frame(stream) == (b"A", b'{"rows":2}')
    assert read_frame(stream) is None  # end of stream


def test_a_cut_frame_reads_as_the_end():
    stream = io.BytesIO()
    write_frame(stream, WRITE_PAGE, page_payload("1", b"x" * 100))
    stream = io.BytesIO(stream.getvalue()[:50])
    assert read_frame(stream) is None


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="pipe sizes are Linux's")
def test_the_pipe_to_the_writer_gets_a_megabyte():
    import fcntl

    read_end, write_end = os.pipe()
    with os.fdopen(write_end, "wb") as stream:
        _widen(stream)
        assert fcntl.fcntl(write_end, fcntl.F_GETPIPE_SZ) == PIPE_BYTES
    os.close(read_end)

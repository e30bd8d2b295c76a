"""The receivers' parsers: a test of the tests, so that a failure elsewhere means the daemon."""

import struct

import pytest

import harness


def test_journal_plain_and_binary_fields():
    value = "two\nlines"
    data = (b"MESSAGE=hello\nMESSAGE_ID=abc\n"
            b"DETAIL\n" + struct.pack("<Q", len(value)) + value.encode() + b"\n"
            b"EMPTY=\n")
    rec = harness.JournalRecord(harness.parse_journal_native(data))
    assert rec == {"MESSAGE": "hello", "MESSAGE_ID": "abc", "DETAIL": value, "EMPTY": ""}


@pytest.mark.parametrize("data", [
    b"MESSAGE=no newline",
    b"lower=case\n",
    b"_TRUSTED=1\n",
    b"BIN\n" + struct.pack("<Q", 10) + b"short\n",
    b"BIN\n\x01\x00",
])
def test_journal_rejects_malformed(data):
    with pytest.raises(ValueError):
        harness.parse_journal_native(data)


def test_syslog_line():
    rec = harness.parse_syslog(b"<157>Jan  5 09:03:01 advisoryd[42]: us: Kazakhstan (KZ) raised")
    assert (rec.facility, rec.severity, rec.ident, rec.pid) == (19, 5, "advisoryd", 42)
    assert rec.message == "us: Kazakhstan (KZ) raised"
    with pytest.raises(ValueError):
        harness.parse_syslog(b"us: no header")


def test_receiver_gets_every_datagram(sockdir):
    import socket
    r = harness.journal_receiver(f"{sockdir}/j")
    try:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        for i in range(50):  # more than the default queue of 10 datagrams
            s.sendto(f"MESSAGE={i}\n".encode(), r.path)
        s.close()
        assert [rec["MESSAGE"] for rec in r.records()] == [str(i) for i in range(50)]
    finally:
        r.close()

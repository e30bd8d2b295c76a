"""Polite and careful fetching: who we say we are, gzip, conditional GET, the size cap, redirects.
What happens when a fetch fails is in test_faults.py."""

from advisoryenv import FEED_PATH, fixture

BIG_COMMENT = b"<!-- " + b"padding " * 10000 + b"-->\n"  # 80 000 bytes


def big_feed():
    """The baseline feed made larger than 64K by a comment: well-formed, just too large."""
    return fixture("us-baseline.xml").replace(b"<channel>\n", b"<channel>\n" + BIG_COMMENT, 1)


def test_requests_identify_the_daemon_and_accept_gzip(env):
    env.serve_feed("us-baseline.xml")
    env.once_ok()
    (req,) = env.server.requests(FEED_PATH)
    assert req.method == "GET"
    assert req.headers["user-agent"].startswith("advisoryd/")
    encodings = [e.split(";")[0].strip() for e in req.headers["accept-encoding"].split(",")]
    assert "gzip" in encodings
    # nothing to be conditional on yet
    assert "if-none-match" not in req.headers and "if-modified-since" not in req.headers


def test_configured_user_agent(env):
    ua = "advisoryd/test (+https://example.org/contact)"
    env.write_config(daemon={"user_agent": ua})
    env.serve_feed("us-baseline.xml")
    env.once_ok()
    assert env.server.requests(FEED_PATH)[0].headers["user-agent"] == ua


def test_gzip_encoded_feed_is_recorded(env):
    env.serve_feed("us-baseline.xml", gzip=True)
    env.once_ok()
    assert env.server.requests(FEED_PATH)[0].gzipped
    status = env.status()
    assert len(status) == 23
    assert status["KZ"]["level"] == 1 and status["CN"]["level"] == 2


def test_conditional_get_without_etag_uses_last_modified(env):
    doc = env.serve_feed("us-baseline.xml", etag=False)
    env.once_ok()
    env.once_ok()
    second = env.server.requests(FEED_PATH)[1]
    assert "if-none-match" not in second.headers
    assert second.headers["if-modified-since"] == doc.last_modified
    assert second.status == 304


def test_document_within_max_document_size_is_recorded(env):
    env.write_config(daemon={"max_document_size": "128K"})
    env.serve_feed(big_feed())
    env.once_ok()
    assert len(env.status()) == 23


def test_redirect_is_followed(env):
    env.serve_feed("us-baseline.xml")
    env.write_config(url=env.server.url("/old/feed.xml"))
    env.server.serve("/old/feed.xml", b"moved\n", "text/plain", status=301,
                     headers={"Location": FEED_PATH})
    env.once_ok()
    assert len(env.status()) == 23
    assert len(env.server.requests(FEED_PATH)) == 1

"""Secret redaction in every common encoding (the host's backstop and the components' own), and
secrets kept out of logs: the HTTP libraries' debug lines and a program's log handlers."""

from __future__ import annotations

import base64
import json
import logging
from urllib.parse import quote, quote_plus

import pytest

from tracefabric.guest.redact import REDACTED, Redactor
from tracefabric.sandbox.host.logs import LIBRARY_FILTER, RedactingFilter

SECRET = "s3cr3t/p@ss+w0rd=="  # URL-encoding changes it, base64 has '+' and '/'


def _encodings(secret: str) -> list[str]:
    raw = secret.encode()
    basic = base64.b64encode(b"user:" + raw).decode()
    return [
        secret,
        base64.b64encode(raw).decode(),
        base64.urlsafe_b64encode(raw).decode(),
        base64.b64encode(b"a" + raw).decode(),  # every alignment inside a larger blob
        base64.b64encode(b"ab" + raw + b"tail").decode(),
        basic,
        basic[:10] + "\r\n " + basic[10:],  # wrapped, as in a MIME body
        quote(secret, safe=""),
        quote(secret, safe="").lower(),
        quote_plus(secret),
        raw.hex(),
        secret[:5] + "\n    " + secret[5:],
        secret[:5] + "\\n    " + secret[5:],  # wrapped, inside JSON text
        json.dumps(secret)[1:-1],
    ]


@pytest.mark.parametrize("encoded", _encodings(SECRET))
def test_every_common_encoding_is_redacted(encoded: str) -> None:
    text = f"before {encoded} after"
    redacted = Redactor([SECRET])(text)
    assert REDACTED in redacted and redacted.startswith("before ") and redacted.endswith(" after")
    core = redacted.replace(REDACTED, "")
    assert SECRET not in core and SECRET[3:12] not in core


def test_ordinary_text_is_left_alone() -> None:
    redactor = Redactor([SECRET, "ghp_TESTtoken0123456789abcdefSECRETvalue"])
    text = "Successfully wrote 13 bytes to hello.txt\nline two\t" + base64.b64encode(b"unrelated").decode()
    assert redactor(text) == text
    assert Redactor([])(text) == text and not Redactor([])


def test_short_secrets_are_only_replaced_verbatim() -> None:
    redactor = Redactor(["abcd"])  # its encodings would match ordinary text
    assert redactor("x abcd y") == f"x {REDACTED} y"
    assert redactor("YWJjZA== a b c d") == "YWJjZA== a b c d"


def test_json_values_are_redacted_keys_included() -> None:
    redactor = Redactor([SECRET])
    value = {"meta": {SECRET: [1, f"v={quote(SECRET, safe='')}"]}, "n": 3, "ok": True, "none": None}
    assert redactor.value(value) == {
        "meta": {REDACTED: [1, f"v={REDACTED}"]},
        "n": 3,
        "ok": True,
        "none": None,
    }


def test_a_handler_filter_redacts_messages_arguments_and_tracebacks() -> None:
    records: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(self.format(record))

    handler = Keep()
    handler.addFilter(RedactingFilter(Redactor([SECRET])))
    logger = logging.getLogger("tracefabric.test.redact")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        logger.warning("token %s in args", base64.b64encode(SECRET.encode()).decode())
        try:
            raise ValueError(f"bad credential {SECRET}")
        except ValueError:
            logger.exception("failed")
    finally:
        logger.removeHandler(handler)
    text = "\n".join(records)
    assert "token [REDACTED] in args" in text and "bad credential [REDACTED]" in text
    assert SECRET not in text


def test_http_library_debug_lines_are_redacted_while_a_host_is_live(caplog: pytest.LogCaptureFixture) -> None:
    """httpcore logs every response's headers at debug level: a live host's secrets are taken
    out of those records whatever handler writes them."""
    redactor = Redactor([SECRET])
    LIBRARY_FILTER.register(redactor)
    try:
        with caplog.at_level(logging.DEBUG):
            logging.getLogger("httpcore.http11").debug("headers=%r", [(b"x-echo", SECRET.encode())])
    finally:
        LIBRARY_FILTER.unregister(redactor)
    assert SECRET not in caplog.text and REDACTED in caplog.text

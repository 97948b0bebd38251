"""Secrets out of logs.

The host redacts what it logs itself (a guest's log lines, upstream exchanges at debug
level). Two more paths reach a log:

- the HTTP libraries under the host's outbound client: at debug level, httpcore logs every
  upstream response's headers verbatim (a service echoing a credential in a header puts it
  in the log). Every live host registers its redactor here, and a filter on those libraries'
  loggers applies all of them to each record, whatever handler writes it;
- anything else reaching a program's handlers (tracebacks, a server's access lines):
  `RedactingFilter`, added to handlers by the program (`tracefabric serve` does).
"""

from __future__ import annotations

import logging
import threading
import weakref
from collections.abc import Callable, Iterable

# Loggers of the HTTP stack under `OutboundHTTP` (httpx over httpcore).
LIBRARY_LOGGERS = (
    "httpx",
    "httpcore.connection",
    "httpcore.http11",
    "httpcore.http2",
    "httpcore.proxy",
    "httpcore.socks",
)


def _redact_record(record: logging.LogRecord, scrubs: Iterable[Callable[[str], str]]) -> None:
    text = record.getMessage()
    for scrub in scrubs:
        text = scrub(text)
    record.msg, record.args = text, None
    if record.exc_info and not record.exc_text:
        record.exc_text = logging.Formatter().formatException(record.exc_info)
    for attribute in ("exc_text", "stack_info"):
        value = getattr(record, attribute)
        if value:
            for scrub in scrubs:
                value = scrub(value)
            setattr(record, attribute, value)


class RedactingFilter(logging.Filter):
    """A handler filter: each record's message, traceback and stack redacted by `scrub`."""

    def __init__(self, scrub: Callable[[str], str]) -> None:
        super().__init__()
        self.scrub = scrub

    def filter(self, record: logging.LogRecord) -> bool:
        _redact_record(record, [self.scrub])
        return True


def redact_handlers(scrub: Callable[[str], str], handlers: Iterable[logging.Handler] | None = None) -> None:
    """Add a `RedactingFilter` to `handlers` (default: the root logger's)."""
    for handler in handlers if handlers is not None else logging.getLogger().handlers:
        handler.addFilter(RedactingFilter(scrub))


class _LibraryFilter(logging.Filter):
    def __init__(self) -> None:
        super().__init__()
        self._scrubs: weakref.WeakSet[Callable[[str], str]] = weakref.WeakSet()
        self._lock = threading.Lock()
        self._installed = False

    def register(self, scrub: Callable[[str], str]) -> None:
        with self._lock:
            self._scrubs.add(scrub)
            if not self._installed:
                for name in LIBRARY_LOGGERS:
                    logging.getLogger(name).addFilter(self)
                self._installed = True

    def unregister(self, scrub: Callable[[str], str]) -> None:
        with self._lock:
            self._scrubs.discard(scrub)

    def filter(self, record: logging.LogRecord) -> bool:
        scrubs = list(self._scrubs)
        if scrubs:
            _redact_record(record, scrubs)
        return True


LIBRARY_FILTER = _LibraryFilter()

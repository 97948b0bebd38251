"""Logging to the host (routed to Python logging as `tracefabric.components.<name>`)."""

from __future__ import annotations


def _log(level_name: str, message: str) -> None:
    from wit_world.imports import logging

    logging.log(getattr(logging.Level, level_name), str(message))


def debug(message: str) -> None:
    _log("DEBUG", message)


def info(message: str) -> None:
    _log("INFO", message)


def warn(message: str) -> None:
    _log("WARN", message)


def error(message: str) -> None:
    _log("ERROR", message)

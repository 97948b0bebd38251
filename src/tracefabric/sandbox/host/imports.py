"""The host side of our WIT imports: key-value, outbound HTTP, variables and logging.

One linker serves every component: each function finds the running call's `CallContext`
(and so the component's grants) from the store it is called with. Functions never raise
into wasmtime: failures become the interface's `error` variants, which the guest SDK turns
into structured tool errors (`CapabilityDenied`, `ResourceExhausted`, ...).

Results are always explicit: `Variant("ok", value)` or `Variant("err", error_variant)` (see
`engine.patches` for why wasmtime-py needs that).
"""

from __future__ import annotations

import logging
import sqlite3
from typing import Any

from wasmtime import Engine
from wasmtime.component import Linker, Record, ResourceHost, ResourceType, Variant

from tracefabric.sandbox.kv import KVBackend, KVLimitError, KVQuotaError, namespace_scope, session_scope

from .context import MAX_HTTP_REQUESTS, MAX_LOG_LINES, CallContext, ContextRegistry, OpenStore
from .outbound import OutboundError, OutboundHTTP

PACKAGE = "tracefabric:tool"
VERSION = "0.1.0"
STORE_RESOURCE_ID = 0x7F_0001
MAX_LOG_CHARS = 4000

_LEVELS = {
    "trace": logging.DEBUG,
    "debug": logging.DEBUG,
    "info": logging.INFO,
    "warn": logging.WARNING,
    "error": logging.ERROR,
}


def _ok(value: Any) -> Variant:
    return Variant("ok", value)


def _err(error: Variant) -> Variant:
    return Variant("err", error)


def _denied(message: str) -> Variant:
    return _err(Variant("access-denied", message))


def _other(message: str) -> Variant:
    return _err(Variant("other", message))


class HostImports:
    """Everything a guest can ask of the host. Owns the KV backend and the HTTP client."""

    def __init__(self, registry: ContextRegistry, kv: KVBackend, http: OutboundHTTP, scrub: Any) -> None:
        self.registry = registry
        self.kv = kv
        self.http = http
        self.scrub = scrub  # callable removing secret values from text

    def link(self, engine: Engine) -> Linker:
        linker = Linker(engine)
        with linker.root() as root:
            with root.add_instance(f"{PACKAGE}/key-value@{VERSION}") as kv:
                self._link_kv(kv)
            with root.add_instance(f"{PACKAGE}/outbound-http@{VERSION}") as http:
                http.add_func("send", self._http_send)
            with root.add_instance(f"{PACKAGE}/variables@{VERSION}") as variables:
                variables.add_func("get", self._variable_get)
            with root.add_instance(f"{PACKAGE}/logging@{VERSION}") as logging_:
                logging_.add_func("log", self._log)
        return linker

    # -- key-value --------------------------------------------------------------------
    def _link_kv(self, kv: Any) -> None:
        kv.add_resource("store", ResourceType.host(STORE_RESOURCE_ID), self._store_dropped)
        kv.add_func("[static]store.open", lambda store, label: self._open(store, label, shared=False))
        kv.add_func("[static]store.open-shared", lambda store, label: self._open(store, label, shared=True))
        kv.add_func("[method]store.get", self._get)
        kv.add_func("[method]store.set", self._set)
        kv.add_func("[method]store.delete", self._delete)
        kv.add_func("[method]store.exists", self._exists)
        kv.add_func("[method]store.get-keys", self._get_keys)
        kv.add_func("[method]store.get-keys-with-prefix", self._get_keys_with_prefix)
        kv.add_func("[method]store.increment", self._increment)

    def _open(self, store: Any, label: str, *, shared: bool) -> Any:
        try:
            ctx = self.registry.get(store)
        except LookupError as exc:
            return _other(str(exc))
        grants = ctx.grants
        if label not in grants.stores:
            return _denied(
                f"key-value store {label!r} is not granted to component {grants.component!r} "
                f"(the manifest's key_value_stores lists: {sorted(grants.stores) or 'nothing'})"
            )
        if shared and label not in grants.shared_stores:
            return _denied(
                f"store {label!r} is not listed in shared_key_value_stores of {grants.component!r}"
            )
        if not shared and ctx.session_id is None:
            return _denied(
                f"no session in a {ctx.kind} request: session stores are only open during tool calls"
            )
        rep = ctx.stores.add(OpenStore(label, shared))
        if rep is None:
            return _err(Variant("store-table-full"))
        return _ok(ResourceHost.own(rep, STORE_RESOURCE_ID))

    def _store_dropped(self, store: Any, rep: int) -> None:
        try:
            self.registry.get(store).stores.open.pop(rep, None)
        except LookupError:
            pass  # dropped with its instance, after the call

    def _resolve(self, store: Any, handle: Any, *, write: bool) -> tuple[str, str] | Variant:
        """(label, scope) of a store handle, or an `err` result."""
        rep = handle.to_host(store).rep  # also ends the borrow
        try:
            ctx: CallContext = self.registry.get(store)
        except LookupError as exc:
            return _other(str(exc))
        opened = ctx.stores.open.get(rep)
        if opened is None:
            return _other("unknown store handle")
        if opened.shared:
            if write and ctx.kind != "manage":
                return _denied(f"shared store {opened.label!r} is read-only during tool calls")
            return opened.label, namespace_scope(ctx.namespace)
        if ctx.session_id is None:
            return _denied("no session in this request")
        if write:
            ctx.kv_writes += 1
        return opened.label, session_scope(ctx.session_id)

    def _kv(self, store: Any, handle: Any, write: bool, op: Any) -> Any:
        target = self._resolve(store, handle, write=write)
        if isinstance(target, Variant):
            return target
        label, scope = target
        try:
            return _ok(op(label, scope))
        except KVQuotaError as exc:
            return _other(str(exc))  # names the limit: the guest SDK makes it ResourceExhausted
        except KVLimitError as exc:
            return _other(f"limit exceeded: {exc}")
        except (sqlite3.Error, OSError, ValueError) as exc:
            return _other(f"storage error: {exc}")

    def _get(self, store: Any, handle: Any, key: str) -> Any:
        return self._kv(store, handle, False, lambda label, scope: self.kv.get(label, scope, key))

    def _set(self, store: Any, handle: Any, key: str, value: bytes) -> Any:
        return self._kv(
            store, handle, True, lambda label, scope: self.kv.set(label, scope, key, bytes(value))
        )

    def _delete(self, store: Any, handle: Any, key: str) -> Any:
        def op(label: str, scope: str) -> None:
            self.kv.delete(label, scope, key)

        return self._kv(store, handle, True, op)

    def _exists(self, store: Any, handle: Any, key: str) -> Any:
        return self._kv(store, handle, False, lambda label, scope: self.kv.exists(label, scope, key))

    def _get_keys(self, store: Any, handle: Any) -> Any:
        return self._kv(store, handle, False, lambda label, scope: self.kv.keys(label, scope))

    def _get_keys_with_prefix(self, store: Any, handle: Any, prefix: str) -> Any:
        return self._kv(store, handle, False, lambda label, scope: self.kv.keys(label, scope, prefix))

    def _increment(self, store: Any, handle: Any, key: str, delta: int) -> Any:
        return self._kv(store, handle, True, lambda label, scope: self.kv.increment(label, scope, key, delta))

    # -- outbound HTTP ----------------------------------------------------------------
    def _http_send(self, store: Any, request: Any) -> Any:
        try:
            ctx = self.registry.get(store)
        except LookupError as exc:
            return _err(Variant("transport", str(exc)))
        ctx.http_requests += 1
        if ctx.http_requests > MAX_HTTP_REQUESTS:
            return _err(Variant("too-large", f"more than {MAX_HTTP_REQUESTS} outbound requests in one call"))
        try:
            allowlist = ctx.grants.hosts
        except Exception as exc:  # a template naming a missing variable, say
            return _err(Variant("denied", self.scrub(f"outbound hosts unavailable: {exc}")))
        timeout = min(30.0, ctx.grants.config.timeout_ms / 1000)
        body = None if request.body is None else bytes(request.body)
        try:
            response = self.http.send(
                allowlist, request.method, request.url, list(request.headers), body, timeout=timeout
            )
        except OutboundError as exc:
            return _err(Variant(exc.kind, self.scrub(exc.message)))
        record = Record()
        record.status = response.status
        record.headers = response.headers
        record.body = response.body
        return _ok(record)

    # -- variables --------------------------------------------------------------------
    def _variable_get(self, store: Any, name: str) -> Any:
        try:
            ctx = self.registry.get(store)
        except LookupError as exc:
            return _err(Variant("other", str(exc)))
        grants = ctx.grants
        if name not in grants.config.variables:
            return _err(
                Variant(
                    "undefined",
                    f"variable {name!r} is not granted to component {grants.component!r} "
                    "(declare it under [component.NAME.variables] in the manifest)",
                )
            )
        try:
            return _ok(grants.variables[name])
        except Exception as exc:
            return _err(Variant("provider", self.scrub(str(exc))))

    # -- logging ----------------------------------------------------------------------
    def _log(self, store: Any, level: str, message: str) -> None:
        try:
            ctx = self.registry.get(store)
        except LookupError:
            return
        ctx.log_lines += 1
        if ctx.log_lines > MAX_LOG_LINES:
            return
        # Redacted before clipping: a clip must not keep half a secret.
        text = self.scrub(message[: 2 * MAX_LOG_CHARS])[:MAX_LOG_CHARS]
        logging.getLogger(f"tracefabric.components.{ctx.grants.component}").log(
            _LEVELS.get(level, logging.INFO), "[%s] %s", ctx.session_id or ctx.kind, text
        )

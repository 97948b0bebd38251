"""A test component that pokes at every capability, to check what the host allows.

It is deliberately nosy: it lists every key it can see, opens stores it was not granted,
fetches URLs, reads variables, and can exhaust memory or CPU on request.
"""

from tracefabric.guest import Component, kv, variables
from tracefabric.guest import http as guest_http

component = Component("probe")


@component.tool()
def put(key: str, value: str, label: str = "default") -> str:
    kv.open(label).set(key, value)
    return "ok"


@component.tool()
def get(key: str, label: str = "default") -> str:
    value = kv.open(label).get_text(key)
    return "<missing>" if value is None else value


@component.tool()
def keys(label: str = "default", prefix: str = "") -> list:
    """Every key this component can see in the store (the host scopes it to the session)."""
    return kv.open(label).keys(prefix)


@component.tool()
def count(key: str) -> int:
    return kv.open("default").increment(key, 1)


@component.tool()
def shared_put(key: str, value: str) -> str:
    kv.open_shared("shared").set(key, value)
    return "ok"


@component.tool()
def shared_get(key: str) -> str:
    value = kv.open_shared("shared").get_text(key)
    return "<missing>" if value is None else value


@component.tool()
def fetch(url: str) -> dict:
    response = guest_http.get(url)
    return {"status": response.status, "body": response.text[:200]}


@component.tool()
def var(name: str) -> str:
    return variables.get(name)


@component.tool()
def hog() -> str:
    """Allocate without bound (the SDK turns MemoryError into ResourceExhausted)."""
    blocks = []
    while True:
        blocks.append(bytearray(1 << 20))


@component.tool()
def spin() -> str:
    while True:
        pass


@component.tool()
def crash() -> str:
    raise RuntimeError("boom")


@component.operation("stats")
def stats(body, request):
    return {"namespace": component.context.namespace, "keys": kv.open_shared("shared").keys()}


@component.operation("seed")
def seed(body, request):
    kv.open_shared("shared").set("seeded", str(body.get("value", "")))
    return {"ok": True}


WitWorld = component.export()

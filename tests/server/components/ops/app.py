"""A test component for the tool server: a runaway tool, a fast one, and management operations."""

from tracefabric.guest import Component, ManageError, kv

component = Component("ops", warmup=[("echo", {"text": "warm"})])


@component.tool(description="Loop forever: the host's deadline must stop it.")
def spin() -> str:
    n = 0
    while True:
        n += 1


@component.tool(description="Answer the text back.")
def echo(text: str) -> str:
    return text


@component.tool(description="Remember a value in this session.")
def remember(value: str) -> str:
    kv.open("default").set("value", value)
    return "ok"


@component.operation("stats")
def stats(body, request):
    return {"method": request.get("method"), "body": body, "query": request.get("query")}


@component.operation("conflict")
def conflict(body, request):
    raise ManageError(409, "Conflict", "the operation conflicts with the current state")


@component.operation("crash")
def crash(body, request):
    raise RuntimeError("boom")


@component.operation("nan")
def nan(body, request):
    return {"value": float("nan")}


WitWorld = component.export()

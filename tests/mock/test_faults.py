"""Fault injection: seeded, keyed on (seed, session, call index), reproducible under any order."""

from __future__ import annotations

import json
import random
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from tracefabric.components.mock import faults
from tracefabric.mock import MockTools
from tracefabric.sandbox import Sandbox

from .conftest import WEATHER

CONFIG = {
    "seed": 11,
    "rate_limited": 0.25,
    "timeout": 0.1,
    "service_unavailable": 0.1,
    "retry_after": 7,
}
SESSIONS = [f"sess-{i}" for i in range(6)]
CALLS = 8


def _expected(seed: int, session: str, calls: int) -> list[str | None]:
    """What the documented formula says each call of `session` does."""
    profile = faults.profile_for(faults.normalize({**CONFIG, "seed": seed}) or {}, "get_weather")
    out: list[str | None] = []
    for index in range(1, calls + 1):
        fault = faults.choose(profile, faults.draw(seed, session, index))
        out.append(None if fault is None else faults.ERROR_TYPES[fault["kind"]])
    return out


def _run(mock: MockTools, session: str) -> list[str | None]:
    outcomes = []
    for _ in range(CALLS):
        result = mock.call("get_weather", {"city": "Paris"}, session)
        outcomes.append(result.error_type)
        if result.error_type:
            assert (
                result.meta["injected_fault"] == result.error_type
                and result.meta["mock"]["source"] == "fault"
            )
        else:
            assert "injected_fault" not in result.meta
    return outcomes


def _setup(sandbox: Sandbox, namespace: str, seed: int = 11) -> MockTools:
    mock = MockTools(sandbox, namespace)
    mock.load([WEATHER])
    mock.update_response("get_weather", {"temp": 20})
    mock.set_faults({**CONFIG, "seed": seed})
    return mock


def test_faults_follow_the_formula_in_any_scheduling(sandbox: Sandbox) -> None:
    mock = _setup(sandbox, "faults-a")
    expected = {s: _expected(11, s, CALLS) for s in SESSIONS}
    assert any(None in e for e in expected.values()) and any(
        t in e for e in expected.values() for t in ("RateLimited", "Timeout", "ServiceUnavailable")
    )
    # Sessions interleaved in a different random order in every wave, on threads: each still
    # sees its own sequence. (One call per session per wave: an agent's calls are sequential.)
    seen: dict[str, list[str | None]] = {s: [] for s in SESSIONS}

    def call(session: str) -> tuple[str, str | None]:
        return session, mock.call("get_weather", {"city": "Paris"}, session).error_type

    with ThreadPoolExecutor(4) as pool:
        for wave in range(CALLS):
            for session, error_type in pool.map(call, random.Random(wave).sample(SESSIONS, len(SESSIONS))):
                seen[session].append(error_type)
    assert seen == expected


def test_same_seed_replays_identically_and_another_seed_differs(tmp_path: Path) -> None:
    def sequences(data: str, seed: int) -> dict[str, list[str | None]]:
        with Sandbox.in_process(data_dir=tmp_path / data, pool_size=0) as sandbox:
            mock = _setup(sandbox, "replay", seed)
            first = {s: _run(mock, s) for s in SESSIONS[:3]}
            for s in SESSIONS[:3]:
                sandbox.end_session(s)  # a replay starts the session over: call index 1 again
            again = {s: _run(mock, s) for s in reversed(SESSIONS[:3])}
            assert again == first
            return first

    original = sequences("one", 11)
    assert original == sequences("two", 11)  # another process, another store: same outcomes
    assert original == {s: _expected(11, s, CALLS) for s in SESSIONS[:3]}
    assert original != sequences("three", 12)


def test_rate_limited_answer_looks_real_and_the_trace_marks_it(sandbox: Sandbox) -> None:
    mock = MockTools(sandbox, "rl")
    mock.load([WEATHER])
    mock.set_faults({"seed": 1, "rate_limited": 1.0, "retry_after": 30})
    result = mock.call("get_weather", {"city": "Paris"}, "s1")
    assert not result.success and result.error_type == "RateLimited"
    body = json.loads(result.result)
    assert body["error"]["code"] == 429 and body["error"]["retry_after"] == 30
    assert "Retry after 30 seconds" in body["error"]["message"]
    assert (
        "mock" not in result.result.lower() and "inject" not in result.result.lower()
    )  # the model can't tell
    assert result.meta == {
        "injected_fault": "RateLimited",
        "retry_after": 30,
        "mock": {"source": "fault", "call": 1},
    }


def test_per_tool_faults_custom_bodies_and_clearing(sandbox: Sandbox) -> None:
    mock = MockTools(sandbox, "custom")
    pay = {"name": "pay", "inputSchema": {"type": "object", "properties": {"card": {"type": "string"}}}}
    mock.load([WEATHER, pay])
    mock.set_faults(
        {
            "tools": {
                "pay": {
                    "custom": [
                        {
                            "rate": 1.0,
                            "error_type": "CardDeclined",
                            "body": {"error": "card {{card}} was declined"},
                        }
                    ]
                }
            }
        }
    )
    declined = mock.call("pay", {"card": "4242"}, "s1")
    assert declined.error_type == "CardDeclined"
    assert json.loads(declined.result) == {"error": "card 4242 was declined"}
    assert declined.meta["injected_fault"] == "CardDeclined"
    assert mock.call("get_weather", {"city": "Paris"}, "s1").success  # other tools unaffected
    assert mock.list()["faults"]["tools"]["pay"]["custom"][0]["error_type"] == "CardDeclined"
    mock.clear_faults()
    assert mock.faults() is None and mock.call("pay", {"card": "4242"}, "s1").success


def test_faults_from_a_data_file(sandbox: Sandbox, tmp_path: Path) -> None:
    data = tmp_path / "data.yaml"
    data.write_text(
        "faults:\n  seed: 5\n  tools:\n    get_weather:\n      timeout: 1.0\n      timeout_after: 12\n"
    )
    mock = MockTools(sandbox, "from-file")
    mock.load([WEATHER])
    mock.load(data)
    result = mock.call("get_weather", {"city": "Oslo"}, "s1")
    assert result.error_type == "Timeout" and "timed out after 12 seconds" in result.result

"""Each cloud adapter through its real SDK against the stub server speaking its wire format."""

from __future__ import annotations

import json
from typing import Literal

import pytest
from pydantic import BaseModel, Field

from tracefabric.llm import FakeClock, ProviderError, ValidationFailed
from tracefabric.llm.testing import Reply, StubServer

from .helpers import API_KEY, cloud_llm, run

PROVIDERS = ["openai", "anthropic", "gemini"]


class Topic(BaseModel):
    title: str
    keywords: list[str]
    difficulty: Literal["easy", "hard"]
    weight: int = 3  # optional with a default: strict mode sends it nullable


MESSAGES = [{"role": "system", "content": "You write topics."}, {"role": "user", "content": "One topic."}]
GOOD = {"title": "Reading files", "keywords": ["io"], "difficulty": "easy"}


@pytest.mark.parametrize("provider", PROVIDERS)
def test_structured_answer_is_parsed_and_validated(stub: StubServer, provider: str) -> None:
    stub.script(Reply(content=GOOD))
    llm = cloud_llm(stub, provider)
    result = run(llm.structured(MESSAGES, Topic))
    assert result.value == Topic(title="Reading files", keywords=["io"], difficulty="easy")
    assert result.usage.provider == provider
    assert result.usage.model == "test-model"
    assert result.usage.prompt_tokens > 0 and result.usage.completion_tokens > 0
    assert (result.usage.attempts, result.usage.retries, result.usage.repairs) == (1, 0, 0)
    assert len(stub.requests) == 1


@pytest.mark.parametrize("provider", PROVIDERS)
def test_invalid_answer_is_repaired_with_the_validation_error(stub: StubServer, provider: str) -> None:
    bad = {"title": "x", "keywords": "not a list", "difficulty": "easy"}
    stub.script(Reply(content=bad), Reply(content=GOOD))
    llm = cloud_llm(stub, provider)
    result = run(llm.structured(MESSAGES, Topic))
    assert result.value.keywords == ["io"]
    assert result.usage.repairs == 1 and result.usage.attempts == 2
    second = json.dumps(stub.requests[1].body)
    assert "keywords" in second and "does not match the schema" in second


@pytest.mark.parametrize("provider", ["openai", "gemini"])
def test_unparseable_json_is_repaired(stub: StubServer, provider: str) -> None:
    stub.script(Reply(content='{"title": "x", '), Reply(content=GOOD))
    result = run(cloud_llm(stub, provider).structured(MESSAGES, Topic))
    assert result.value.title == "Reading files"
    assert "not valid JSON" in json.dumps(stub.requests[1].body)


@pytest.mark.parametrize("provider", PROVIDERS)
def test_repairs_exhausted_raise_with_the_raw_output(stub: StubServer, provider: str) -> None:
    bad = {"title": "x", "keywords": [], "difficulty": "medium"}
    stub.script(*[Reply(content=bad)] * 3)
    llm = cloud_llm(stub, provider, repair_attempts=2)
    with pytest.raises(ValidationFailed) as caught:
        run(llm.structured(MESSAGES, Topic))
    assert "medium" in caught.value.raw
    assert "after 3 tries" in str(caught.value)
    assert len(stub.requests) == 3


@pytest.mark.parametrize("provider", PROVIDERS)
def test_429_waits_for_retry_after_then_succeeds(stub: StubServer, provider: str) -> None:
    stub.script(Reply(status=429, message="slow down", headers={"retry-after": "7"}), Reply(content=GOOD))
    clock = FakeClock(auto_advance=True)
    llm = cloud_llm(stub, provider, clock=clock)
    result = run(llm.structured(MESSAGES, Topic))
    assert result.value.title == "Reading files"
    assert result.usage.retries == 1 and len(stub.requests) == 2
    assert max(clock.sleeps) >= 7.0  # the server's Retry-After was honoured before the retry
    assert llm.limiter.rate_limited == 1


@pytest.mark.parametrize("provider", PROVIDERS)
def test_500_is_retried(stub: StubServer, provider: str) -> None:
    stub.script(Reply(status=500, message="boom"), Reply(status=503, message="busy"), Reply(content=GOOD))
    clock = FakeClock(auto_advance=True)
    result = run(cloud_llm(stub, provider, clock=clock).structured(MESSAGES, Topic))
    assert result.usage.retries == 2 and len(stub.requests) == 3
    assert len(clock.sleeps) >= 2 and all(s > 0 for s in clock.sleeps[:2])


@pytest.mark.parametrize("provider", PROVIDERS)
def test_retries_give_up_after_max_retries(stub: StubServer, provider: str) -> None:
    stub.script(*[Reply(status=500, message="still broken")] * 3)
    with pytest.raises(ProviderError) as caught:
        run(cloud_llm(stub, provider, max_retries=2).structured(MESSAGES, Topic))
    assert caught.value.status == 500 and "still broken" in str(caught.value)
    assert len(stub.requests) == 3


@pytest.mark.parametrize("provider", PROVIDERS)
def test_401_fails_fast_with_one_clear_line(stub: StubServer, provider: str, monkeypatch) -> None:
    variable = {"openai": "OPENAI_API_KEY", "anthropic": "ANTHROPIC_API_KEY", "gemini": "GEMINI_API_KEY"}[
        provider
    ]
    monkeypatch.setenv(variable, "wrong-key")
    with pytest.raises(ProviderError) as caught:
        run(cloud_llm(stub, provider).structured(MESSAGES, Topic))
    message = str(caught.value)
    assert "\n" not in message
    assert "HTTP 401" in message and "invalid api key" in message and variable in message
    assert "wrong-key" not in message  # the key itself never appears
    assert caught.value.retryable is False
    assert len(stub.requests) == 1


@pytest.mark.parametrize("provider", PROVIDERS)
def test_400_fails_fast(stub: StubServer, provider: str) -> None:
    stub.script(Reply(status=400, message="model does not exist"))
    with pytest.raises(ProviderError, match="model does not exist"):
        run(cloud_llm(stub, provider).text(MESSAGES))
    assert len(stub.requests) == 1


@pytest.mark.parametrize("provider", PROVIDERS)
def test_timeout_is_retried(stub: StubServer, provider: str) -> None:
    stub.script(Reply(content=GOOD, delay=3.0), Reply(content=GOOD))
    llm = cloud_llm(stub, provider, timeout=0.5)
    result = run(llm.structured(MESSAGES, Topic))
    assert result.value.title == "Reading files"
    assert result.usage.retries == 1


@pytest.mark.parametrize("provider", PROVIDERS)
def test_plain_text(stub: StubServer, provider: str) -> None:
    stub.script(Reply(content="Hello there"))
    result = run(cloud_llm(stub, provider).text(MESSAGES))
    assert result.value == "Hello there"
    assert result.usage.completion_tokens > 0


@pytest.mark.parametrize("provider", PROVIDERS)
def test_keys_are_sent_to_the_server(stub: StubServer, provider: str) -> None:
    run(cloud_llm(stub, provider).text(MESSAGES))
    headers = stub.requests[0].headers
    assert API_KEY in (
        headers.get("authorization", "") + headers.get("x-api-key", "") + headers.get("x-goog-api-key", "")
    )


# -- agent-style answers: oneOf over tools, const names, per-tool argument schemas ---------------

AGENT_STEP = {
    "type": "object",
    "properties": {
        "thought": {"type": "string"},
        "tool_calls": {
            "type": "array",
            "items": {
                "oneOf": [
                    {
                        "type": "object",
                        "properties": {
                            "name": {"const": "read_file"},
                            "arguments": {
                                "type": "object",
                                "properties": {"path": {"type": "string"}},
                                "required": ["path"],
                                "additionalProperties": False,
                            },
                        },
                        "required": ["name", "arguments"],
                        "additionalProperties": False,
                    },
                    {
                        "type": "object",
                        "properties": {
                            "name": {"const": "write_file"},
                            "arguments": {
                                "type": "object",
                                "properties": {
                                    "path": {"type": "string"},
                                    "content": {"type": "string"},
                                    "append": {"type": "boolean"},
                                },
                                "required": ["path", "content"],
                                "additionalProperties": False,
                            },
                        },
                        "required": ["name", "arguments"],
                        "additionalProperties": False,
                    },
                ]
            },
        },
        "final_answer": {"type": "string"},
    },
    "required": ["thought", "tool_calls"],
    "additionalProperties": False,
}


@pytest.mark.parametrize("provider", PROVIDERS)
def test_agent_tool_call_union(stub: StubServer, provider: str) -> None:
    answer = {
        "thought": "write it",
        "tool_calls": [{"name": "write_file", "arguments": {"path": "a.txt", "content": "hi"}}],
    }
    stub.script(Reply(content=answer))
    result = run(cloud_llm(stub, provider).structured(MESSAGES, AGENT_STEP, name="agent_step"))
    assert result.value == answer


def test_openai_strict_nulls_for_optional_fields_are_dropped(stub: StubServer) -> None:
    # A strict-mode model fills every property; null means "absent" for optional ones.
    answer = {
        "thought": "t",
        "tool_calls": [{"name": "write_file", "arguments": {"path": "a", "content": "b", "append": None}}],
        "final_answer": None,
    }
    stub.script(Reply(content=answer), Reply(content={**GOOD, "weight": None}))
    llm = cloud_llm(stub, "openai")
    result = run(llm.structured(MESSAGES, AGENT_STEP))
    assert result.value == {
        "thought": "t",
        "tool_calls": [{"name": "write_file", "arguments": {"path": "a", "content": "b"}}],
    }
    topic = run(llm.structured(MESSAGES, Topic))
    assert topic.value.weight == 3  # the pydantic default applies


def test_openai_sends_the_strict_schema(stub: StubServer) -> None:
    run(cloud_llm(stub, "openai").structured(MESSAGES, AGENT_STEP, name="agent step"))
    body = stub.requests[0].body
    fmt = body["response_format"]
    assert fmt["type"] == "json_schema" and fmt["json_schema"]["strict"] is True
    assert fmt["json_schema"]["name"] == "agent_step"
    schema = fmt["json_schema"]["schema"]
    assert schema["required"] == ["thought", "tool_calls", "final_answer"]
    assert schema["properties"]["final_answer"]["type"] == ["string", "null"]
    branches = schema["properties"]["tool_calls"]["items"]["anyOf"]
    assert branches[0]["properties"]["name"] == {"enum": ["read_file"], "type": "string"}
    assert "oneOf" not in json.dumps(schema) and "const" not in json.dumps(schema)
    assert body["max_tokens"] == 1024 and body["temperature"] == 0.7


def test_openai_falls_back_to_json_mode_when_json_schema_is_rejected(stub: StubServer) -> None:
    stub.script(
        Reply(status=400, message="response_format.type 'json_schema' is not supported by this model"),
        Reply(content=GOOD),
        Reply(content=GOOD),
    )
    llm = cloud_llm(stub, "openai")
    assert run(llm.structured(MESSAGES, Topic)).value.title == "Reading files"
    retry = stub.requests[1].body
    assert retry["response_format"] == {"type": "json_object"}
    assert "JSON schema" in retry["messages"][0]["content"]  # the schema moved into the prompt
    run(llm.structured(MESSAGES, Topic))  # the mode is remembered: no second rejection
    assert stub.requests[2].body["response_format"] == {"type": "json_object"}
    assert len(stub.requests) == 3


def test_openai_drops_a_parameter_the_model_rejects(stub: StubServer) -> None:
    stub.script(
        Reply(status=400, message="Unsupported value: 'temperature' does not support 0.7"),
        Reply(content="ok"),
    )
    run(cloud_llm(stub, "openai").text(MESSAGES))
    assert "temperature" in stub.requests[0].body and "temperature" not in stub.requests[1].body


def test_openai_non_object_root_is_wrapped(stub: StubServer) -> None:
    schema = {"type": "array", "items": {"type": "string"}}
    stub.script(Reply(content={"value": ["a", "b"]}))
    result = run(cloud_llm(stub, "openai").structured(MESSAGES, schema))
    assert result.value == ["a", "b"]
    assert stub.requests[0].body["response_format"]["json_schema"]["schema"]["type"] == "object"


def test_anthropic_uses_a_forced_tool_and_the_system_field(stub: StubServer) -> None:
    run(cloud_llm(stub, "anthropic").structured(MESSAGES, Topic, name="topic"))
    body = stub.requests[0].body
    assert body["tool_choice"] == {"type": "tool", "name": "topic"}
    assert body["tools"][0]["input_schema"]["properties"]["difficulty"]["enum"] == ["easy", "hard"]
    assert body["system"] == "You write topics."
    assert [m["role"] for m in body["messages"]] == ["user"]
    assert "temperature" not in body  # API 2026-10-21 rejects sampling parameters


def test_gemini_schema_keeps_only_supported_keywords(stub: StubServer) -> None:
    class Item(BaseModel):
        name: str = Field(min_length=2, pattern="^[a-z]+$", default="ab")
        kind: Literal["tool"] = "tool"

    run(cloud_llm(stub, "gemini").structured(MESSAGES, Item))
    config = stub.requests[0].body["generationConfig"]
    assert config["responseMimeType"] == "application/json"
    schema = json.dumps(config["responseJsonSchema"])
    for dropped in ("minLength", "pattern", "default", "const"):
        assert dropped not in schema
    assert config["responseJsonSchema"]["properties"]["kind"]["enum"] == ["tool"]
    assert stub.requests[0].body["systemInstruction"]["parts"][0]["text"] == "You write topics."


def test_gemini_retry_info_detail_is_honoured(stub: StubServer) -> None:
    retry_info = {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "12s"}
    body = {
        "error": {"code": 429, "message": "quota", "status": "RESOURCE_EXHAUSTED", "details": [retry_info]}
    }
    stub.script(Reply(status=429, error_body=body), Reply(content=GOOD))
    clock = FakeClock(auto_advance=True)
    run(cloud_llm(stub, "gemini", clock=clock).structured(MESSAGES, Topic))
    assert max(clock.sleeps) >= 12.0


def test_anthropic_overloaded_529_is_retried_and_backs_off(stub: StubServer) -> None:
    stub.script(Reply(status=529, message="Overloaded"), Reply(content=GOOD))
    llm = cloud_llm(stub, "anthropic", max_concurrency=8)
    assert run(llm.structured(MESSAGES, Topic)).usage.retries == 1
    assert llm.limiter.concurrency.allowed < 8


@pytest.mark.parametrize("provider", ["ollama", "openrouter"])
def test_openai_compatible_shortcuts(stub: StubServer, provider: str) -> None:
    stub.script(Reply(content=GOOD))
    # ollama needs no key; this one sits behind a key-checking proxy, named by api_key_env.
    extra = {"api_key_env": "OPENAI_API_KEY"} if provider == "ollama" else {}
    result = run(cloud_llm(stub, provider, **extra).structured(MESSAGES, Topic))
    assert result.usage.provider == provider and result.value.difficulty == "easy"
    assert stub.requests[0].path == "/v1/chat/completions"

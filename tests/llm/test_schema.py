"""Schema rewrites: OpenAI strict, Gemini subset, ref inlining, null restoration, validation."""

from __future__ import annotations

import json
from typing import Any, Literal

import pytest
from pydantic import BaseModel, Field

from tracefabric.llm.schema import (
    drop_added_nulls,
    inline_refs,
    schema_of,
    to_gemini,
    to_openai_strict,
    validate_answer,
)
from tracefabric.llm.testing import example_for


class Address(BaseModel):
    city: str
    zip: str | None = None


class Person(BaseModel):
    name: str = Field(description="full name")
    age: int = 30
    home: Address
    others: list[Address] = []
    role: Literal["admin", "user"] = "user"


def test_strict_rewrite_requires_everything_and_forbids_extras() -> None:
    strict = to_openai_strict(schema_of(Person))
    schema = strict.schema
    assert strict.strict and strict.nulls_added
    assert schema["required"] == ["name", "age", "home", "others", "role"]
    assert schema["additionalProperties"] is False
    assert "$defs" not in schema and "$ref" not in json.dumps(schema)  # refs inlined
    home = schema["properties"]["home"]
    assert home["required"] == ["city", "zip"] and home["additionalProperties"] is False
    assert schema["properties"]["age"]["type"] == ["integer", "null"]  # optional -> nullable
    assert schema["properties"]["role"]["enum"] == ["admin", "user", None]
    assert "default" not in json.dumps(schema)
    assert schema["properties"]["name"]["description"] == "full name"
    assert schema["properties"]["name"]["type"] == "string"  # required stays non-null


def test_strict_rewrite_turns_oneof_and_const_into_anyof_and_enum() -> None:
    schema = {
        "type": "object",
        "properties": {
            "call": {
                "oneOf": [
                    {"type": "object", "properties": {"name": {"const": "a"}}, "required": ["name"]},
                    {"type": "object", "properties": {"name": {"const": 2}}, "required": ["name"]},
                ]
            }
        },
        "required": ["call"],
    }
    strict = to_openai_strict(schema)
    branches = strict.schema["properties"]["call"]["anyOf"]
    assert branches[0]["properties"]["name"] == {"enum": ["a"], "type": "string"}
    assert branches[1]["properties"]["name"] == {"enum": [2], "type": "integer"}
    assert all(b["additionalProperties"] is False for b in branches)
    assert strict.strict and not strict.nulls_added


@pytest.mark.parametrize(
    "schema",
    [
        {"type": "object", "properties": {"extra": {"type": "object", "additionalProperties": True}}},
        {"type": "object", "properties": {"extra": {"type": "object"}}},  # free-form
        {"type": "object", "properties": {"x": {"not": {"type": "null"}}}},
        {"type": "array", "items": {"type": "string"}},  # root is not an object
    ],
)
def test_schemas_strict_mode_cannot_express_are_sent_non_strict(schema: dict[str, Any]) -> None:
    assert to_openai_strict(schema).strict is False


def test_single_allof_is_merged() -> None:
    schema = {
        "type": "object",
        "properties": {"a": {"allOf": [{"$ref": "#/$defs/A"}], "description": "an A"}},
        "required": ["a"],
        "$defs": {"A": {"type": "object", "properties": {"x": {"type": "integer"}}, "required": ["x"]}},
    }
    out = to_openai_strict(schema).schema["properties"]["a"]
    assert out["description"] == "an A" and out["properties"]["x"]["type"] == "integer"
    assert "allOf" not in out


def test_recursive_refs_are_kept_with_their_definitions() -> None:
    class Node(BaseModel):
        value: int
        children: list[Node] = []

    inlined = inline_refs(schema_of(Node))
    assert "$ref" in json.dumps(inlined)
    assert "Node" in inlined["$defs"]


def test_added_nulls_are_dropped_but_real_nulls_kept() -> None:
    original = inline_refs(schema_of(Person))
    answer = {
        "name": "Ann",
        "age": None,
        "home": {"city": "Oslo", "zip": None},
        "others": None,
        "role": None,
    }
    restored = drop_added_nulls(answer, original)
    assert restored == {"name": "Ann", "home": {"city": "Oslo", "zip": None}}  # zip is nullable itself
    assert Person.model_validate(restored).age == 30


def test_added_nulls_inside_union_branches() -> None:
    schema = {
        "anyOf": [
            {
                "type": "object",
                "properties": {"kind": {"const": "a"}, "x": {"type": "integer"}},
                "required": ["kind"],
            },
            {
                "type": "object",
                "properties": {"kind": {"const": "b"}, "y": {"type": "string"}},
                "required": ["kind"],
            },
        ]
    }
    assert drop_added_nulls({"kind": "b", "y": None}, schema) == {"kind": "b"}


def test_gemini_subset() -> None:
    schema = {
        "type": "object",
        "properties": {
            "name": {"type": "string", "minLength": 1, "pattern": "x", "default": "a"},
            "kind": {"const": "tool"},
            "flag": {"enum": [True, False]},
            "maybe": {"enum": ["a", None]},
            "items": {"type": "array", "items": {"$ref": "#/$defs/I"}, "maxItems": 3, "uniqueItems": True},
        },
        "required": ["name"],
        "$defs": {"I": {"type": "integer", "exclusiveMinimum": 0, "minimum": 1}},
    }
    out = to_gemini(schema)
    assert out["properties"]["name"] == {"type": "string"}
    assert out["properties"]["kind"] == {"enum": ["tool"], "type": "string"}
    assert "enum" not in out["properties"]["flag"]
    assert out["properties"]["maybe"] == {"anyOf": [{"enum": ["a"]}, {"type": "null"}]}
    assert out["properties"]["items"] == {
        "type": "array",
        "items": {"type": "integer", "minimum": 1},
        "maxItems": 3,
    }
    assert "$defs" not in out


def test_validation_messages_name_the_place() -> None:
    with pytest.raises(ValueError, match=r"at home\.city"):
        validate_answer(Person, '{"name": "a", "home": {}}')
    with pytest.raises(ValueError, match="not valid JSON"):
        validate_answer(Person, '{"name": ')
    schema = {"type": "object", "properties": {"n": {"type": "integer"}}, "required": ["n"]}
    with pytest.raises(ValueError, match=r"at n: 'x' is not of type 'integer'"):
        validate_answer(schema, '{"n": "x"}')
    assert validate_answer(schema, '```json\n{"n": 1}\n```') == {"n": 1}


def test_schema_of_is_computed_once_per_model() -> None:
    assert schema_of(Person) is schema_of(Person)


def test_example_values_fit_their_schema() -> None:
    from jsonschema import Draft202012Validator

    for schema in (schema_of(Person), to_openai_strict(schema_of(Person)).schema):
        Draft202012Validator(schema).validate(example_for(schema))

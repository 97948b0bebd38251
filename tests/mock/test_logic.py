"""The mock's pure logic (the same modules the guest runs), tested directly on the host."""

from __future__ import annotations

import pytest

from tracefabric.components.mock import definitions, faults, matching
from tracefabric.components.mock.errors import FormatError
from tracefabric.components.mock.templates import has_placeholders, render
from tracefabric.mock.outputs import response_problem, schema_problem


# -- templates ------------------------------------------------------------------------------
def test_lone_placeholder_keeps_the_json_type() -> None:
    args = {"n": 5, "ok": True, "user": {"name": "Ada", "tags": ["x"]}, "none": None}
    assert render("{{n}}", args) == 5
    assert render("{{ ok }}", args) is True
    assert render("{{user}}", args) == {"name": "Ada", "tags": ["x"]}
    assert render("{{user.tags}}", args) == ["x"]
    assert render("{{none}}", args) is None


def test_placeholders_in_text_keys_and_nested_values() -> None:
    args = {"id": 7, "user": {"name": "Ada"}, "items": [{"sku": "A1"}]}
    template = {
        "user_{{id}}": {"greeting": "Hi {{user.name}} (#{{id}})", "list": ["{{items.0.sku}}", 1]},
        "raw": "{{user}}!",
    }
    assert render(template, args) == {
        "user_7": {"greeting": "Hi Ada (#7)", "list": ["A1", 1]},
        "raw": '{"name":"Ada"}!',
    }


def test_unknown_placeholders_stay_visible() -> None:
    assert render({"a": "{{missing}}", "b": "x {{nope.deeper}} y"}, {"a": 1}) == {
        "a": "{{missing}}",
        "b": "x {{nope.deeper}} y",
    }
    assert has_placeholders({"k": ["{{a}}"]}) and not has_placeholders({"k": ["{a}", "}}{{"]})


def test_a_dotted_argument_name_wins_over_the_nested_reading() -> None:
    assert render("{{a.b}}", {"a.b": 1, "a": {"b": 2}}) == 1
    assert render("{{a.b}}", {"a": {"b": 2}}) == 2


# -- matching -------------------------------------------------------------------------------
def _fixtures(*matches: dict) -> list[dict]:
    return [{"match": m, "response": i} for i, m in enumerate(matches)]


def test_the_most_specific_fixture_wins_then_insertion_order() -> None:
    fixtures = _fixtures({"city": "Paris"}, {"city": "Paris", "units": "metric"}, {"city": "Paris"}, {})
    assert matching.select(fixtures, {"city": "Paris", "units": "metric"}) == 1
    assert matching.select(fixtures, {"city": "Paris", "units": "imperial"}) == 0  # tie: first added
    assert matching.select(fixtures, {"city": "Rome"}) == 3  # the catch-all
    assert matching.select(_fixtures({"city": "Paris"}), {"city": "Rome"}) is None


def test_exact_beats_pattern_at_equal_count() -> None:
    fixtures = _fixtures({"city": {"$glob": "P*"}}, {"city": "Paris"})
    assert matching.select(fixtures, {"city": "Paris"}) == 1
    assert matching.select(fixtures, {"city": "Prague"}) == 0


def test_nested_paths_patterns_and_json_equality() -> None:
    args = {"customer": {"id": 3, "tier": "gold-plus"}, "items": [{"sku": "A-1"}], "flag": True, "n": 1}
    assert matching.specificity({"customer.id": 3}, args) == (1, 1)
    assert matching.specificity({"customer.id": 3.0}, args) == (1, 1)
    assert matching.specificity({"customer.id": "3"}, args) is None  # no string/number coercion
    assert matching.specificity({"flag": 1}, args) is None and matching.specificity({"n": True}, args) is None
    assert matching.specificity({"items.0.sku": {"$regex": "A-[0-9]"}}, args) == (1, 0)
    assert matching.specificity({"items.0.sku": {"$regex": "A"}}, args) is None  # whole string
    assert matching.specificity({"customer.tier": {"$glob": "gold*"}}, args) == (1, 0)
    assert matching.specificity({"customer": {"id": 3, "tier": "gold-plus"}}, args) == (1, 1)
    assert matching.specificity({"customer": {"id": 3}}, args) is None  # an object value is exact
    assert matching.specificity({"customer.missing": None}, args) is None
    assert matching.specificity({"n": {"$glob": "1"}}, args) is None  # patterns are for strings


def test_bad_match_specs_are_rejected_with_the_field() -> None:
    with pytest.raises(FormatError, match=r"m\.city: invalid regular expression"):
        matching.check_match({"city": {"$regex": "("}}, "m")
    with pytest.raises(FormatError, match="a pattern is one of"):
        matching.check_match({"city": {"$like": "x"}}, "m")
    with pytest.raises(FormatError, match="must be an object"):
        matching.check_match(["city"], "m")


def test_deepfabric_fixture_keys() -> None:
    assert matching.from_deepfabric_key("a=1,b=x,c=true,d=null,e=[1]", "k") == {
        "a": 1,
        "b": "x",
        "c": True,
        "d": None,
        "e": "[1]",
    }
    assert matching.fixture_key({"b": "x", "a": 1}) == "a=1,b=x"


# -- definitions ----------------------------------------------------------------------------
def test_documents_in_every_accepted_shape() -> None:
    tools = [{"name": "a", "mockResponse": {"x": 1}, "mockFixtures": {"q=1": {"y": 2}}}, {"name": "b"}]
    doc = definitions.document(tools)
    assert [t["name"] for t in doc.tools] == ["a", "b"]
    assert doc.tools[1]["inputSchema"] == {"type": "object", "properties": {}}
    assert doc.data["a"].response == {"x": 1} and doc.data["a"].fixtures == [
        {"match": {"q": 1}, "response": {"y": 2}}
    ]
    data = definitions.document(
        {
            "mockResponses": {"a": {"defaultResponse": 1, "fixtures": [{"match": {"k": 1}, "response": 2}]}},
            "fixtures": {"a": [{"match": {"k": 2}, "response": 3}]},
            "faults": {"seed": 3, "timeout": 0.5},
        }
    )
    assert data.data["a"].response == 1 and len(data.data["a"].fixtures) == 2
    assert data.faults == {"seed": 3, "default": {"timeout": 0.5}, "tools": {}}


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        ({"tools": [{"description": "x"}]}, r"tools\[0\]\.name: a tool name is"),
        ({"tools": [{"name": "a b"}]}, r"tools\[0\]\.name"),
        ({"tools": [{"name": "a", "inputSchema": []}]}, r"tools\[0\]\.inputSchema: must be"),
        ({"tools": [{"name": "a", "inputSchema": {"type": "array"}}]}, r"inputSchema\.type"),
        ({"tools": [{"name": "a", "annotations": {"readOnlyHint": "yes"}}]}, r"annotations\.readOnlyHint"),
        ({"tools": [{"name": "a"}, {"name": "a"}]}, r"tools\[1\]\.name: tool 'a' is defined twice"),
        ({"mockResponses": {"a": {"default": 1}}}, r"mockResponses\.a\.default: unknown field"),
        ({"fixtures": {"a": [{"match": {}}]}}, r"fixtures\.a\[0\]\.response: is required"),
        ({"tool": []}, r"tool: unknown field"),
        ({"faults": {"rate_limited": 2}}, r"faults\.rate_limited: must be a probability"),
        ({"faults": {"timeout": 0.6, "rate_limited": 0.6}}, r"faults: fault rates add up to 1\.2"),
        (
            {"faults": {"tools": {"a": {"custom": [{"rate": 0.1, "error_type": "bad type"}]}}}},
            r"custom\[0\]\.error_type",
        ),
        ("just text", "expected an object"),
    ],
)
def test_document_errors_name_the_field(doc: object, message: str) -> None:
    with pytest.raises(FormatError, match=message):
        definitions.document(doc)


# -- faults ---------------------------------------------------------------------------------
def test_the_draw_is_a_pure_function_of_seed_session_and_index() -> None:
    assert faults.draw(7, "s1", 3) == faults.draw(7, "s1", 3)
    draws = {faults.draw(seed, "s1", 1) for seed in range(50)}
    assert len(draws) == 50 and all(0 <= u < 1 for u in draws)


def test_choose_walks_the_cumulative_rates_and_tools_override() -> None:
    config = faults.normalize(
        {
            "rate_limited": 0.2,
            "timeout": 0.1,
            "custom": [{"rate": 0.1, "error_type": "CardDeclined", "message": "declined"}],
            "tools": {"pay": {"rate_limited": 0.0, "service_unavailable": 0.5}},
        }
    )
    assert config is not None
    default = faults.profile_for(config, "other")
    assert faults.choose(default, 0.1) == {"kind": "rate_limited"}
    assert faults.choose(default, 0.25) == {"kind": "timeout"}
    assert faults.choose(default, 0.35)["error_type"] == "CardDeclined"  # type: ignore[index]
    assert faults.choose(default, 0.45) is None
    pay = faults.profile_for(config, "pay")
    assert faults.choose(pay, 0.05) == {"kind": "timeout"}  # rate_limited overridden to 0
    assert faults.choose(pay, 0.3) == {"kind": "service_unavailable"}


def test_fault_errors_look_real_and_carry_hints() -> None:
    profile = faults.profile_for({"default": {"retry_after": 12}}, "t")
    error_type, text, meta = faults.error_for({"kind": "rate_limited"}, profile, {})
    assert error_type == "RateLimited" and "Retry after 12 seconds" in text and '"retry_after": 12' in text
    assert meta == {"injected_fault": "RateLimited", "retry_after": 12}
    custom = {"kind": "custom", "error_type": "CardDeclined", "body": {"error": "card {{card}} declined"}}
    assert faults.error_for(custom, profile, {"card": "4242"})[:2] == (
        "CardDeclined",
        '{"error": "card 4242 declined"}',
    )


# -- host-side JSON Schema checks -----------------------------------------------------------
OUTPUT = {
    "type": "object",
    "properties": {"id": {"type": "string"}, "count": {"type": "integer"}, "tags": {"type": "array"}},
    "required": ["id", "count"],
    "additionalProperties": False,
}


def test_output_checks_name_the_path_and_rule() -> None:
    assert response_problem(OUTPUT, {"id": "a", "count": 1}) is None
    assert (
        response_problem(OUTPUT, {"id": "a", "count": "1"})
        == "count: '1' is not of type 'integer' (rule: type)"
    )
    assert response_problem(OUTPUT, {"id": "a"}) == "count: 'count' is a required property (rule: required)"


def test_templates_are_judged_only_where_they_are_not_placeholders() -> None:
    assert response_problem(OUTPUT, {"id": "{{id}}", "count": "{{n}}"}, templated=True) is None
    assert response_problem(OUTPUT, {"id": "{{id}}", "count": "many"}, templated=True) is not None
    assert response_problem(OUTPUT, {"id": "x", "{{key}}": 1, "count": 2}, templated=True) is None
    assert (
        response_problem({"anyOf": [{"type": "integer"}, {"type": "null"}]}, "{{n}}", templated=True) is None
    )
    assert (
        response_problem({"anyOf": [{"type": "integer"}, {"type": "null"}]}, "n", templated=True) is not None
    )


def test_schema_problems() -> None:
    assert schema_problem({"type": "object"}) is None
    assert "not a valid JSON Schema" in (schema_problem({"type": "objekt"}) or "")
    assert schema_problem([]) == "must be a JSON Schema object"

r"""__component__: a tracefabric tool component, written with the Python guest SDK.

Each tool is a function with a JSON schema; the host checks arguments against the schema
before the function runs, and a raised ToolError becomes a structured failure the model
sees (`error_type` + message). Reference: docs/components.md.

    tracefabric component build __component__
    tracefabric tools call __component__ convert_temperature \
        --args '{"value": 100, "from_unit": "C", "to_unit": "F"}'
"""

from tracefabric.guest import Component, InvalidArguments

component = Component("__component__")

ABSOLUTE_ZERO = {"C": -273.15, "F": -459.67, "K": 0.0}


@component.tool(
    description="Convert a temperature between Celsius (C), Fahrenheit (F) and Kelvin (K).",
    input_schema={
        "type": "object",
        "properties": {
            "value": {"type": "number", "description": "The temperature to convert"},
            "from_unit": {"type": "string", "enum": ["C", "F", "K"]},
            "to_unit": {"type": "string", "enum": ["C", "F", "K"]},
        },
        "required": ["value", "from_unit", "to_unit"],
        "additionalProperties": False,
    },
)
def convert_temperature(value: float, from_unit: str, to_unit: str) -> dict:
    zero = ABSOLUTE_ZERO[from_unit]
    if value < zero:
        raise InvalidArguments(f"{value} {from_unit} is below absolute zero ({zero} {from_unit})")
    celsius = {"C": value, "F": (value - 32) * 5 / 9, "K": value - 273.15}[from_unit]
    converted = {"C": celsius, "F": celsius * 9 / 5 + 32, "K": celsius + 273.15}[to_unit]
    return {"value": round(converted, 2), "unit": to_unit}


# Standard-library imports work anywhere in this file (the build bundles them); there is no
# clock, OS randomness or filesystem, so that every call replays the same (docs/components.md).
#
# Without `input_schema`, the schema is derived from the signature (str, int, float, bool,
# list[...], dict, Literal[...], dataclasses; parameters with defaults are optional).
#
# The host's capabilities, each denied (error_type "CapabilityDenied") until the manifest
# grants it under [component.__component__]:
#
#   from tracefabric.guest import http, kv, log, variables
#   kv.open("default").set_json("last", {...})       # key_value_stores = ["default"]
#   http.get("https://api.example.com/v1/x").json()  # allowed_outbound_hosts = ["https://api.example.com"]
#   variables.get("api_key")                         # variables = { api_key = "{{ api_key }}" }
#   log.info("converted")                            # always allowed

WitWorld = component.export()

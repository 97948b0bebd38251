/*
 * __component__: a tracefabric tool component, written in C with the C guest SDK
 * (tracefabric.h, shipped with tracefabric; `python -m tracefabric.sandbox.build c --sdk-dir`
 * prints where). Reference: docs/components.md.
 *
 * Each tool is a handler plus a JSON schema; the host checks arguments against the schema
 * before the handler runs, and tf_fail() returns a structured failure the model sees
 * (`error_type` + message).
 *
 *     tracefabric component build __component__
 *     tracefabric tools call __component__ convert_temperature --args '{"value": 100, "from_unit": "C", "to_unit": "F"}'
 */
#include <math.h>

#include "tracefabric.h"

static const char CONVERT_SCHEMA[] =
    "{\"type\": \"object\","
    " \"properties\": {"
    "   \"value\": {\"type\": \"number\", \"description\": \"The temperature to convert\"},"
    "   \"from_unit\": {\"type\": \"string\", \"enum\": [\"C\", \"F\", \"K\"]},"
    "   \"to_unit\": {\"type\": \"string\", \"enum\": [\"C\", \"F\", \"K\"]}},"
    " \"required\": [\"value\", \"from_unit\", \"to_unit\"],"
    " \"additionalProperties\": false}";

static double absolute_zero(char unit) { return unit == 'C' ? -273.15 : unit == 'F' ? -459.67 : 0.0; }

static int convert_temperature(tf_call *call, const tf_json *args) {
    double value = tf_json_as_number(tf_json_get(args, "value"), 0.0);
    /* The schema's enum guarantees "C", "F" or "K". */
    char from = tf_json_as_str(tf_json_get(args, "from_unit")).ptr[0];
    char to = tf_json_as_str(tf_json_get(args, "to_unit")).ptr[0];
    if (value < absolute_zero(from)) {
        return tf_fail(call, TF_INVALID_ARGUMENTS, "%g %c is below absolute zero (%g %c)", value, from,
                       absolute_zero(from), from);
    }
    double celsius = from == 'C' ? value : from == 'F' ? (value - 32) * 5 / 9 : value - 273.15;
    double converted = to == 'C' ? celsius : to == 'F' ? celsius * 9 / 5 + 32 : celsius + 273.15;

    tf_writer *w = tf_result_json(call); /* the result is this JSON value, as text */
    tf_write_begin_object(w);
    tf_write_key(w, "value");
    tf_write_number(w, round(converted * 100) / 100);
    tf_write_key(w, "unit");
    tf_write_str(w, (tf_str){&to, 1});
    tf_write_end_object(w);
    return 0;
}

/*
 * The host's capabilities, each denied (error_type "CapabilityDenied") until the manifest
 * grants it under [component.__component__]:
 *
 *   tf_store s; if (tf_kv_open(call, "default", &s)) return -1;   key_value_stores = ["default"]
 *   tf_http_response r; tf_http_get(call, TF_STR("https://api.example.com/v1/x"), &r);
 *                                            allowed_outbound_hosts = ["https://api.example.com"]
 *   tf_str key; tf_variable(call, "api_key", &key);   variables = { api_key = "{{ api_key }}" }
 *   tf_log(TF_LOG_INFO, "converted %g", value);         always allowed
 */

static const tf_tool TOOLS[] = {
    {"convert_temperature", "Convert a temperature between Celsius (C), Fahrenheit (F) and Kelvin (K).",
     CONVERT_SCHEMA, convert_temperature},
};

TF_COMPONENT("__component__", TOOLS);

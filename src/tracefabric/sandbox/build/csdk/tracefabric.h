/*
 * tracefabric C guest SDK: write tool components in C for the `tracefabric:tool` world.
 *
 * A component is a table of tools plus one TF_COMPONENT line:
 *
 *     #include "tracefabric.h"
 *
 *     static int greet(tf_call *call, const tf_json *args) {
 *         tf_str name = tf_json_as_str(tf_json_get(args, "name"));
 *         return tf_result_printf(call, "Hello, %.*s!", TF_ARG_STR(name));
 *     }
 *
 *     static const tf_tool TOOLS[] = {
 *         {"greet", "Greet someone by name",
 *          "{\"type\":\"object\",\"properties\":{\"name\":{\"type\":\"string\"}},\"required\":[\"name\"]}",
 *          greet},
 *     };
 *     TF_COMPONENT("hello", TOOLS);
 *
 * Build it with `python -m tracefabric.sandbox.build c -o hello.wasm hello.c` (clang, wasi-libc,
 * lld and wasm-tools; see docs/components.md). The SDK implements the canonical-ABI glue for
 * the world by hand, so the component imports nothing but tracefabric's own interfaces.
 *
 * Conventions
 * - Strings are UTF-8 `tf_str` (pointer + length). Strings the SDK hands out are also
 *   NUL-terminated, so `.ptr` can go to C functions expecting a C string.
 * - Everything the SDK allocates for a call (parsed arguments, host answers, tf_alloc,
 *   tf_sprintf) lives in a per-call arena freed when the call returns. Keep state that must
 *   outlive a call in the key-value store.
 * - Functions that can fail return 0 on success, or -1 after recording a structured error on
 *   the call (e.g. CapabilityDenied when the manifest grants no such store). A handler that
 *   returns that -1 fails the tool call with the recorded error, like an exception would:
 *
 *       if (tf_kv_open(call, "default", &store)) return -1;
 *
 * - Arguments arrive already validated by the host against the tool's inputSchema.
 */
#ifndef TRACEFABRIC_H
#define TRACEFABRIC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- strings and bytes ------------------------------------------------------------- */

typedef struct {
    const char *ptr;
    size_t len;
} tf_str;

typedef struct {
    const uint8_t *ptr;
    size_t len;
} tf_bytes;

typedef struct {
    tf_str *items;
    size_t len;
} tf_str_list;

/* A tf_str of a string literal (length known at compile time). */
#define TF_STR(literal) ((tf_str){(literal), sizeof(literal) - 1})
/* printf-style: tf_result_printf(call, "item " TF_FMT_STR, TF_ARG_STR(name)) */
#define TF_FMT_STR "%.*s"
#define TF_ARG_STR(s) (int)(s).len, (s).ptr

tf_str tf_cstr(const char *text);             /* a C string as tf_str ("" for NULL) */
tf_bytes tf_bytes_of(tf_str text);            /* the bytes of a string */
tf_str tf_str_of(tf_bytes bytes);             /* bytes as a string (no UTF-8 check) */
bool tf_str_eq(tf_str a, const char *b);      /* equal to a C string? */
bool tf_str_starts_with(tf_str text, const char *prefix);
tf_str tf_sprintf(const char *format, ...) __attribute__((format(printf, 1, 2)));
void *tf_alloc(size_t size);                  /* zeroed, call-scoped; NULL when out of memory */

/* ---- JSON values (read-only, parsed by the SDK) ------------------------------------- */

typedef enum {
    TF_JSON_NULL,
    TF_JSON_BOOL,
    TF_JSON_NUMBER,
    TF_JSON_STRING,
    TF_JSON_ARRAY,
    TF_JSON_OBJECT,
} tf_json_type;

typedef struct tf_json tf_json;

/* The type of a value; a missing value (NULL) reads as TF_JSON_NULL. */
tf_json_type tf_json_kind(const tf_json *value);
/* Member `key` of an object; NULL if absent or `object` is not an object. */
const tf_json *tf_json_get(const tf_json *object, const char *key);
/* Elements of an array, or members of an object (then tf_json_key_at names them). */
size_t tf_json_len(const tf_json *value);
const tf_json *tf_json_at(const tf_json *value, size_t index);
tf_str tf_json_key_at(const tf_json *object, size_t index);
/* Scalars, with a fallback when the value is missing or of another type. */
tf_str tf_json_as_str(const tf_json *value);                   /* "" unless a string */
int64_t tf_json_as_int(const tf_json *value, int64_t fallback); /* integral numbers only */
double tf_json_as_number(const tf_json *value, double fallback);
bool tf_json_as_bool(const tf_json *value, bool fallback);
bool tf_json_is_int(const tf_json *value);
/* Parse JSON text (e.g. an HTTP response body). On error returns -1 and records an
 * InvalidArguments error on `call` naming the offset. */
typedef struct tf_call tf_call;
int tf_json_parse(tf_call *call, tf_str text, const tf_json **out);

/* ---- JSON writer ---------------------------------------------------------------------- */

typedef struct tf_writer tf_writer;

void tf_write_begin_object(tf_writer *w);
void tf_write_end_object(tf_writer *w);
void tf_write_begin_array(tf_writer *w);
void tf_write_end_array(tf_writer *w);
void tf_write_key(tf_writer *w, const char *key);
void tf_write_key_str(tf_writer *w, tf_str key);
void tf_write_str(tf_writer *w, tf_str value);  /* invalid UTF-8 becomes U+FFFD */
void tf_write_cstr(tf_writer *w, const char *value);
void tf_write_int(tf_writer *w, int64_t value);
void tf_write_number(tf_writer *w, double value); /* 15 significant digits; NaN/inf → null */
void tf_write_bool(tf_writer *w, bool value);
void tf_write_null(tf_writer *w);
void tf_write_value(tf_writer *w, const tf_json *value); /* copy a parsed value */

/* ---- tools ---------------------------------------------------------------------------- */

/* Returns 0 on success (after setting a result) or -1 on failure (after tf_fail, or after an
 * SDK call that failed and recorded its error). */
typedef int (*tf_handler)(tf_call *call, const tf_json *args);

typedef struct {
    const char *name;
    const char *description;
    const char *input_schema; /* a JSON Schema object, as JSON text */
    tf_handler handler;
} tf_tool;

typedef struct {
    const char *name;
    const tf_tool *tools;
    size_t tool_count;
} tf_component;

/* Declare the component (exactly once per component). */
#define TF_COMPONENT(NAME, TOOLS) \
    const tf_component tf_component_def = {(NAME), (TOOLS), sizeof(TOOLS) / sizeof((TOOLS)[0])}
extern const tf_component tf_component_def;

/* What the call is about. */
tf_str tf_call_tool(const tf_call *call);
tf_str tf_call_session(const tf_call *call);  /* "" outside tool calls */
tf_str tf_call_namespace(const tf_call *call);

/* The result: plain text, formatted text, or a JSON value (sent as its text). */
int tf_result_text(tf_call *call, tf_str text);
int tf_result_printf(tf_call *call, const char *format, ...) __attribute__((format(printf, 2, 3)));
tf_writer *tf_result_json(tf_call *call);

/* A structured error: `error_type` is a catalogue name (below) or your own. Returns -1. */
int tf_fail(tf_call *call, const char *error_type, const char *format, ...)
    __attribute__((format(printf, 3, 4)));

#define TF_INVALID_ARGUMENTS "InvalidArguments"
#define TF_CAPABILITY_DENIED "CapabilityDenied"
#define TF_PERMISSION_DENIED "PermissionDenied"
#define TF_NOT_FOUND "NotFound"
#define TF_IO_ERROR "IOError"
#define TF_TIMEOUT "Timeout"
#define TF_RESOURCE_EXHAUSTED "ResourceExhausted"
#define TF_RATE_LIMITED "RateLimited"
#define TF_SERVICE_UNAVAILABLE "ServiceUnavailable"
#define TF_UNAUTHORIZED "Unauthorized"
#define TF_API_ERROR "APIError"

/* ---- key-value store (granted by the manifest's key_value_stores) -------------------- */

typedef struct {
    uint32_t handle;
} tf_store;

/* The store `label` scoped to the call's session (CapabilityDenied if not granted). */
int tf_kv_open(tf_call *call, const char *label, tf_store *out);
/* The store shared by every session of the namespace (read-only during tool calls). */
int tf_kv_open_shared(tf_call *call, const char *label, tf_store *out);
int tf_kv_get(tf_call *call, tf_store store, tf_str key, tf_bytes *value, bool *found);
int tf_kv_set(tf_call *call, tf_store store, tf_str key, tf_bytes value);
int tf_kv_delete(tf_call *call, tf_store store, tf_str key);
int tf_kv_exists(tf_call *call, tf_store store, tf_str key, bool *exists);
/* Keys starting with `prefix` (all keys for ""), in lexicographic order. */
int tf_kv_keys(tf_call *call, tf_store store, tf_str prefix, tf_str_list *keys);
/* Atomically add `delta` to the integer at `key` (0 if absent). */
int tf_kv_increment(tf_call *call, tf_store store, tf_str key, int64_t delta, int64_t *value);

/* ---- outbound HTTP (granted by allowed_outbound_hosts) ------------------------------- */

typedef struct {
    tf_str name;
    tf_str value;
} tf_header;

typedef struct {
    uint16_t status;
    tf_header *headers; /* names in lower case */
    size_t header_count;
    tf_bytes body;
} tf_http_response;

/* CapabilityDenied for a host the manifest does not allow; Timeout, ResourceExhausted,
 * InvalidArguments (bad URL) or ServiceUnavailable otherwise. `body` may be NULL. */
int tf_http_send(tf_call *call, const char *method, tf_str url, const tf_header *headers,
                 size_t header_count, const tf_bytes *body, tf_http_response *out);
int tf_http_get(tf_call *call, tf_str url, tf_http_response *out);
tf_str tf_http_header(const tf_http_response *response, const char *name); /* "" if absent */

/* ---- variables (granted by [component.NAME.variables]) ------------------------------- */

/* CapabilityDenied when the variable is not granted to this component. */
int tf_variable(tf_call *call, const char *name, tf_str *value);

/* ---- logging (to the host's log, as tracefabric.components.NAME) --------------------- */

typedef enum {
    TF_LOG_TRACE,
    TF_LOG_DEBUG,
    TF_LOG_INFO,
    TF_LOG_WARN,
    TF_LOG_ERROR,
} tf_log_level;

void tf_log(tf_log_level level, const char *format, ...) __attribute__((format(printf, 2, 3)));

#ifdef __cplusplus
}
#endif

#endif /* TRACEFABRIC_H */

/* A C component exercising the C guest SDK's corners: JSON, UTF-8, formatting, errors, KV. */
#include <string.h>

#include "tracefabric.h"

static const char ANY[] = "{\"type\": \"object\"}";
static const char TEXT[] = "{\"type\": \"object\", \"properties\": {\"text\": {\"type\": \"string\"}}, \"required\": [\"text\"]}";
static const char KEY_VALUE[] =
    "{\"type\": \"object\", \"properties\": {\"label\": {\"type\": \"string\"}, \"key\": {\"type\": \"string\"},"
    " \"value\": {\"type\": \"string\"}}, \"required\": [\"key\"]}";

/* The arguments, parsed and written back: a JSON round trip through the SDK. */
static int echo(tf_call *call, const tf_json *args) {
    tf_write_value(tf_result_json(call), args);
    return 0;
}

/* Parse `text` with tf_json_parse and write it back (or fail with the parser's message). */
static int parse(tf_call *call, const tf_json *args) {
    const tf_json *value;
    if (tf_json_parse(call, tf_json_as_str(tf_json_get(args, "text")), &value)) return -1;
    tf_write_value(tf_result_json(call), value);
    return 0;
}

/* Facts about the arguments, through the typed getters. */
static int inspect(tf_call *call, const tf_json *args) {
    tf_writer *w = tf_result_json(call);
    tf_write_begin_object(w);
    for (size_t i = 0; i < tf_json_len(args); i++) {
        const tf_json *value = tf_json_at(args, i);
        tf_write_key(w, tf_json_key_at(args, i).ptr);
        tf_write_begin_object(w);
        tf_write_key(w, "kind");
        tf_write_int(w, tf_json_kind(value));
        tf_write_key(w, "len");
        tf_write_int(w, (int64_t)tf_json_len(value));
        tf_write_key(w, "is_int");
        tf_write_bool(w, tf_json_is_int(value));
        tf_write_key(w, "int");
        tf_write_int(w, tf_json_as_int(value, -1));
        tf_write_key(w, "number");
        tf_write_number(w, tf_json_as_number(value, -1));
        tf_write_key(w, "bool");
        tf_write_bool(w, tf_json_as_bool(value, false));
        tf_write_end_object(w);
    }
    tf_write_end_object(w);
    return 0;
}

static int format(tf_call *call, const tf_json *args) {
    (void)args;
    return tf_result_printf(call, "%d|%lld|%u|%x|%s|%.3s|%c|%%|%g|%g|%g|%g|%g|%zu|%g", -42, (long long)INT64_MIN, 7u,
                            255u, "str", "abcdef", 'z', 0.1, 1e21, 1.5e-7, -2.5, 123456.789, (size_t)99, 1.0 / 3);
}

static int invalid_utf8(tf_call *call, const tf_json *args) {
    (void)args;
    static const char bytes[] = "ok \xff\xfe done \xe2\x82\xac \xc3";
    return tf_result_text(call, (tf_str){bytes, sizeof bytes - 1});
}

static int unbalanced(tf_call *call, const tf_json *args) {
    (void)args;
    tf_writer *w = tf_result_json(call);
    tf_write_begin_object(w);
    tf_write_key(w, "a");
    tf_write_begin_array(w);
    tf_write_end_object(w);
    return 0;
}

static int silent_failure(tf_call *call, const tf_json *args) {
    (void)call;
    (void)args;
    return -1;
}

static int custom_error(tf_call *call, const tf_json *args) {
    tf_str text = tf_json_as_str(tf_json_get(args, "text"));
    return tf_fail(call, "QuotaExceeded", "custom: " TF_FMT_STR, TF_ARG_STR(text));
}

/* set, get, exists, keys, delete on one store; the label defaults to "default". */
static int kv_roundtrip(tf_call *call, const tf_json *args) {
    tf_str label = tf_json_as_str(tf_json_get(args, "label"));
    tf_str key = tf_json_as_str(tf_json_get(args, "key"));
    tf_str value = tf_json_as_str(tf_json_get(args, "value"));
    tf_store store;
    tf_bytes got;
    bool found, exists_before, exists_after;
    tf_str_list keys;
    if (tf_kv_open(call, label.len ? label.ptr : "default", &store)) return -1;
    if (tf_kv_exists(call, store, key, &exists_before)) return -1;
    if (tf_kv_set(call, store, key, tf_bytes_of(value))) return -1;
    if (tf_kv_get(call, store, key, &got, &found)) return -1;
    if (tf_kv_keys(call, store, TF_STR(""), &keys)) return -1;
    tf_writer *w = tf_result_json(call);
    tf_write_begin_object(w);
    tf_write_key(w, "existed");
    tf_write_bool(w, exists_before);
    tf_write_key(w, "found");
    tf_write_bool(w, found);
    tf_write_key(w, "value");
    tf_write_str(w, tf_str_of(got));
    tf_write_key(w, "nul_terminated");
    tf_write_bool(w, got.ptr[got.len] == '\0');
    tf_write_key(w, "keys");
    tf_write_begin_array(w);
    for (size_t i = 0; i < keys.len; i++) tf_write_str(w, keys.items[i]);
    tf_write_end_array(w);
    if (tf_kv_delete(call, store, key)) return -1;
    if (tf_kv_exists(call, store, key, &exists_after)) return -1;
    tf_write_key(w, "exists_after_delete");
    tf_write_bool(w, exists_after);
    tf_write_end_object(w);
    return 0;
}

/* Many calls allocate and free through the arena: memory must not grow call after call. */
static int allocate(tf_call *call, const tf_json *args) {
    int64_t size = tf_json_as_int(tf_json_get(args, "bytes"), 1024);
    char *block = tf_alloc((size_t)size);
    if (block == NULL) return tf_fail(call, TF_RESOURCE_EXHAUSTED, "no memory for %lld bytes", (long long)size);
    memset(block, 'x', (size_t)size);
    return tf_result_printf(call, "%lld", (long long)size);
}

static const tf_tool TOOLS[] = {
    {"echo", "Echo the arguments", ANY, echo},
    {"parse", "Parse JSON text", TEXT, parse},
    {"inspect", "Describe the arguments", ANY, inspect},
    {"format", "Format numbers", NULL, format},
    {"invalid_utf8", "Return invalid UTF-8", NULL, invalid_utf8},
    {"unbalanced", "Write an unbalanced JSON result", NULL, unbalanced},
    {"silent_failure", "Fail without a message", NULL, silent_failure},
    {"custom_error", "Fail with a custom error type", TEXT, custom_error},
    {"kv_roundtrip", "Use the key-value store", KEY_VALUE, kv_roundtrip},
    {"allocate", "Allocate call-scoped memory", ANY, allocate},
};

TF_COMPONENT("probe", TOOLS);

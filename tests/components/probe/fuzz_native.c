/*
 * Drive the C SDK's request handling natively under AddressSanitizer and UBSan: truncated,
 * mutated and deeply nested requests must never read or write out of bounds, and every
 * response must be valid JSON. Inputs are exact-size heap copies (no NUL after them), so
 * reading one byte too far is caught. The host imports are stubbed: they answer errors.
 */
#include "tracefabric.c"

#include <stdio.h>

void abi_store_open(const char *l, size_t n, uint8_t *r) { (void)l, (void)n, memset(r, 0, 24), r[0] = 1, r[4] = 3; }
void abi_store_open_shared(const char *l, size_t n, uint8_t *r) { abi_store_open(l, n, r); }
void abi_store_get(uint32_t h, const char *k, size_t n, uint8_t *r) { (void)h, abi_store_open(k, n, r); }
void abi_store_set(uint32_t h, const char *k, size_t n, const uint8_t *v, size_t m, uint8_t *r) {
    (void)h, (void)v, (void)m, abi_store_open(k, n, r);
}
void abi_store_delete(uint32_t h, const char *k, size_t n, uint8_t *r) { (void)h, abi_store_open(k, n, r); }
void abi_store_exists(uint32_t h, const char *k, size_t n, uint8_t *r) { (void)h, abi_store_open(k, n, r); }
void abi_store_get_keys(uint32_t h, uint8_t *r) { (void)h, abi_store_open("", 0, r); }
void abi_store_get_keys_with_prefix(uint32_t h, const char *k, size_t n, uint8_t *r) { (void)h, abi_store_open(k, n, r); }
void abi_store_increment(uint32_t h, const char *k, size_t n, int64_t d, uint8_t *r) {
    (void)h, (void)d, abi_store_open(k, n, r), r[4] = 0, r[8] = 3;
}
void abi_store_drop(uint32_t h) { (void)h; }
void abi_http_send(const char *a, size_t b, const char *c, size_t d, const uint8_t *e, size_t f, int32_t g,
                   const uint8_t *h, size_t i, uint8_t *r) {
    (void)a, (void)b, (void)c, (void)d, (void)e, (void)f, (void)g, (void)h, (void)i;
    memset(r, 0, 24), r[0] = 1, r[4] = 4;
}
void abi_variables_get(const char *n, size_t l, uint8_t *r) { (void)n, (void)l, memset(r, 0, 24), r[0] = 1, r[4] = 1; }
void abi_log(int32_t level, const char *m, size_t n) { (void)level, (void)m, (void)n; }

static int echo(tf_call *call, const tf_json *args) {
    tf_write_value(tf_result_json(call), args);
    return 0;
}

static int parse(tf_call *call, const tf_json *args) {
    const tf_json *value;
    if (tf_json_parse(call, tf_json_as_str(tf_json_get(args, "text")), &value)) return -1;
    tf_write_value(tf_result_json(call), value);
    return 0;
}

static int use_store(tf_call *call, const tf_json *args) {
    tf_store store;
    int64_t n;
    (void)args;
    if (tf_kv_open(call, "default", &store)) return -1;
    if (tf_kv_increment(call, store, TF_STR("k"), 1, &n)) return -1;
    return tf_result_printf(call, "%lld", (long long)n);
}

static const tf_tool TOOLS[] = {
    {"echo", "Echo", "{\"type\": \"object\"}", echo},
    {"parse", "Parse", NULL, parse},
    {"use_store", "Store", NULL, use_store},
};
TF_COMPONENT("fuzz", TOOLS);

static const char *const SEEDS[] = {
    "{\"kind\":\"execute\",\"tool\":\"echo\",\"args\":{\"a\":[1,2.5e3,-0,true,false,null,"
    "\"x\\u00e9\\ud83d\\ude00\\ud800\",{\"b\":\"\\n\\t\\\"\"}],\"big\":-9223372036854775808},\"session_id\":\"s\"}",
    "{\"kind\":\"execute\",\"tool\":\"parse\",\"args\":{\"text\":\"[1,{\\\"a\\\":\\\"\\\\u12\\\"},1e999]\"}}",
    "{\"kind\":\"execute\",\"tool\":\"use_store\",\"args\":{}}",
    "{\"kind\":\"describe\",\"namespace\":\"n\"}",
    "{\"kind\":\"warmup\",\"labels\":[\"default\",\"x\",7]}",
    "{\"kind\":\"manage\",\"operation\":\"\xc3\xa9\"}",
    "{\"kind\":\"execute\",\"tool\":\"echo\",\"args\":{\"s\":\"\xe2\x82\xac\xf0\x9f\x98\x80\"}}",
};

static const char INTERESTING[] = "{}[]\",:\\u0123456789eE-+.tfn \xff\xc3\xa9\x80";
static uint64_t rng_state = 0x9E3779B97F4A7C15ull;
static size_t inputs;

static uint64_t next_random(void) {
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static void check(const char *data, size_t len) {
    char *exact = malloc(len ? len : 1);
    memcpy(exact, data, len);
    tf_str response = dispatch((tf_str){exact, len});
    const char *error;
    size_t offset;
    bool oom;
    if (json_parse(response, &error, &offset, &oom) == NULL || !utf8_valid(response)) {
        fprintf(stderr, "invalid response (%s at %zu) for input of %zu bytes: %.*s\n", error, offset, len,
                (int)response.len, response.ptr);
        exit(1);
    }
    arena_reset();
    free(exact);
    inputs++;
}

int main(void) {
    char buffer[4096];
    for (size_t s = 0; s < sizeof SEEDS / sizeof SEEDS[0]; s++) {
        size_t len = strlen(SEEDS[s]);
        for (size_t cut = 0; cut <= len; cut++) check(SEEDS[s], cut);
        for (int round = 0; round < 4000; round++) {
            memcpy(buffer, SEEDS[s], len);
            size_t n = len;
            int edits = 1 + (int)(next_random() % 4);
            for (int e = 0; e < edits && n > 0; e++) {
                size_t at = next_random() % n;
                char c = INTERESTING[next_random() % (sizeof INTERESTING - 1)];
                switch (next_random() % 3) {
                case 0: buffer[at] = c; break;
                case 1:
                    if (n + 1 < sizeof buffer) {
                        memmove(buffer + at + 1, buffer + at, n - at);
                        buffer[at] = c;
                        n++;
                    }
                    break;
                default:
                    memmove(buffer + at, buffer + at + 1, n - at - 1);
                    n--;
                }
            }
            check(buffer, n);
        }
    }
    /* Nesting far beyond the limit, in the request and inside a string to parse. */
    size_t depth = 3000;
    char *deep = malloc(2 * depth + 64);
    size_t n = (size_t)sprintf(deep, "{\"kind\":\"execute\",\"tool\":\"echo\",\"args\":{\"a\":");
    for (size_t i = 0; i < depth; i++) deep[n++] = '[';
    check(deep, n);
    free(deep);
    printf("ok %zu inputs\n", inputs);
    return 0;
}

/*
 * tracefabric C guest SDK: the implementation (see tracefabric.h for the API).
 *
 * What is in here, top to bottom:
 *   1. a per-call arena (every allocation of a call is freed in one go by cabi_post_handle);
 *   2. strings, UTF-8 checks, a small printf (wasi-libc's stdio would import WASI);
 *   3. a bounds-checked JSON reader and a JSON writer;
 *   4. the canonical-ABI glue for the tracefabric:tool@0.1.0 world, written by hand (no
 *      binding generator for C is available offline): imports with their flattened
 *      signatures, return areas read at the offsets the canonical ABI lays out, and the
 *      exports `handle`, `cabi_post_handle` and `cabi_realloc`;
 *   5. the request dispatcher (describe / execute / warmup / manage), mirroring the Python SDK.
 *
 * Only libc functions that import nothing are used (malloc, memcpy, strtod, libm), so the
 * linked module imports tracefabric's interfaces and nothing else; the build checks that.
 */
#include "tracefabric.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define TF_JSON_MAX_DEPTH 64
#define TF_MAX_NUMBER_CHARS 400
#define TF_CHUNK_SIZE (64 * 1024)
#define TF_MAX_CACHED_STORES 16

/* ======================================================================================
 * 1. The per-call arena
 * ====================================================================================== */

typedef struct tf_chunk {
    struct tf_chunk *next;
    size_t size; /* usable bytes after the header */
    size_t used;
} tf_chunk;

#define TF_CHUNK_HEADER ((sizeof(tf_chunk) + 15u) & ~(size_t)15u)

static tf_chunk *arena_current;
static uint8_t *arena_last;      /* the most recent allocation (may grow in place) */

static uint8_t *chunk_data(tf_chunk *chunk) { return (uint8_t *)chunk + TF_CHUNK_HEADER; }

static void *arena_alloc(size_t size, size_t align) {
    if (align == 0 || (align & (align - 1)) != 0) align = 8;
    tf_chunk *chunk = arena_current;
    if (chunk != NULL) {
        uintptr_t base = (uintptr_t)chunk_data(chunk);
        uintptr_t at = (base + chunk->used + (align - 1)) & ~(uintptr_t)(align - 1);
        if (at - base <= chunk->size && size <= chunk->size - (at - base)) {
            chunk->used = (at - base) + size;
            arena_last = (uint8_t *)at;
            return (void *)at;
        }
    }
    if (size > SIZE_MAX / 2 - align - TF_CHUNK_HEADER) return NULL;
    size_t capacity = size + align > TF_CHUNK_SIZE ? size + align : TF_CHUNK_SIZE;
    tf_chunk *fresh = malloc(TF_CHUNK_HEADER + capacity);
    if (fresh == NULL) return NULL;
    fresh->next = arena_current;
    fresh->size = capacity;
    fresh->used = 0;
    arena_current = fresh;
    return arena_alloc(size, align);
}

/* Grow `old` (of `old_size` bytes) to `new_size`: in place when it is the last allocation. */
static void *arena_realloc(void *old, size_t old_size, size_t new_size, size_t align) {
    tf_chunk *chunk = arena_current;
    if (old != NULL && old == arena_last && chunk != NULL) {
        size_t offset = (size_t)((uint8_t *)old - chunk_data(chunk));
        if (offset <= chunk->size && new_size <= chunk->size - offset) {
            chunk->used = offset + new_size;
            return old;
        }
    }
    void *fresh = arena_alloc(new_size, align);
    if (fresh != NULL && old != NULL && old_size > 0) memcpy(fresh, old, old_size < new_size ? old_size : new_size);
    return fresh;
}

/* Free everything the call allocated; keep one standard chunk for the next call. */
static void arena_reset(void) {
    tf_chunk *keep = NULL;
    tf_chunk *chunk = arena_current;
    while (chunk != NULL) {
        tf_chunk *next = chunk->next;
        if (keep == NULL && chunk->size == TF_CHUNK_SIZE) {
            keep = chunk;
        } else {
            free(chunk);
        }
        chunk = next;
    }
    if (keep != NULL) {
        keep->next = NULL;
        keep->used = 0;
    }
    arena_current = keep;
    arena_last = NULL;
}

/* `count` elements of `size` bytes, zeroed; NULL on overflow or when out of memory. */
static void *alloc_array(size_t count, size_t size) {
    if (size != 0 && count > SIZE_MAX / 4 / size) return NULL;
    return tf_alloc(count * size);
}

void *tf_alloc(size_t size) {
    void *p = arena_alloc(size ? size : 1, 8);
    if (p != NULL) memset(p, 0, size ? size : 1);
    return p;
}

/* ======================================================================================
 * 2. Strings, UTF-8, formatting
 * ====================================================================================== */

tf_str tf_cstr(const char *text) {
    if (text == NULL) return (tf_str){"", 0};
    return (tf_str){text, strlen(text)};
}

tf_bytes tf_bytes_of(tf_str text) { return (tf_bytes){(const uint8_t *)text.ptr, text.len}; }

tf_str tf_str_of(tf_bytes bytes) { return (tf_str){(const char *)bytes.ptr, bytes.len}; }

bool tf_str_eq(tf_str a, const char *b) {
    size_t n = b ? strlen(b) : 0;
    return a.len == n && (n == 0 || memcmp(a.ptr, b, n) == 0);
}

bool tf_str_starts_with(tf_str text, const char *prefix) {
    size_t n = prefix ? strlen(prefix) : 0;
    return text.len >= n && (n == 0 || memcmp(text.ptr, prefix, n) == 0);
}

static bool str_contains(tf_str text, const char *needle) {
    size_t n = strlen(needle);
    if (n == 0) return true;
    for (size_t i = 0; i + n <= text.len; i++) {
        if (memcmp(text.ptr + i, needle, n) == 0) return true;
    }
    return false;
}

/* Length of the valid UTF-8 sequence at `s` (1-4), or 0 if it is not valid UTF-8. */
static size_t utf8_sequence(const uint8_t *s, size_t n) {
    if (n == 0) return 0;
    uint8_t c = s[0];
    if (c < 0x80) return 1;
    if (c >= 0xC2 && c <= 0xDF) return (n >= 2 && (s[1] & 0xC0) == 0x80) ? 2 : 0;
    if (c >= 0xE0 && c <= 0xEF) {
        if (n < 3 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80) return 0;
        if (c == 0xE0 && s[1] < 0xA0) return 0; /* overlong */
        if (c == 0xED && s[1] > 0x9F) return 0; /* surrogates */
        return 3;
    }
    if (c >= 0xF0 && c <= 0xF4) {
        if (n < 4 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80 || (s[3] & 0xC0) != 0x80) return 0;
        if (c == 0xF0 && s[1] < 0x90) return 0; /* overlong */
        if (c == 0xF4 && s[1] > 0x8F) return 0; /* above U+10FFFF */
        return 4;
    }
    return 0;
}

static bool utf8_valid(tf_str s) {
    const uint8_t *p = (const uint8_t *)s.ptr;
    size_t i = 0;
    while (i < s.len) {
        size_t k = utf8_sequence(p + i, s.len - i);
        if (k == 0) return false;
        i += k;
    }
    return true;
}

static size_t utf8_encode(uint32_t cp, uint8_t out[4]) {
    if (cp < 0x80) {
        out[0] = (uint8_t)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (uint8_t)(0xC0 | (cp >> 6));
        out[1] = (uint8_t)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (uint8_t)(0xE0 | (cp >> 12));
        out[1] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (uint8_t)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (uint8_t)(0xF0 | (cp >> 18));
    out[1] = (uint8_t)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (uint8_t)(0x80 | (cp & 0x3F));
    return 4;
}

/* A growable, NUL-terminated buffer in the arena. `oom` sticks once memory ran out. */
typedef struct {
    char *ptr;
    size_t len;
    size_t cap;
    bool oom;
} tf_buf;

static bool buf_reserve(tf_buf *b, size_t extra) {
    if (b->oom) return false;
    if (extra > SIZE_MAX / 4 - b->len) {
        b->oom = true;
        return false;
    }
    size_t need = b->len + extra + 1;
    if (need <= b->cap) return true;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need) cap *= 2;
    char *grown = arena_realloc(b->ptr, b->cap, cap, 1);
    if (grown == NULL) {
        b->oom = true;
        return false;
    }
    b->ptr = grown;
    b->cap = cap;
    return true;
}

static void buf_put(tf_buf *b, const char *data, size_t n) {
    if (!buf_reserve(b, n)) return;
    if (n) memcpy(b->ptr + b->len, data, n);
    b->len += n;
    b->ptr[b->len] = '\0';
}

static void buf_putc(tf_buf *b, char c) { buf_put(b, &c, 1); }

static void buf_puts(tf_buf *b, const char *s) { buf_put(b, s, strlen(s)); }

static tf_str buf_str(const tf_buf *b) {
    if (b->ptr == NULL || b->oom) return (tf_str){"", 0};
    return (tf_str){b->ptr, b->len};
}

static void put_u64(tf_buf *b, uint64_t v, unsigned base, bool upper) {
    char digits[32];
    const char *alphabet = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    size_t n = 0;
    do {
        digits[n++] = alphabet[v % base];
        v /= base;
    } while (v != 0);
    while (n > 0) buf_putc(b, digits[--n]);
}

static void put_i64(tf_buf *b, int64_t v) {
    if (v < 0) {
        buf_putc(b, '-');
        put_u64(b, (uint64_t)0 - (uint64_t)v, 10, false);
    } else {
        put_u64(b, (uint64_t)v, 10, false);
    }
}

/* `value` * 10^power without overflowing the intermediate (power in about -700..700). */
static double scale10(double value, int power) {
    while (power > 300) {
        value *= 1e300;
        power -= 300;
    }
    while (power < -300) {
        value *= 1e-300;
        power += 300;
    }
    return value * pow(10.0, power);
}

/* Shortest form with 15 significant digits: 0.1 → "0.1", 1e21 → "1e+21", 3 → "3". */
static void put_double(tf_buf *b, double d) {
    if (isnan(d)) {
        buf_puts(b, "nan");
        return;
    }
    if (isinf(d)) {
        buf_puts(b, d < 0 ? "-inf" : "inf");
        return;
    }
    if (d == 0) {
        buf_putc(b, '0');
        return;
    }
    if (d < 0) {
        buf_putc(b, '-');
        d = -d;
    }
    if (d < 1e15 && d == floor(d)) {
        put_u64(b, (uint64_t)d, 10, false);
        return;
    }
    int exponent = (int)floor(log10(d));
    uint64_t mantissa = (uint64_t)llround(scale10(d, 14 - exponent));
    if (mantissa >= 1000000000000000ULL) {
        mantissa = (mantissa + 5) / 10;
        exponent++;
    } else if (mantissa < 100000000000000ULL) {
        mantissa = (uint64_t)llround(scale10(d, 15 - exponent));
        exponent--;
    }
    char digits[16];
    for (int i = 14; i >= 0; i--) {
        digits[i] = (char)('0' + mantissa % 10);
        mantissa /= 10;
    }
    int count = 15;
    while (count > 1 && digits[count - 1] == '0') count--;
    if (exponent >= -5 && exponent < 15) {
        if (exponent < 0) {
            buf_puts(b, "0.");
            for (int i = -1; i > exponent; i--) buf_putc(b, '0');
            buf_put(b, digits, (size_t)count);
        } else {
            for (int i = 0; i <= exponent; i++) buf_putc(b, i < count ? digits[i] : '0');
            if (count > exponent + 1) {
                buf_putc(b, '.');
                buf_put(b, digits + exponent + 1, (size_t)(count - exponent - 1));
            }
        }
        return;
    }
    buf_putc(b, digits[0]);
    if (count > 1) {
        buf_putc(b, '.');
        buf_put(b, digits + 1, (size_t)(count - 1));
    }
    buf_putc(b, 'e');
    buf_putc(b, exponent < 0 ? '-' : '+');
    put_u64(b, (uint64_t)(exponent < 0 ? -exponent : exponent), 10, false);
}

/* A printf subset: %s %.*s %c %d %i %u %x %X %g %f %e %p %% with h/hh/l/ll/z/j/t. */
static void buf_vformat(tf_buf *b, const char *format, va_list ap) {
    for (const char *f = format; *f; f++) {
        if (*f != '%') {
            const char *run = f;
            while (f[1] && f[1] != '%') f++;
            buf_put(b, run, (size_t)(f - run + 1));
            continue;
        }
        const char *spec = f++;
        while (*f == '-' || *f == '+' || *f == ' ' || *f == '#' || *f == '0') f++;
        if (*f == '*') {
            (void)va_arg(ap, int);
            f++;
        } else {
            while (*f >= '0' && *f <= '9') f++;
        }
        int precision = -1;
        if (*f == '.') {
            f++;
            if (*f == '*') {
                precision = va_arg(ap, int);
                f++;
            } else {
                precision = 0;
                while (*f >= '0' && *f <= '9') precision = precision * 10 + (*f++ - '0');
            }
        }
        int longness = 0; /* 0 int, 1 long, 2 long long, 3 size_t/intmax/ptrdiff */
        if (*f == 'h') {
            f++;
            if (*f == 'h') f++;
        } else if (*f == 'l') {
            f++;
            longness = 1;
            if (*f == 'l') {
                f++;
                longness = 2;
            }
        } else if (*f == 'z' || *f == 'j' || *f == 't') {
            longness = *f == 'j' ? 2 : 3;
            f++;
        }
        switch (*f) {
        case '%':
            buf_putc(b, '%');
            break;
        case 'c':
            buf_putc(b, (char)va_arg(ap, int));
            break;
        case 's': {
            const char *s = va_arg(ap, const char *);
            if (s == NULL) s = "(null)";
            size_t n = 0;
            if (precision >= 0) {
                while (n < (size_t)precision && s[n]) n++;
            } else {
                n = strlen(s);
            }
            buf_put(b, s, n);
            break;
        }
        case 'd':
        case 'i': {
            int64_t v = longness == 2 ? (int64_t)va_arg(ap, long long)
                        : longness == 1 ? (int64_t)va_arg(ap, long)
                        : longness == 3 ? (int64_t)va_arg(ap, ptrdiff_t)
                                        : (int64_t)va_arg(ap, int);
            put_i64(b, v);
            break;
        }
        case 'u':
        case 'x':
        case 'X': {
            uint64_t v = longness == 2 ? (uint64_t)va_arg(ap, unsigned long long)
                         : longness == 1 ? (uint64_t)va_arg(ap, unsigned long)
                         : longness == 3 ? (uint64_t)va_arg(ap, size_t)
                                         : (uint64_t)va_arg(ap, unsigned int);
            put_u64(b, v, *f == 'u' ? 10 : 16, *f == 'X');
            break;
        }
        case 'p':
            buf_puts(b, "0x");
            put_u64(b, (uint64_t)(uintptr_t)va_arg(ap, void *), 16, false);
            break;
        case 'g':
        case 'f':
        case 'e':
            put_double(b, va_arg(ap, double));
            break;
        case '\0':
            buf_put(b, spec, (size_t)(f - spec));
            return;
        default:
            buf_put(b, spec, (size_t)(f - spec + 1));
            break;
        }
    }
}

tf_str tf_sprintf(const char *format, ...) {
    tf_buf b = {0};
    va_list ap;
    va_start(ap, format);
    buf_vformat(&b, format, ap);
    va_end(ap);
    return buf_str(&b);
}

/* ======================================================================================
 * 3. JSON
 * ====================================================================================== */

struct tf_json {
    tf_json_type type;
    bool boolean;
    bool is_int;
    int64_t integer;
    double number;
    tf_str string;
    size_t count;
    const tf_json **items; /* array elements, or object member values */
    tf_str *keys;          /* object member names */
};

struct tf_call {
    tf_str tool;
    tf_str session;
    tf_str namespace_;
    bool failed;
    tf_str error_type;
    tf_str error_message;
    bool has_result;
    tf_str result_text;
    tf_writer *result_json;
};

static int record_error(tf_call *call, const char *error_type, tf_str message) {
    if (call != NULL) {
        call->failed = true;
        call->error_type = tf_cstr(error_type);
        call->error_message = message;
    }
    return -1;
}

int tf_fail(tf_call *call, const char *error_type, const char *format, ...) {
    tf_buf b = {0};
    va_list ap;
    va_start(ap, format);
    buf_vformat(&b, format, ap);
    va_end(ap);
    tf_str type = tf_cstr(error_type);
    if (type.len == 0) type = TF_STR("ComponentError");
    return record_error(call, type.ptr, b.oom ? TF_STR("(message lost: out of memory)") : buf_str(&b));
}

tf_json_type tf_json_kind(const tf_json *value) { return value ? value->type : TF_JSON_NULL; }

const tf_json *tf_json_get(const tf_json *object, const char *key) {
    if (object == NULL || object->type != TF_JSON_OBJECT || key == NULL) return NULL;
    const tf_json *found = NULL;
    for (size_t i = 0; i < object->count; i++) {
        if (tf_str_eq(object->keys[i], key)) found = object->items[i]; /* last one wins, like Python */
    }
    return found;
}

size_t tf_json_len(const tf_json *value) {
    if (value == NULL) return 0;
    if (value->type == TF_JSON_STRING) return value->string.len;
    if (value->type == TF_JSON_ARRAY || value->type == TF_JSON_OBJECT) return value->count;
    return 0;
}

const tf_json *tf_json_at(const tf_json *value, size_t index) {
    if (value == NULL || (value->type != TF_JSON_ARRAY && value->type != TF_JSON_OBJECT)) return NULL;
    return index < value->count ? value->items[index] : NULL;
}

tf_str tf_json_key_at(const tf_json *object, size_t index) {
    if (object == NULL || object->type != TF_JSON_OBJECT || index >= object->count) return (tf_str){"", 0};
    return object->keys[index];
}

tf_str tf_json_as_str(const tf_json *value) {
    if (value == NULL || value->type != TF_JSON_STRING) return (tf_str){"", 0};
    return value->string;
}

bool tf_json_is_int(const tf_json *value) { return value && value->type == TF_JSON_NUMBER && value->is_int; }

int64_t tf_json_as_int(const tf_json *value, int64_t fallback) {
    if (value == NULL || value->type != TF_JSON_NUMBER) return fallback;
    if (value->is_int) return value->integer;
    double d = value->number;
    if (d == floor(d) && d >= -9007199254740992.0 && d <= 9007199254740992.0) return (int64_t)d;
    return fallback;
}

double tf_json_as_number(const tf_json *value, double fallback) {
    return (value && value->type == TF_JSON_NUMBER) ? value->number : fallback;
}

bool tf_json_as_bool(const tf_json *value, bool fallback) {
    return (value && value->type == TF_JSON_BOOL) ? value->boolean : fallback;
}

typedef struct {
    const char *start;
    const char *p;
    const char *end;
    int depth;
    const char *error;
    bool oom;
} json_parser;

static const tf_json *parse_value(json_parser *P);

static void skip_ws(json_parser *P) {
    while (P->p < P->end && (*P->p == ' ' || *P->p == '\t' || *P->p == '\n' || *P->p == '\r')) P->p++;
}

static const tf_json *parse_fail(json_parser *P, const char *message) {
    if (P->error == NULL) P->error = message;
    return NULL;
}

static tf_json *new_node(json_parser *P, tf_json_type type) {
    tf_json *node = tf_alloc(sizeof(tf_json));
    if (node == NULL) {
        P->oom = true;
        parse_fail(P, "out of memory");
        return NULL;
    }
    node->type = type;
    node->string = (tf_str){"", 0};
    return node;
}

static int hex_digit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

static bool read_hex4(json_parser *P, uint32_t *out) {
    if (P->end - P->p < 4) return false;
    uint32_t v = 0;
    for (int i = 0; i < 4; i++) {
        int d = hex_digit(P->p[i]);
        if (d < 0) return false;
        v = v * 16 + (uint32_t)d;
    }
    P->p += 4;
    *out = v;
    return true;
}

/* P->p is at the opening quote. Decoded text is never longer than the raw text. */
static bool parse_string_into(json_parser *P, tf_str *out) {
    const char *q = P->p + 1;
    while (q < P->end && *q != '"') q += (*q == '\\' && q + 1 < P->end) ? 2 : 1;
    if (q >= P->end) {
        parse_fail(P, "unterminated string");
        return false;
    }
    size_t raw = (size_t)(q - (P->p + 1));
    uint8_t *dst = arena_alloc(raw + 1, 1);
    if (dst == NULL) {
        P->oom = true;
        parse_fail(P, "out of memory");
        return false;
    }
    size_t n = 0;
    P->p++;
    while (P->p < q) {
        uint8_t c = (uint8_t)*P->p;
        if (c == '\\') {
            P->p++;
            char e = *P->p++;
            switch (e) {
            case '"': dst[n++] = '"'; break;
            case '\\': dst[n++] = '\\'; break;
            case '/': dst[n++] = '/'; break;
            case 'b': dst[n++] = '\b'; break;
            case 'f': dst[n++] = '\f'; break;
            case 'n': dst[n++] = '\n'; break;
            case 'r': dst[n++] = '\r'; break;
            case 't': dst[n++] = '\t'; break;
            case 'u': {
                uint32_t cp;
                if (!read_hex4(P, &cp)) {
                    parse_fail(P, "invalid \\u escape");
                    return false;
                }
                if (cp >= 0xD800 && cp <= 0xDBFF) {
                    uint32_t low = 0;
                    const char *save = P->p;
                    if (q - P->p >= 6 && P->p[0] == '\\' && P->p[1] == 'u') {
                        P->p += 2;
                        if (read_hex4(P, &low) && low >= 0xDC00 && low <= 0xDFFF) {
                            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
                        } else {
                            P->p = save;
                            cp = 0xFFFD; /* a lone surrogate can't be UTF-8 */
                        }
                    } else {
                        cp = 0xFFFD;
                    }
                } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
                    cp = 0xFFFD;
                }
                n += utf8_encode(cp, dst + n);
                break;
            }
            default:
                parse_fail(P, "invalid escape in string");
                return false;
            }
            continue;
        }
        if (c < 0x20) {
            parse_fail(P, "control character in string");
            return false;
        }
        size_t k = utf8_sequence((const uint8_t *)P->p, (size_t)(q - P->p));
        if (k == 0) {
            parse_fail(P, "invalid UTF-8 in string");
            return false;
        }
        memcpy(dst + n, P->p, k);
        n += k;
        P->p += k;
    }
    P->p = q + 1;
    dst[n] = '\0';
    *out = (tf_str){(const char *)dst, n};
    return true;
}

static const tf_json *parse_number(json_parser *P) {
    const char *s = P->p;
    const char *p = s;
    bool integral = true;
    if (p < P->end && *p == '-') p++;
    if (p < P->end && *p == '0') {
        p++;
    } else if (p < P->end && *p >= '1' && *p <= '9') {
        while (p < P->end && *p >= '0' && *p <= '9') p++;
    } else {
        return parse_fail(P, "invalid number");
    }
    if (p < P->end && *p == '.') {
        integral = false;
        p++;
        if (p >= P->end || *p < '0' || *p > '9') return parse_fail(P, "invalid number");
        while (p < P->end && *p >= '0' && *p <= '9') p++;
    }
    if (p < P->end && (*p == 'e' || *p == 'E')) {
        integral = false;
        p++;
        if (p < P->end && (*p == '+' || *p == '-')) p++;
        if (p >= P->end || *p < '0' || *p > '9') return parse_fail(P, "invalid number");
        while (p < P->end && *p >= '0' && *p <= '9') p++;
    }
    size_t len = (size_t)(p - s);
    if (len > TF_MAX_NUMBER_CHARS) return parse_fail(P, "number too long");
    char text[TF_MAX_NUMBER_CHARS + 1];
    memcpy(text, s, len);
    text[len] = '\0';
    tf_json *node = new_node(P, TF_JSON_NUMBER);
    if (node == NULL) return NULL;
    node->number = strtod(text, NULL);
    if (integral) {
        /* Exact 64-bit integers when they fit (doubles lose precision above 2^53). */
        bool negative = text[0] == '-';
        uint64_t limit = negative ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
        uint64_t v = 0;
        bool fits = true;
        for (size_t i = negative ? 1 : 0; i < len; i++) {
            uint64_t d = (uint64_t)(text[i] - '0');
            if (v > (limit - d) / 10) {
                fits = false;
                break;
            }
            v = v * 10 + d;
        }
        if (fits) {
            node->is_int = true;
            node->integer = negative ? (int64_t)(0 - v) : (int64_t)v;
        }
    }
    P->p = p;
    return node;
}

static bool literal(json_parser *P, const char *word) {
    size_t n = strlen(word);
    if ((size_t)(P->end - P->p) < n || memcmp(P->p, word, n) != 0) return false;
    P->p += n;
    return true;
}

/* Append to an arena array that doubles when full. */
static bool push_item(json_parser *P, const tf_json ***items, tf_str **keys, size_t *count, size_t *cap,
                      const tf_json *item, tf_str key, bool with_key) {
    if (*count == *cap) {
        size_t grown = *cap ? *cap * 2 : 8;
        if (grown > SIZE_MAX / 4 / sizeof(tf_str)) {
            P->oom = true;
            parse_fail(P, "out of memory");
            return false;
        }
        const tf_json **fresh_items = arena_alloc(grown * sizeof(**items), sizeof(void *));
        tf_str *fresh_keys = with_key ? arena_alloc(grown * sizeof(tf_str), sizeof(void *)) : NULL;
        if (fresh_items == NULL || (with_key && fresh_keys == NULL)) {
            P->oom = true;
            parse_fail(P, "out of memory");
            return false;
        }
        if (*count) {
            memcpy(fresh_items, *items, *count * sizeof(**items));
            if (with_key) memcpy(fresh_keys, *keys, *count * sizeof(tf_str));
        }
        *items = fresh_items;
        if (with_key) *keys = fresh_keys;
        *cap = grown;
    }
    (*items)[*count] = item;
    if (with_key) (*keys)[*count] = key;
    (*count)++;
    return true;
}

static const tf_json *parse_container(json_parser *P, bool object) {
    if (++P->depth > TF_JSON_MAX_DEPTH) return parse_fail(P, "nested too deeply");
    tf_json *node = new_node(P, object ? TF_JSON_OBJECT : TF_JSON_ARRAY);
    if (node == NULL) return NULL;
    char close = object ? '}' : ']';
    size_t cap = 0;
    P->p++;
    skip_ws(P);
    if (P->p < P->end && *P->p == close) {
        P->p++;
        P->depth--;
        return node;
    }
    for (;;) {
        tf_str key = {"", 0};
        skip_ws(P);
        if (object) {
            if (P->p >= P->end || *P->p != '"') return parse_fail(P, "expected a member name");
            if (!parse_string_into(P, &key)) return NULL;
            skip_ws(P);
            if (P->p >= P->end || *P->p != ':') return parse_fail(P, "expected ':'");
            P->p++;
        }
        const tf_json *item = parse_value(P);
        if (item == NULL) return NULL;
        if (!push_item(P, &node->items, &node->keys, &node->count, &cap, item, key, object)) return NULL;
        skip_ws(P);
        if (P->p < P->end && *P->p == ',') {
            P->p++;
            continue;
        }
        if (P->p < P->end && *P->p == close) {
            P->p++;
            P->depth--;
            return node;
        }
        return parse_fail(P, object ? "expected ',' or '}'" : "expected ',' or ']'");
    }
}

static const tf_json *parse_value(json_parser *P) {
    skip_ws(P);
    if (P->p >= P->end) return parse_fail(P, "unexpected end of input");
    char c = *P->p;
    if (c == '{') return parse_container(P, true);
    if (c == '[') return parse_container(P, false);
    if (c == '"') {
        tf_json *node = new_node(P, TF_JSON_STRING);
        if (node == NULL || !parse_string_into(P, &node->string)) return NULL;
        return node;
    }
    if (c == '-' || (c >= '0' && c <= '9')) return parse_number(P);
    bool truth = literal(P, "true");
    if (truth || literal(P, "false")) {
        tf_json *node = new_node(P, TF_JSON_BOOL);
        if (node != NULL) node->boolean = truth;
        return node;
    }
    if (literal(P, "null")) return new_node(P, TF_JSON_NULL);
    return parse_fail(P, "unexpected character");
}

/* Parse a whole document; on failure `*error` says why and `*offset` where. */
static const tf_json *json_parse(tf_str text, const char **error, size_t *offset, bool *oom) {
    json_parser P = {text.ptr, text.ptr, text.ptr + text.len, 0, NULL, false};
    const tf_json *value = parse_value(&P);
    if (value != NULL) {
        skip_ws(&P);
        if (P.p != P.end) {
            value = NULL;
            P.error = "unexpected text after the value";
        }
    }
    *error = P.error;
    *offset = (size_t)(P.p - P.start);
    *oom = P.oom;
    return value;
}

int tf_json_parse(tf_call *call, tf_str text, const tf_json **out) {
    const char *error;
    size_t offset;
    bool oom;
    const tf_json *value = json_parse(text, &error, &offset, &oom);
    if (value == NULL) {
        if (oom) return tf_fail(call, TF_RESOURCE_EXHAUSTED, "out of memory while parsing JSON");
        return tf_fail(call, TF_INVALID_ARGUMENTS, "invalid JSON at offset %zu: %s", offset, error);
    }
    *out = value;
    return 0;
}

/* ---- the writer ---------------------------------------------------------------------- */

struct tf_writer {
    tf_buf buf;
    int depth;
    char stack[TF_JSON_MAX_DEPTH]; /* '{' or '[' */
    bool need_comma;
    bool after_key;
    bool done;  /* a complete top-level value was written */
    const char *error;
};

static tf_writer *writer_new(void) { return tf_alloc(sizeof(tf_writer)); }

static void writer_error(tf_writer *w, const char *message) {
    if (w->error == NULL) w->error = message;
}

static bool before_value(tf_writer *w) {
    if (w->error) return false;
    if (w->depth == 0 && w->done) {
        writer_error(w, "more than one top-level value");
        return false;
    }
    if (w->depth > 0 && w->stack[w->depth - 1] == '{' && !w->after_key) {
        writer_error(w, "a value inside an object needs tf_write_key first");
        return false;
    }
    if (w->after_key) {
        w->after_key = false;
    } else if (w->need_comma) {
        buf_putc(&w->buf, ',');
    }
    return true;
}

static void after_value(tf_writer *w) {
    w->need_comma = true;
    if (w->depth == 0) w->done = true;
}

static void write_quoted(tf_buf *b, tf_str s) {
    static const char hex[] = "0123456789abcdef";
    const uint8_t *p = (const uint8_t *)s.ptr;
    buf_putc(b, '"');
    size_t i = 0;
    while (i < s.len) {
        size_t run = i;
        while (run < s.len && p[run] >= 0x20 && p[run] < 0x80 && p[run] != '"' && p[run] != '\\') run++;
        if (run > i) {
            buf_put(b, s.ptr + i, run - i);
            i = run;
            continue;
        }
        uint8_t c = p[i];
        if (c == '"' || c == '\\') {
            char esc[2] = {'\\', (char)c};
            buf_put(b, esc, 2);
            i++;
        } else if (c < 0x20) {
            switch (c) {
            case '\n': buf_puts(b, "\\n"); break;
            case '\r': buf_puts(b, "\\r"); break;
            case '\t': buf_puts(b, "\\t"); break;
            case '\b': buf_puts(b, "\\b"); break;
            case '\f': buf_puts(b, "\\f"); break;
            default: {
                char esc[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
                buf_put(b, esc, 6);
            }
            }
            i++;
        } else {
            size_t k = utf8_sequence(p + i, s.len - i);
            if (k == 0) {
                buf_puts(b, "\xEF\xBF\xBD"); /* U+FFFD: the host only accepts valid UTF-8 */
                i++;
            } else {
                buf_put(b, s.ptr + i, k);
                i += k;
            }
        }
    }
    buf_putc(b, '"');
}

static void open_container(tf_writer *w, char kind) {
    if (!before_value(w)) return;
    if (w->depth >= TF_JSON_MAX_DEPTH) {
        writer_error(w, "nested too deeply");
        return;
    }
    w->stack[w->depth++] = kind;
    buf_putc(&w->buf, kind);
    w->need_comma = false;
}

static void close_container(tf_writer *w, char kind) {
    if (w->error) return;
    if (w->depth == 0 || w->stack[w->depth - 1] != kind || w->after_key) {
        writer_error(w, "unbalanced end of object or array");
        return;
    }
    w->depth--;
    buf_putc(&w->buf, kind == '{' ? '}' : ']');
    after_value(w);
}

void tf_write_begin_object(tf_writer *w) { open_container(w, '{'); }
void tf_write_end_object(tf_writer *w) { close_container(w, '{'); }
void tf_write_begin_array(tf_writer *w) { open_container(w, '['); }
void tf_write_end_array(tf_writer *w) { close_container(w, '['); }

void tf_write_key(tf_writer *w, const char *key) { tf_write_key_str(w, tf_cstr(key)); }

void tf_write_key_str(tf_writer *w, tf_str key) {
    if (w->error) return;
    if (w->depth == 0 || w->stack[w->depth - 1] != '{' || w->after_key) {
        writer_error(w, "tf_write_key outside an object");
        return;
    }
    if (w->need_comma) buf_putc(&w->buf, ',');
    write_quoted(&w->buf, key);
    buf_putc(&w->buf, ':');
    w->after_key = true;
    w->need_comma = false;
}

void tf_write_str(tf_writer *w, tf_str value) {
    if (!before_value(w)) return;
    write_quoted(&w->buf, value);
    after_value(w);
}

void tf_write_cstr(tf_writer *w, const char *value) { tf_write_str(w, tf_cstr(value)); }

void tf_write_int(tf_writer *w, int64_t value) {
    if (!before_value(w)) return;
    put_i64(&w->buf, value);
    after_value(w);
}

void tf_write_number(tf_writer *w, double value) {
    if (!before_value(w)) return;
    if (isnan(value) || isinf(value)) {
        buf_puts(&w->buf, "null"); /* JSON has no NaN or infinity */
    } else {
        put_double(&w->buf, value);
    }
    after_value(w);
}

void tf_write_bool(tf_writer *w, bool value) {
    if (!before_value(w)) return;
    buf_puts(&w->buf, value ? "true" : "false");
    after_value(w);
}

void tf_write_null(tf_writer *w) {
    if (!before_value(w)) return;
    buf_puts(&w->buf, "null");
    after_value(w);
}

void tf_write_value(tf_writer *w, const tf_json *value) {
    switch (tf_json_kind(value)) {
    case TF_JSON_NULL: tf_write_null(w); break;
    case TF_JSON_BOOL: tf_write_bool(w, value->boolean); break;
    case TF_JSON_NUMBER:
        if (value->is_int) {
            tf_write_int(w, value->integer);
        } else {
            tf_write_number(w, value->number);
        }
        break;
    case TF_JSON_STRING: tf_write_str(w, value->string); break;
    case TF_JSON_ARRAY:
        tf_write_begin_array(w);
        for (size_t i = 0; i < value->count; i++) tf_write_value(w, value->items[i]);
        tf_write_end_array(w);
        break;
    case TF_JSON_OBJECT:
        tf_write_begin_object(w);
        for (size_t i = 0; i < value->count; i++) {
            tf_write_key_str(w, value->keys[i]);
            tf_write_value(w, value->items[i]);
        }
        tf_write_end_object(w);
        break;
    }
}

/* The finished text, or NULL with `*error` set. */
static const tf_buf *writer_finish(tf_writer *w, const char **error) {
    if (!w->error && w->buf.oom) w->error = "out of memory";
    if (!w->error && (w->depth != 0 || !w->done)) w->error = "unfinished JSON value";
    *error = w->error;
    return w->error ? NULL : &w->buf;
}

/* ======================================================================================
 * 4. Canonical-ABI glue for the tracefabric:tool@0.1.0 world
 *
 * Imported functions take their parameters flattened (a string is ptr + len, a borrowed
 * resource its i32 handle, an option a tag + payload) and, when the result does not fit
 * one core value, a pointer to a return area the host fills. The offsets below follow the
 * canonical ABI layout of each result type on wasm32. Strings and lists in a result are
 * allocated by the host through our cabi_realloc, so they live in the call's arena.
 * ====================================================================================== */

#define TF_IMPORT(module, name) __attribute__((import_module(module), import_name(name)))
#define TF_KV "tracefabric:tool/key-value@0.1.0"
#define TF_HTTP "tracefabric:tool/outbound-http@0.1.0"
#define TF_VARIABLES "tracefabric:tool/variables@0.1.0"
#define TF_LOGGING "tracefabric:tool/logging@0.1.0"

/* result<T, error> areas: tag at 0, payload at 4 (8 when T is s64: payload aligns to 8). */
TF_IMPORT(TF_KV, "[static]store.open") extern void abi_store_open(const char *, size_t, uint8_t *);
TF_IMPORT(TF_KV, "[static]store.open-shared") extern void abi_store_open_shared(const char *, size_t, uint8_t *);
TF_IMPORT(TF_KV, "[method]store.get") extern void abi_store_get(uint32_t, const char *, size_t, uint8_t *);
TF_IMPORT(TF_KV, "[method]store.set")
extern void abi_store_set(uint32_t, const char *, size_t, const uint8_t *, size_t, uint8_t *);
TF_IMPORT(TF_KV, "[method]store.delete") extern void abi_store_delete(uint32_t, const char *, size_t, uint8_t *);
TF_IMPORT(TF_KV, "[method]store.exists") extern void abi_store_exists(uint32_t, const char *, size_t, uint8_t *);
TF_IMPORT(TF_KV, "[method]store.get-keys") extern void abi_store_get_keys(uint32_t, uint8_t *);
TF_IMPORT(TF_KV, "[method]store.get-keys-with-prefix")
extern void abi_store_get_keys_with_prefix(uint32_t, const char *, size_t, uint8_t *);
TF_IMPORT(TF_KV, "[method]store.increment")
extern void abi_store_increment(uint32_t, const char *, size_t, int64_t, uint8_t *);
TF_IMPORT(TF_KV, "[resource-drop]store") extern void abi_store_drop(uint32_t);
TF_IMPORT(TF_HTTP, "send")
extern void abi_http_send(const char *, size_t, const char *, size_t, const uint8_t *, size_t, int32_t,
                          const uint8_t *, size_t, uint8_t *);
TF_IMPORT(TF_VARIABLES, "get") extern void abi_variables_get(const char *, size_t, uint8_t *);
TF_IMPORT(TF_LOGGING, "log") extern void abi_log(int32_t, const char *, size_t);

typedef union {
    uint8_t bytes[24]; /* the largest result here: result<s64, error> */
    uint64_t align;
} ret_area;

static uint16_t rd16(const uint8_t *p) {
    uint16_t v;
    memcpy(&v, p, sizeof v);
    return v;
}

static uint32_t rd32(const uint8_t *p) {
    uint32_t v;
    memcpy(&v, p, sizeof v);
    return v;
}

static int64_t rd64(const uint8_t *p) {
    int64_t v;
    memcpy(&v, p, sizeof v);
    return v;
}

static void wr32(uint8_t *p, uint32_t v) { memcpy(p, &v, sizeof v); }

/* A string (ptr, len) stored at `p` by the host. */
static tf_str rd_str(const uint8_t *p) {
    return (tf_str){(const char *)(uintptr_t)rd32(p), (size_t)rd32(p + 4)};
}

/* Strings we pass to the host must be valid UTF-8 (the host would trap otherwise). */
static int check_utf8(tf_call *call, tf_str s, const char *what) {
    if (utf8_valid(s)) return 0;
    return tf_fail(call, TF_INVALID_ARGUMENTS, "%s is not valid UTF-8", what);
}

/* key-value `error` variant: 0 store-table-full, 1 no-such-store, 2 access-denied(string), 3 other(string). */
static int kv_error(tf_call *call, const uint8_t *error, const char *label) {
    tf_str message = (error[0] >= 2) ? rd_str(error + 4) : (tf_str){"", 0};
    switch (error[0]) {
    case 0:
        return tf_fail(call, TF_RESOURCE_EXHAUSTED, "too many key-value stores opened in one call");
    case 1:
        return tf_fail(call, TF_CAPABILITY_DENIED, "no key-value store named '%s'", label);
    case 2:
        if (message.len == 0) message = tf_sprintf("key-value store '%s' is not granted to this component", label);
        return record_error(call, TF_CAPABILITY_DENIED, message);
    default:
        if (message.len == 0) message = TF_STR("key-value store error");
        if (str_contains(message, "limit") || str_contains(message, "exceeds")) {
            return record_error(call, TF_RESOURCE_EXHAUSTED, message);
        }
        return record_error(call, TF_IO_ERROR, message);
    }
}

/* Store handles belong to the instance (one per session), so they are opened once and kept,
 * as the Python SDK does; the host caps open handles per instance. */
typedef struct {
    char label[64];
    bool shared;
    uint32_t handle;
} cached_store;

static cached_store store_cache[TF_MAX_CACHED_STORES];
static size_t store_cache_len;

static int kv_open(tf_call *call, const char *label, bool shared, tf_store *out) {
    if (label == NULL) label = "default";
    size_t n = strlen(label);
    for (size_t i = 0; i < store_cache_len; i++) {
        if (store_cache[i].shared == shared && strcmp(store_cache[i].label, label) == 0) {
            out->handle = store_cache[i].handle;
            return 0;
        }
    }
    if (check_utf8(call, (tf_str){label, n}, "the store label")) return -1;
    ret_area r;
    if (shared) {
        abi_store_open_shared(label, n, r.bytes);
    } else {
        abi_store_open(label, n, r.bytes);
    }
    if (r.bytes[0] != 0) return kv_error(call, r.bytes + 4, label);
    out->handle = rd32(r.bytes + 4);
    if (store_cache_len < TF_MAX_CACHED_STORES && n < sizeof store_cache[0].label) {
        cached_store *entry = &store_cache[store_cache_len++];
        memcpy(entry->label, label, n + 1);
        entry->shared = shared;
        entry->handle = out->handle;
    }
    return 0;
}

int tf_kv_open(tf_call *call, const char *label, tf_store *out) { return kv_open(call, label, false, out); }

int tf_kv_open_shared(tf_call *call, const char *label, tf_store *out) { return kv_open(call, label, true, out); }

int tf_kv_get(tf_call *call, tf_store store, tf_str key, tf_bytes *value, bool *found) {
    if (check_utf8(call, key, "the key")) return -1;
    ret_area r;
    abi_store_get(store.handle, key.ptr, key.len, r.bytes);
    if (r.bytes[0] != 0) return kv_error(call, r.bytes + 4, "?");
    bool present = r.bytes[4] != 0; /* option<list<u8>>: tag at 4, list at 8 */
    if (found) *found = present;
    if (value) {
        *value = present ? (tf_bytes){(const uint8_t *)(uintptr_t)rd32(r.bytes + 8), rd32(r.bytes + 12)}
                         : (tf_bytes){(const uint8_t *)"", 0};
    }
    return 0;
}

int tf_kv_set(tf_call *call, tf_store store, tf_str key, tf_bytes value) {
    if (check_utf8(call, key, "the key")) return -1;
    ret_area r;
    abi_store_set(store.handle, key.ptr, key.len, value.ptr, value.len, r.bytes);
    return r.bytes[0] != 0 ? kv_error(call, r.bytes + 4, "?") : 0;
}

int tf_kv_delete(tf_call *call, tf_store store, tf_str key) {
    if (check_utf8(call, key, "the key")) return -1;
    ret_area r;
    abi_store_delete(store.handle, key.ptr, key.len, r.bytes);
    return r.bytes[0] != 0 ? kv_error(call, r.bytes + 4, "?") : 0;
}

int tf_kv_exists(tf_call *call, tf_store store, tf_str key, bool *exists) {
    if (check_utf8(call, key, "the key")) return -1;
    ret_area r;
    abi_store_exists(store.handle, key.ptr, key.len, r.bytes);
    if (r.bytes[0] != 0) return kv_error(call, r.bytes + 4, "?");
    if (exists) *exists = r.bytes[4] != 0;
    return 0;
}

int tf_kv_keys(tf_call *call, tf_store store, tf_str prefix, tf_str_list *keys) {
    if (check_utf8(call, prefix, "the prefix")) return -1;
    ret_area r;
    if (prefix.len == 0) {
        abi_store_get_keys(store.handle, r.bytes);
    } else {
        abi_store_get_keys_with_prefix(store.handle, prefix.ptr, prefix.len, r.bytes);
    }
    if (r.bytes[0] != 0) return kv_error(call, r.bytes + 4, "?");
    const uint8_t *list = (const uint8_t *)(uintptr_t)rd32(r.bytes + 4);
    size_t count = rd32(r.bytes + 8);
    tf_str *items = alloc_array(count, sizeof(tf_str));
    if (items == NULL) return tf_fail(call, TF_RESOURCE_EXHAUSTED, "out of memory listing keys");
    for (size_t i = 0; i < count; i++) items[i] = rd_str(list + 8 * i);
    if (keys) *keys = (tf_str_list){items, count};
    return 0;
}

int tf_kv_increment(tf_call *call, tf_store store, tf_str key, int64_t delta, int64_t *value) {
    if (check_utf8(call, key, "the key")) return -1;
    ret_area r;
    abi_store_increment(store.handle, key.ptr, key.len, delta, r.bytes);
    if (r.bytes[0] != 0) return kv_error(call, r.bytes + 8, "?");
    if (value) *value = rd64(r.bytes + 8);
    return 0;
}

/* outbound-http `error`: 0 denied, 1 invalid-url, 2 timeout, 3 too-large, 4 transport (all with a string). */
int tf_http_send(tf_call *call, const char *method, tf_str url, const tf_header *headers, size_t header_count,
                 const tf_bytes *body, tf_http_response *out) {
    tf_str verb = tf_cstr(method ? method : "GET");
    if (check_utf8(call, verb, "the method") || check_utf8(call, url, "the URL")) return -1;
    uint8_t *flat = alloc_array(header_count, 16);
    if (flat == NULL) return tf_fail(call, TF_RESOURCE_EXHAUSTED, "out of memory building the request");
    for (size_t i = 0; i < header_count; i++) {
        if (check_utf8(call, headers[i].name, "a header name") || check_utf8(call, headers[i].value, "a header value")) {
            return -1;
        }
        wr32(flat + 16 * i, (uint32_t)(uintptr_t)headers[i].name.ptr);
        wr32(flat + 16 * i + 4, (uint32_t)headers[i].name.len);
        wr32(flat + 16 * i + 8, (uint32_t)(uintptr_t)headers[i].value.ptr);
        wr32(flat + 16 * i + 12, (uint32_t)headers[i].value.len);
    }
    ret_area r;
    abi_http_send(verb.ptr, verb.len, url.ptr, url.len, flat, header_count, body ? 1 : 0, body ? body->ptr : NULL,
                  body ? body->len : 0, r.bytes);
    if (r.bytes[0] != 0) {
        static const char *const kinds[] = {TF_CAPABILITY_DENIED, TF_INVALID_ARGUMENTS, TF_TIMEOUT,
                                            TF_RESOURCE_EXHAUSTED, TF_SERVICE_UNAVAILABLE};
        uint8_t tag = r.bytes[4];
        tf_str message = rd_str(r.bytes + 8);
        if (message.len == 0) message = TF_STR("the request failed");
        return record_error(call, kinds[tag < 5 ? tag : 4], message);
    }
    /* response record at 4: status u16 at 4, headers list at 8, body list at 16 */
    const uint8_t *list = (const uint8_t *)(uintptr_t)rd32(r.bytes + 8);
    size_t count = rd32(r.bytes + 12);
    tf_header *parsed = alloc_array(count, sizeof(tf_header));
    if (parsed == NULL) return tf_fail(call, TF_RESOURCE_EXHAUSTED, "out of memory reading the response");
    for (size_t i = 0; i < count; i++) {
        parsed[i].name = rd_str(list + 16 * i);
        parsed[i].value = rd_str(list + 16 * i + 8);
    }
    out->status = rd16(r.bytes + 4);
    out->headers = parsed;
    out->header_count = count;
    out->body = (tf_bytes){(const uint8_t *)(uintptr_t)rd32(r.bytes + 16), rd32(r.bytes + 20)};
    return 0;
}

int tf_http_get(tf_call *call, tf_str url, tf_http_response *out) {
    return tf_http_send(call, "GET", url, NULL, 0, NULL, out);
}

tf_str tf_http_header(const tf_http_response *response, const char *name) {
    size_t n = strlen(name);
    for (size_t i = 0; i < response->header_count; i++) {
        tf_str candidate = response->headers[i].name;
        if (candidate.len != n) continue;
        size_t k = 0;
        while (k < n) {
            char a = candidate.ptr[k], b = name[k];
            if (a >= 'A' && a <= 'Z') a = (char)(a + 32);
            if (b >= 'A' && b <= 'Z') b = (char)(b + 32);
            if (a != b) break;
            k++;
        }
        if (k == n) return response->headers[i].value;
    }
    return (tf_str){"", 0};
}

/* variables `error`: 0 invalid-name, 1 undefined, 2 provider, 3 other (all with a string). */
int tf_variable(tf_call *call, const char *name, tf_str *value) {
    tf_str n = tf_cstr(name);
    if (check_utf8(call, n, "the variable name")) return -1;
    ret_area r;
    abi_variables_get(n.ptr, n.len, r.bytes);
    if (r.bytes[0] != 0) {
        tf_str message = rd_str(r.bytes + 8);
        if (message.len == 0) message = tf_sprintf("variable '%s' is not available", n.ptr);
        return record_error(call, TF_CAPABILITY_DENIED, message);
    }
    *value = rd_str(r.bytes + 4);
    return 0;
}

void tf_log(tf_log_level level, const char *format, ...) {
    tf_buf b = {0};
    va_list ap;
    va_start(ap, format);
    buf_vformat(&b, format, ap);
    va_end(ap);
    tf_str message = buf_str(&b);
    if (!utf8_valid(message)) message = TF_STR("(log message was not valid UTF-8)");
    abi_log((int32_t)level, message.ptr, message.len);
}

/* ======================================================================================
 * 5. Requests: describe / execute / warmup / manage
 * ====================================================================================== */

tf_str tf_call_tool(const tf_call *call) { return call->tool; }
tf_str tf_call_session(const tf_call *call) { return call->session; }
tf_str tf_call_namespace(const tf_call *call) { return call->namespace_; }

int tf_result_text(tf_call *call, tf_str text) {
    call->has_result = true;
    call->result_text = text;
    call->result_json = NULL;
    return 0;
}

int tf_result_printf(tf_call *call, const char *format, ...) {
    tf_buf b = {0};
    va_list ap;
    va_start(ap, format);
    buf_vformat(&b, format, ap);
    va_end(ap);
    if (b.oom) return tf_fail(call, TF_RESOURCE_EXHAUSTED, "out of memory formatting the result");
    return tf_result_text(call, buf_str(&b));
}

tf_writer *tf_result_json(tf_call *call) {
    call->has_result = true;
    call->result_json = writer_new();
    if (call->result_json == NULL) {
        /* Keep handlers simple: a writer that only records the failure. */
        static tf_writer failed;
        failed.error = "out of memory";
        return &failed;
    }
    return call->result_json;
}

static const char OOM_RESPONSE[] =
    "{\"success\":false,\"result\":\"the component ran out of memory\",\"error_type\":\"ResourceExhausted\"}";

static tf_str failure_response(const char *error_type, tf_str message) {
    tf_writer *w = writer_new();
    if (w == NULL) return TF_STR(OOM_RESPONSE);
    tf_write_begin_object(w);
    tf_write_key(w, "success");
    tf_write_bool(w, false);
    tf_write_key(w, "result");
    tf_write_str(w, message);
    tf_write_key(w, "error_type");
    tf_write_cstr(w, error_type);
    tf_write_end_object(w);
    const char *error;
    const tf_buf *out = writer_finish(w, &error);
    return out ? buf_str(out) : TF_STR(OOM_RESPONSE);
}

static tf_str describe(void) {
    tf_writer *w = writer_new();
    if (w == NULL) return TF_STR(OOM_RESPONSE);
    tf_write_begin_object(w);
    tf_write_key(w, "tools");
    tf_write_begin_array(w);
    for (size_t i = 0; i < tf_component_def.tool_count; i++) {
        const tf_tool *tool = &tf_component_def.tools[i];
        const tf_json *schema = NULL;
        if (tool->input_schema != NULL) {
            const char *error;
            size_t offset;
            bool oom;
            schema = json_parse(tf_cstr(tool->input_schema), &error, &offset, &oom);
            if (schema == NULL || schema->type != TF_JSON_OBJECT) {
                tf_str why = schema ? TF_STR("it is not a JSON object")
                                    : tf_sprintf("invalid JSON at offset %zu: %s", offset, error);
                return failure_response("ComponentError", tf_sprintf("tool '%s': input_schema: " TF_FMT_STR,
                                                                     tool->name, TF_ARG_STR(why)));
            }
        }
        tf_write_begin_object(w);
        tf_write_key(w, "name");
        tf_write_cstr(w, tool->name);
        tf_write_key(w, "description");
        tf_write_cstr(w, tool->description ? tool->description : "");
        tf_write_key(w, "inputSchema");
        if (schema != NULL) {
            tf_write_value(w, schema);
        } else {
            tf_write_begin_object(w);
            tf_write_key(w, "type");
            tf_write_cstr(w, "object");
            tf_write_key(w, "properties");
            tf_write_begin_object(w);
            tf_write_end_object(w);
            tf_write_end_object(w);
        }
        tf_write_end_object(w);
    }
    tf_write_end_array(w);
    tf_write_key(w, "operations");
    tf_write_begin_array(w);
    tf_write_end_array(w);
    tf_write_end_object(w);
    const char *error;
    const tf_buf *out = writer_finish(w, &error);
    return out ? buf_str(out) : TF_STR(OOM_RESPONSE);
}

static tf_str execute(tf_call *call, const tf_json *request) {
    const tf_tool *tool = NULL;
    for (size_t i = 0; i < tf_component_def.tool_count; i++) {
        if (tf_str_eq(call->tool, tf_component_def.tools[i].name)) tool = &tf_component_def.tools[i];
    }
    if (tool == NULL || tool->handler == NULL) {
        return failure_response("UnknownTool", tf_sprintf("Unknown tool: " TF_FMT_STR, TF_ARG_STR(call->tool)));
    }
    const tf_json *args = tf_json_get(request, "args");
    if (tf_json_kind(args) != TF_JSON_OBJECT) {
        static const tf_json empty = {TF_JSON_OBJECT, false, false, 0, 0.0, {"", 0}, 0, NULL, NULL};
        args = &empty;
    }
    int status = tool->handler(call, args);
    if (status != 0) {
        if (!call->failed) {
            return failure_response("ComponentError", tf_sprintf("tool '%s' failed without an error message",
                                                                 tool->name));
        }
        return failure_response(call->error_type.ptr, call->error_message);
    }
    tf_str text = (tf_str){"", 0};
    if (call->has_result && call->result_json != NULL) {
        const char *error;
        const tf_buf *out = writer_finish(call->result_json, &error);
        if (out == NULL) {
            return failure_response("ComponentError", tf_sprintf("tool '%s' wrote an invalid JSON result: %s",
                                                                 tool->name, error));
        }
        text = buf_str(out);
    } else if (call->has_result) {
        text = call->result_text;
    }
    tf_writer *w = writer_new();
    if (w == NULL) return TF_STR(OOM_RESPONSE);
    tf_write_begin_object(w);
    tf_write_key(w, "success");
    tf_write_bool(w, true);
    tf_write_key(w, "result");
    tf_write_str(w, text);
    tf_write_key(w, "error_type");
    tf_write_null(w);
    tf_write_end_object(w);
    const char *error;
    const tf_buf *out = writer_finish(w, &error);
    return out ? buf_str(out) : TF_STR(OOM_RESPONSE);
}

/* Exercise the host paths once (read-only) so a pooled instance's first real call is warm. */
static tf_str warmup(const tf_json *request) {
    const tf_json *labels = tf_json_get(request, "labels");
    for (size_t i = 0; i < tf_json_len(labels); i++) {
        tf_str label = tf_json_as_str(tf_json_at(labels, i));
        if (label.len == 0 || !utf8_valid(label)) continue;
        ret_area r;
        abi_store_open(label.ptr, label.len, r.bytes);
        if (r.bytes[0] != 0) continue;
        uint32_t handle = rd32(r.bytes + 4);
        ret_area e;
        abi_store_exists(handle, "\0warmup", 7, e.bytes);
        abi_store_drop(handle);
    }
    return TF_STR("{\"ok\":true}");
}

static tf_str dispatch(tf_str raw) {
    const char *error;
    size_t offset;
    bool oom;
    const tf_json *request = json_parse(raw, &error, &offset, &oom);
    if (request == NULL) {
        if (oom) return TF_STR(OOM_RESPONSE);
        return failure_response("InvalidRequest", tf_sprintf("cannot read the request (offset %zu: %s)", offset, error));
    }
    tf_str kind = tf_json_as_str(tf_json_get(request, "kind"));
    tf_call call;
    memset(&call, 0, sizeof call);
    call.tool = tf_json_as_str(tf_json_get(request, "tool"));
    call.session = tf_json_as_str(tf_json_get(request, "session_id"));
    call.namespace_ = tf_json_as_str(tf_json_get(request, "namespace"));
    if (call.namespace_.len == 0) call.namespace_ = TF_STR("default");
    if (tf_str_eq(kind, "execute")) return execute(&call, request);
    if (tf_str_eq(kind, "describe")) return describe();
    if (tf_str_eq(kind, "warmup")) return warmup(request);
    if (tf_str_eq(kind, "manage")) {
        tf_str operation = tf_json_as_str(tf_json_get(request, "operation"));
        tf_writer *w = writer_new();
        if (w == NULL) return TF_STR(OOM_RESPONSE);
        tf_write_begin_object(w);
        tf_write_key(w, "status");
        tf_write_int(w, 404);
        tf_write_key(w, "body");
        tf_write_begin_object(w);
        tf_write_key(w, "success");
        tf_write_bool(w, false);
        tf_write_key(w, "error");
        tf_write_str(w, tf_sprintf("%s has no operation '" TF_FMT_STR "'", tf_component_def.name,
                                   TF_ARG_STR(operation)));
        tf_write_key(w, "error_type");
        tf_write_cstr(w, "UnknownOperation");
        tf_write_end_object(w);
        tf_write_end_object(w);
        const tf_buf *out = writer_finish(w, &error);
        return out ? buf_str(out) : TF_STR(OOM_RESPONSE);
    }
    return failure_response("InvalidRequest", tf_sprintf("unknown request kind '" TF_FMT_STR "'", TF_ARG_STR(kind)));
}

/* ---- exports ------------------------------------------------------------------------- */

/* The host allocates every string or list it hands us through this. One extra zero byte
 * makes host strings NUL-terminated too. Failing to allocate traps: the host reports the
 * call as out of memory and discards the instance. */
__attribute__((export_name("cabi_realloc"))) void *cabi_realloc(void *old, size_t old_size, size_t align,
                                                                size_t new_size) {
    if (new_size >= SIZE_MAX / 2) __builtin_trap();
    uint8_t *p = arena_realloc(old, old ? old_size + 1 : 0, new_size + 1, align);
    if (p == NULL) __builtin_trap();
    p[new_size] = 0;
    return p;
}

static uint8_t handle_result[8] __attribute__((aligned(4)));

/* handle: func(request: string) -> string. Returns a pointer to (ptr, len). */
__attribute__((export_name("handle"))) uint8_t *tf_export_handle(uint8_t *ptr, size_t len) {
    tf_str response = dispatch((tf_str){(const char *)ptr, len});
    wr32(handle_result, (uint32_t)(uintptr_t)response.ptr);
    wr32(handle_result + 4, (uint32_t)response.len);
    return handle_result;
}

/* Runs after the host has copied the response out: free the whole call at once. */
__attribute__((export_name("cabi_post_handle"))) void tf_export_post_handle(uint8_t *result) {
    (void)result;
    arena_reset();
}

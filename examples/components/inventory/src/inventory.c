/*
 * inventory: a tracefabric tool component in C — stock levels per session, and price
 * quotes from a price service.
 *
 * It shows the whole C guest SDK (tracefabric.h): tools with JSON schemas, argument
 * reading, JSON results, structured errors (catalogue names and one of its own,
 * InsufficientStock), the session's key-value store, outbound HTTP, a variable and
 * logging. Each capability is granted in ../spin.toml; remove a grant and the call that
 * needs it fails with error_type "CapabilityDenied".
 *
 *     tracefabric component build --manifest examples/components/spin.toml
 *     tracefabric tools call inventory stock_add --args '{"item": "apple", "quantity": 3}' \
 *         --session demo --manifest examples/components/spin.toml
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "tracefabric.h"

#define ITEM_SCHEMA "{\"type\": \"string\", \"pattern\": \"^[a-z0-9][a-z0-9_-]{0,63}$\"}"
#define QUANTITY_SCHEMA "{\"type\": \"integer\", \"minimum\": 1, \"maximum\": 1000000}"

static const char ITEM_AND_QUANTITY[] =
    "{\"type\": \"object\", \"properties\": {\"item\": " ITEM_SCHEMA ", \"quantity\": " QUANTITY_SCHEMA "},"
    " \"required\": [\"item\", \"quantity\"], \"additionalProperties\": false}";
static const char NO_ARGUMENTS[] = "{\"type\": \"object\", \"properties\": {}, \"additionalProperties\": false}";

static const char STOCK_PREFIX[] = "stock:";

static tf_str stock_key(tf_str item) { return tf_sprintf("%s" TF_FMT_STR, STOCK_PREFIX, TF_ARG_STR(item)); }

/* The quantity stored at `key` (written by tf_kv_increment: ASCII digits); 0 if absent. */
static int read_quantity(tf_call *call, tf_store store, tf_str key, int64_t *quantity, bool *found) {
    tf_bytes value;
    if (tf_kv_get(call, store, key, &value, found)) return -1;
    *quantity = 0;
    if (*found) {
        /* host values are NUL-terminated by the SDK, so strtoll stops at the end */
        char *end = NULL;
        *quantity = strtoll((const char *)value.ptr, &end, 10);
        if (end != (const char *)value.ptr + value.len) {
            return tf_fail(call, TF_IO_ERROR, "stored quantity for " TF_FMT_STR " is not a number", TF_ARG_STR(key));
        }
    }
    return 0;
}

static int write_item(tf_call *call, tf_str item, int64_t quantity) {
    tf_writer *w = tf_result_json(call);
    tf_write_begin_object(w);
    tf_write_key(w, "item");
    tf_write_str(w, item);
    tf_write_key(w, "quantity");
    tf_write_int(w, quantity);
    tf_write_end_object(w);
    return 0;
}

static int stock_add(tf_call *call, const tf_json *args) {
    tf_str item = tf_json_as_str(tf_json_get(args, "item"));
    int64_t quantity = tf_json_as_int(tf_json_get(args, "quantity"), 0);
    tf_store store;
    int64_t total;
    if (tf_kv_open(call, "default", &store)) return -1; /* CapabilityDenied unless granted */
    if (tf_kv_increment(call, store, stock_key(item), quantity, &total)) return -1;
    tf_log(TF_LOG_INFO, "added %lld " TF_FMT_STR " (now %lld)", (long long)quantity, TF_ARG_STR(item),
           (long long)total);
    return write_item(call, item, total);
}

static int stock_remove(tf_call *call, const tf_json *args) {
    tf_str item = tf_json_as_str(tf_json_get(args, "item"));
    int64_t quantity = tf_json_as_int(tf_json_get(args, "quantity"), 0);
    tf_str key = stock_key(item);
    tf_store store;
    int64_t current, left;
    bool found;
    if (tf_kv_open(call, "default", &store)) return -1;
    if (read_quantity(call, store, key, &current, &found)) return -1;
    if (!found) return tf_fail(call, TF_NOT_FOUND, "no " TF_FMT_STR " in stock", TF_ARG_STR(item));
    if (quantity > current) {
        return tf_fail(call, "InsufficientStock", "only %lld " TF_FMT_STR " in stock, cannot remove %lld",
                       (long long)current, TF_ARG_STR(item), (long long)quantity);
    }
    if (tf_kv_increment(call, store, key, -quantity, &left)) return -1;
    if (left == 0 && tf_kv_delete(call, store, key)) return -1;
    return write_item(call, item, left);
}

static int stock_list(tf_call *call, const tf_json *args) {
    (void)args;
    tf_store store;
    tf_str_list keys;
    if (tf_kv_open(call, "default", &store)) return -1;
    if (tf_kv_keys(call, store, TF_STR(STOCK_PREFIX), &keys)) return -1;
    int64_t units = 0;
    tf_writer *w = tf_result_json(call);
    tf_write_begin_object(w);
    tf_write_key(w, "items");
    tf_write_begin_array(w);
    for (size_t i = 0; i < keys.len; i++) {
        int64_t quantity;
        bool found;
        if (read_quantity(call, store, keys.items[i], &quantity, &found)) return -1;
        if (!found) continue; /* removed meanwhile */
        tf_str item = {keys.items[i].ptr + strlen(STOCK_PREFIX), keys.items[i].len - strlen(STOCK_PREFIX)};
        tf_write_begin_object(w);
        tf_write_key(w, "item");
        tf_write_str(w, item);
        tf_write_key(w, "quantity");
        tf_write_int(w, quantity);
        tf_write_end_object(w);
        units += quantity;
    }
    tf_write_end_array(w);
    tf_write_key(w, "total_units");
    tf_write_int(w, units);
    tf_write_end_object(w);
    return 0;
}

/* GET {price_api}/prices/{item} → {"unit_price": 1.25, "currency": "EUR"} */
static int price_quote(tf_call *call, const tf_json *args) {
    tf_str item = tf_json_as_str(tf_json_get(args, "item"));
    int64_t quantity = tf_json_as_int(tf_json_get(args, "quantity"), 1);
    tf_str base;
    tf_http_response response;
    const tf_json *body;
    if (tf_variable(call, "price_api", &base)) return -1; /* CapabilityDenied unless granted */
    while (base.len > 0 && base.ptr[base.len - 1] == '/') base.len--;
    tf_str url = tf_sprintf(TF_FMT_STR "/prices/" TF_FMT_STR, TF_ARG_STR(base), TF_ARG_STR(item));
    if (tf_http_get(call, url, &response)) return -1; /* CapabilityDenied unless the host is allowed */
    if (response.status == 404) return tf_fail(call, TF_NOT_FOUND, "no price for " TF_FMT_STR, TF_ARG_STR(item));
    if (response.status != 200) {
        return tf_fail(call, TF_API_ERROR, "the price service answered HTTP %u", (unsigned)response.status);
    }
    if (tf_json_parse(call, tf_str_of(response.body), &body)) {
        return tf_fail(call, TF_API_ERROR, "the price service answered with invalid JSON");
    }
    const tf_json *unit_price = tf_json_get(body, "unit_price");
    if (tf_json_kind(unit_price) != TF_JSON_NUMBER) {
        return tf_fail(call, TF_API_ERROR, "the price service answered without a unit_price");
    }
    double unit = tf_json_as_number(unit_price, 0.0);
    tf_writer *w = tf_result_json(call);
    tf_write_begin_object(w);
    tf_write_key(w, "item");
    tf_write_str(w, item);
    tf_write_key(w, "quantity");
    tf_write_int(w, quantity);
    tf_write_key(w, "unit_price");
    tf_write_number(w, unit);
    tf_write_key(w, "total");
    tf_write_number(w, round(unit * (double)quantity * 100) / 100);
    tf_write_key(w, "currency");
    tf_write_value(w, tf_json_get(body, "currency"));
    tf_write_end_object(w);
    return 0;
}

static const tf_tool TOOLS[] = {
    {"stock_add", "Add units of an item to this session's stock; returns the new quantity.", ITEM_AND_QUANTITY,
     stock_add},
    {"stock_remove",
     "Remove units of an item from stock. Fails with InsufficientStock if there are fewer units than asked.",
     ITEM_AND_QUANTITY, stock_remove},
    {"stock_list", "List every item in stock with its quantity, and the total number of units.", NO_ARGUMENTS,
     stock_list},
    {"price_quote", "Quote the price of a quantity of an item, from the price service.", ITEM_AND_QUANTITY,
     price_quote},
};

TF_COMPONENT("inventory", TOOLS);

/*
 * json.c - request bodies: parsing a JSON object with bounds (size is
 * bounded by the server before this is called; nesting, duplicates, UTF-8
 * and NUL here), and checking its fields one by one so that every error
 * names the field.
 *
 * jansson's own nesting limit (2048) is far above what any request of
 * ours needs; a pre-scan refuses deeper input before jansson recurses.
 */
#include <string.h>

#include "base/utf8.h"
#include "http/api.h"

/* The nesting depth of JSON text, counting brackets outside strings; stops
 * early past max. Malformed text is left for the parser to report. */
static size_t json_depth(const char *s, size_t len, size_t max)
{
    size_t i, depth = 0, deepest = 0;
    int in_str = 0;
    for (i = 0; i < len; i++) {
        char c = s[i];
        if (in_str) {
            if (c == '\\')
                i++;
            else if (c == '"')
                in_str = 0;
            continue;
        }
        if (c == '"') {
            in_str = 1;
        } else if (c == '[' || c == '{') {
            if (++depth > deepest) {
                deepest = depth;
                if (deepest > max)
                    return deepest;
            }
        } else if ((c == ']' || c == '}') && depth) {
            depth--;
        }
    }
    return deepest;
}

int api_json_parse(const char *buf, size_t len, size_t max_depth, json_t **out,
                   struct error *err)
{
    json_error_t je;
    json_t *o;

    *out = NULL;
    if (len == 0)
        return error_code(err, 400, "the request body is empty; a JSON object was expected");
    if (memchr(buf, '\0', len))
        return error_code(err, 400, "the request body holds a NUL byte");
    if (!utf8_valid(buf, len))
        return error_code(err, 400, "the request body is not valid UTF-8");
    if (json_depth(buf, len, max_depth) > max_depth)
        return error_code(err, 400, "the JSON body is nested deeper than %zu levels", max_depth);
    o = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &je);
    if (!o)
        return error_code(err, 400, "malformed JSON at line %d, column %d: %s", je.line,
                          je.column, je.text);
    if (!json_is_object(o)) {
        json_decref(o);
        return error_code(err, 400, "the request body must be a JSON object");
    }
    *out = o;
    return 0;
}

int api_body_string(json_t *obj, const char *key, int required, size_t max_bytes,
                    const char **out, struct error *err)
{
    json_t *v = json_object_get(obj, key);
    const char *s;
    if (!v || json_is_null(v)) {
        if (required)
            return error_set(err, "'%s' is required", key);
        return 0;
    }
    if (!json_is_string(v))
        return error_set(err, "'%s' must be a string", key);
    s = json_string_value(v);
    if (strlen(s) != json_string_length(v))
        return error_set(err, "'%s' holds a NUL character", key);
    if (json_string_length(v) > max_bytes)
        return error_set(err, "'%s' is longer than %zu bytes", key, max_bytes);
    if (required && !*s)
        return error_set(err, "'%s' is empty", key);
    *out = s;
    return 0;
}

int api_body_bool(json_t *obj, const char *key, int *out, struct error *err)
{
    json_t *v = json_object_get(obj, key);
    if (!v || json_is_null(v))
        return 0;
    if (!json_is_boolean(v))
        return error_set(err, "'%s' must be true or false", key);
    *out = json_is_true(v);
    return 0;
}

int api_body_int(json_t *obj, const char *key, int64_t min, int64_t max, int64_t *out,
                 struct error *err)
{
    json_t *v = json_object_get(obj, key);
    json_int_t n;
    if (!v || json_is_null(v))
        return 0;
    if (!json_is_integer(v))
        return error_set(err, "'%s' must be a whole number", key);
    n = json_integer_value(v);
    if (n < min || n > max)
        return error_set(err, "'%s' must be from %lld to %lld", key, (long long)min,
                         (long long)max);
    *out = n;
    return 0;
}

const char *api_body_unknown(json_t *obj, const char *const *allowed)
{
    const char *k;
    json_t *v;
    json_object_foreach(obj, k, v) {
        size_t i;
        int ok = 0;
        for (i = 0; allowed[i]; i++)
            if (!strcmp(k, allowed[i]))
                ok = 1;
        if (!ok)
            return k;
    }
    return NULL;
}

json_t *api_str_or_null(const char *s)
{
    return s && *s ? json_string(s) : json_null();
}

json_t *api_time_json(int64_t t)
{
    char buf[32];
    if (!t)
        return json_null();
    audit_time_format(t, buf, sizeof(buf));
    return json_string(buf);
}

json_t *api_page_json(json_t *items, uint64_t total, size_t limit, size_t offset)
{
    json_t *o = json_object();
    json_object_set_new(o, "total", json_integer((json_int_t)total));
    json_object_set_new(o, "limit", json_integer((json_int_t)limit));
    json_object_set_new(o, "offset", json_integer((json_int_t)offset));
    json_object_set_new(o, "items", items);
    return o;
}

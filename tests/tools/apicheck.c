/*
 * apicheck.c - keeps the OpenAPI document true (tests/api/run.sh).
 *
 *   apicheck routes DOC.json ROUTES.json
 *       the (method, path) pairs of the document's paths must be exactly
 *       those of the route table (magnet serve --routes); differences are
 *       printed and the exit status is 1.
 *
 *   apicheck response DOC.json METHOD PATH STATUS BODY [CONTENT-TYPE]
 *       find the document's operation for METHOD and the concrete PATH
 *       (templates like /api/lists/{name}; a literal segment beats a
 *       parameter), take the response for STATUS (else "default"), and when
 *       it is JSON validate BODY against its schema. Prints "METHOD
 *       /template" (for route coverage); exit 1 with the reasons on a
 *       mismatch.
 *
 * The validator knows the part of JSON Schema the document uses: $ref
 * (local), type (one or a list), required, properties,
 * additionalProperties, items, enum, oneOf, allOf; {} accepts anything.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static json_t *doc;
static int failures;

static void fail(const char *path, const char *fmt, const char *a, const char *b)
{
    fprintf(stderr, "apicheck: %s: ", path[0] ? path : "$");
    fprintf(stderr, fmt, a, b);
    fputc('\n', stderr);
    failures++;
}

static json_t *resolve(json_t *schema)
{
    int depth = 0;
    while (schema && json_is_object(schema) && json_object_get(schema, "$ref") && depth++ < 32) {
        const char *ref = json_string_value(json_object_get(schema, "$ref"));
        char buf[256], *p, *slash;
        json_t *cur = doc;
        if (!ref || strncmp(ref, "#/", 2) != 0)
            return NULL;
        snprintf(buf, sizeof(buf), "%s", ref + 2);
        for (p = buf; p && cur; p = slash ? slash + 1 : NULL) {
            slash = strchr(p, '/');
            if (slash)
                *slash = '\0';
            cur = json_object_get(cur, p);
        }
        schema = cur;
    }
    return schema;
}

static const char *type_of(json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT: return "object";
    case JSON_ARRAY: return "array";
    case JSON_STRING: return "string";
    case JSON_INTEGER: return "integer";
    case JSON_REAL: return "number";
    case JSON_TRUE:
    case JSON_FALSE: return "boolean";
    default: return "null";
    }
}

static int type_ok(const char *want, json_t *v)
{
    const char *got = type_of(v);
    return !strcmp(want, got) || (!strcmp(want, "number") && !strcmp(got, "integer"));
}

static int validate(json_t *schema, json_t *v, const char *path, int quiet);

/* Validate quietly: 1 when v matches. */
static int matches(json_t *schema, json_t *v, const char *path)
{
    int before = failures, ok;
    ok = validate(schema, v, path, 1) == 0;
    failures = before;
    return ok;
}

static int validate(json_t *schema, json_t *v, const char *path, int quiet)
{
    json_t *t, *x;
    char sub[1024];
    int bad = 0;
    size_t i;

    schema = resolve(schema);
    if (!schema) {
        if (!quiet)
            fail(path, "%s%s", "unresolvable $ref in the document", "");
        return 1;
    }
    if ((t = json_object_get(schema, "type")) != NULL) {
        int ok = 0;
        if (json_is_string(t))
            ok = type_ok(json_string_value(t), v);
        json_array_foreach(t, i, x) if (type_ok(json_string_value(x), v)) ok = 1;
        if (!ok) {
            char want[128] = "";
            if (json_is_string(t))
                snprintf(want, sizeof(want), "%s", json_string_value(t));
            json_array_foreach(t, i, x) {
                size_t n = strlen(want);
                snprintf(want + n, sizeof(want) - n, "%s%s", i ? " or " : "",
                         json_string_value(x));
            }
            if (!quiet)
                fail(path, "expected %s, got %s", want, type_of(v));
            return 1;
        }
    }
    if ((t = json_object_get(schema, "enum")) != NULL) {
        int ok = 0;
        json_array_foreach(t, i, x) if (json_equal(x, v)) ok = 1;
        if (!ok) {
            if (!quiet)
                fail(path, "%s%s", "value not in the enum", "");
            bad = 1;
        }
    }
    if ((t = json_object_get(schema, "allOf")) != NULL)
        json_array_foreach(t, i, x) bad |= validate(x, v, path, quiet);
    if ((t = json_object_get(schema, "oneOf")) != NULL) {
        int n = 0;
        json_array_foreach(t, i, x) n += matches(x, v, path);
        if (n != 1) {
            if (!quiet)
                fail(path, "matches %s of the oneOf alternatives%s", n ? "several" : "none", "");
            bad = 1;
        }
    }
    if (json_is_object(v)) {
        json_t *props = json_object_get(schema, "properties");
        json_t *addl = json_object_get(schema, "additionalProperties");
        const char *k;
        if ((t = json_object_get(schema, "required")) != NULL)
            json_array_foreach(t, i, x) if (!json_object_get(v, json_string_value(x))) {
                if (!quiet)
                    fail(path, "required property '%s' is missing%s", json_string_value(x), "");
                bad = 1;
            }
        json_object_foreach(v, k, x) {
            json_t *ps = props ? json_object_get(props, k) : NULL;
            snprintf(sub, sizeof(sub), "%s.%s", path, k);
            if (ps)
                bad |= validate(ps, x, sub, quiet);
            else if (addl && json_is_false(addl)) {
                if (!quiet)
                    fail(sub, "%s%s", "property not in the schema", "");
                bad = 1;
            } else if (addl && json_is_object(addl))
                bad |= validate(addl, x, sub, quiet);
        }
    }
    if (json_is_array(v) && (t = json_object_get(schema, "items")) != NULL)
        json_array_foreach(v, i, x) {
            snprintf(sub, sizeof(sub), "%s[%zu]", path, i);
            bad |= validate(t, x, sub, quiet);
        }
    return bad;
}

/* -1 no match, else the number of literal segments of template matching path. */
static int template_match(const char *tmpl, const char *path)
{
    int lit = 0;
    while (*tmpl && *path) {
        const char *te = strchr(tmpl + 1, '/'), *pe = strchr(path + 1, '/');
        size_t tl = te ? (size_t)(te - tmpl) : strlen(tmpl);
        size_t pl = pe ? (size_t)(pe - path) : strlen(path);
        if (tmpl[1] == '{') {
            if (pl < 2)
                return -1;
        } else {
            if (tl != pl || strncmp(tmpl, path, tl) != 0)
                return -1;
            lit++;
        }
        tmpl += tl;
        path += pl;
    }
    return *tmpl || *path ? -1 : lit;
}

static json_t *load(const char *file)
{
    json_error_t je;
    json_t *j = json_load_file(file, 0, &je);
    if (!j)
        fprintf(stderr, "apicheck: %s: %s (line %d)\n", file, je.text, je.line);
    return j;
}

static int cmd_routes(const char *routes_file)
{
    json_t *routes = load(routes_file), *r, *paths = json_object_get(doc, "paths"), *item;
    const char *p;
    size_t i;
    int bad = 0;
    if (!routes || !paths)
        return 2;
    /* every route in the document */
    json_array_foreach(routes, i, r) {
        char tmpl[512], *o = tmpl;
        const char *s = json_string_value(json_object_get(r, "pattern"));
        char method[16];
        size_t k;
        while (*s && o < tmpl + sizeof(tmpl) - 3) {
            if (*s == ':') {
                *o++ = '{';
                s++;
                while (*s && *s != '/')
                    *o++ = *s++;
                *o++ = '}';
            } else {
                *o++ = *s++;
            }
        }
        *o = '\0';
        snprintf(method, sizeof(method), "%s", json_string_value(json_object_get(r, "method")));
        for (k = 0; method[k]; k++)
            method[k] = (char)(method[k] | 0x20);
        item = json_object_get(paths, tmpl);
        if (!item || !json_object_get(item, method)) {
            fprintf(stderr, "apicheck: route %s %s is not in the document\n",
                    json_string_value(json_object_get(r, "method")), tmpl);
            bad = 1;
        }
    }
    /* every operation of the document in the table */
    json_object_foreach(paths, p, item) {
        const char *m;
        json_t *op;
        json_object_foreach(item, m, op) {
            char pat[512], *o = pat;
            const char *s = p;
            int found = 0;
            while (*s && o < pat + sizeof(pat) - 2) {
                if (*s == '{') {
                    *o++ = ':';
                    s++;
                } else if (*s == '}') {
                    s++;
                } else {
                    *o++ = *s++;
                }
            }
            *o = '\0';
            json_array_foreach(routes, i, r)
                if (!strcasecmp(json_string_value(json_object_get(r, "method")), m) &&
                    !strcmp(json_string_value(json_object_get(r, "pattern")), pat))
                    found = 1;
            if (!found) {
                fprintf(stderr, "apicheck: the document's %s %s is not in the route table\n",
                        m, p);
                bad = 1;
            }
            if (!json_object_get(op, "responses") || !json_object_get(op, "summary")) {
                fprintf(stderr, "apicheck: %s %s has no summary or responses\n", m, p);
                bad = 1;
            }
        }
    }
    json_decref(routes);
    if (!bad)
        printf("apicheck: the document and the route table agree (%zu routes)\n",
               json_array_size(routes));
    return bad;
}

static int cmd_response(const char *method, const char *path, const char *status,
                        const char *body_file, const char *ctype)
{
    json_t *paths = json_object_get(doc, "paths"), *item, *best = NULL, *op, *resp, *schema;
    const char *p, *best_p = NULL;
    char m[16], qpath[2048];
    int best_lit = -1;
    size_t k;

    snprintf(qpath, sizeof(qpath), "%s", path);
    if (strchr(qpath, '?'))
        *strchr(qpath, '?') = '\0';
    json_object_foreach(paths, p, item) {
        int lit = template_match(p, qpath);
        if (lit > best_lit) {
            best_lit = lit;
            best = item;
            best_p = p;
        }
    }
    snprintf(m, sizeof(m), "%s", !strcmp(method, "HEAD") ? "get" : method);
    for (k = 0; m[k]; k++)
        m[k] = (char)(m[k] | 0x20);
    if (!best || !(op = json_object_get(best, m))) {
        /* not a documented operation: only an error reply may come back */
        printf("%s (undocumented)\n", method);
        return 0;
    }
    printf("%s %s\n", method, best_p);
    resp = json_object_get(json_object_get(op, "responses"), status);
    if (!resp)
        resp = json_object_get(json_object_get(op, "responses"), "default");
    if (!resp) {
        fprintf(stderr, "apicheck: %s %s: status %s is not documented\n", method, best_p,
                status);
        return 1;
    }
    resp = resolve(resp);
    schema = json_object_get(json_object_get(json_object_get(resp, "content"),
                                             "application/json"),
                             "schema");
    if (!schema) {
        if (ctype && !strncmp(ctype, "application/json", 16) && strcmp(status, "204")) {
            fprintf(stderr, "apicheck: %s %s %s: a JSON reply where the document has none\n",
                    method, best_p, status);
            return 1;
        }
        return 0;
    }
    {
        json_t *body = load(body_file);
        if (!body) {
            fprintf(stderr, "apicheck: %s %s %s: the reply is not JSON\n", method, best_p,
                    status);
            return 1;
        }
        validate(schema, body, "", 0);
        json_decref(body);
    }
    if (failures)
        fprintf(stderr, "apicheck: %s %s %s: the reply does not match the document\n", method,
                best_p, status);
    return failures ? 1 : 0;
}

int main(int argc, char **argv)
{
    int rc;
    if (argc < 3) {
        fprintf(stderr, "usage: apicheck routes DOC ROUTES | apicheck response DOC METHOD PATH "
                        "STATUS BODY [CONTENT-TYPE]\n");
        return 2;
    }
    doc = load(argv[2]);
    if (!doc)
        return 2;
    if (!strcmp(argv[1], "routes") && argc == 4)
        rc = cmd_routes(argv[3]);
    else if (!strcmp(argv[1], "response") && argc >= 7)
        rc = cmd_response(argv[3], argv[4], argv[5], argv[6], argc > 7 ? argv[7] : NULL);
    else {
        fprintf(stderr, "apicheck: bad arguments\n");
        rc = 2;
    }
    json_decref(doc);
    return rc;
}

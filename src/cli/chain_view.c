/*
 * chain_view.c - industry-chain rendering shared by the CLI commands (see
 * chain_view.h). Only formatting and the taxonomy's error reporting live
 * here; classifying and storing are the core's.
 */
#include "cli/chain_view.h"

#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

int chain_view_load(const char *cmd, const char *dir, struct taxonomy **out)
{
    struct error err = ERROR_INIT;
    int rc = dir ? taxonomy_load_dir(dir, out, &err) : taxonomy_load_default(out, &err);
    if (rc == 0)
        return 0;
    fprintf(stderr, "magnet %s: %s\n", cmd, err.msg);
    if (dir)
        fprintf(stderr, "magnet %s: the taxonomy in %s was not loaded; nothing was changed\n",
                cmd, dir);
    return EXIT_INVALID;
}

static const char *js(json_t *a, size_t i)
{
    const char *s = json_string_value(json_array_get(a, i));
    return s ? s : "";
}

/* A JSON number as a weight: 4 or 1.5. */
static void add_number(struct strbuf *out, json_t *v)
{
    double d = json_number_value(v);
    if (d == (double)(long long)d)
        strbuf_addf(out, "%lld", (long long)d);
    else
        strbuf_addf(out, "%g", d);
}

void chain_view_evidence_text(const char *json, size_t len, struct strbuf *out)
{
    json_t *o = json_loadb(json, len, 0, NULL), *a, *e;
    size_t i;
    const char *sep = "";
    if (!o) {
        strbuf_add(out, json, len);
        return;
    }
    if ((a = json_object_get(o, "code")) != NULL) {
        strbuf_addf(out, "code %s +", js(a, 0));
        add_number(out, json_array_get(a, 1));
        sep = "; ";
    }
    if ((a = json_object_get(o, "kw")) != NULL) {
        strbuf_addf(out, "%skeywords ", sep);
        json_array_foreach(a, i, e) {
            strbuf_addf(out, "%s%s +", i ? ", " : "", js(e, 0));
            add_number(out, json_array_get(e, 1));
            strbuf_addf(out, " (%s)", js(e, 2));
        }
        sep = "; ";
    }
    if ((a = json_object_get(o, "nk")) != NULL) {
        strbuf_addf(out, "%sname keywords ", sep);
        json_array_foreach(a, i, e) {
            strbuf_addf(out, "%s%s +", i ? ", " : "", js(e, 0));
            add_number(out, json_array_get(e, 1));
        }
        sep = "; ";
    }
    if ((a = json_object_get(o, "ex")) != NULL) {
        strbuf_addf(out, "%sexcluded ", sep);
        json_array_foreach(a, i, e)
            strbuf_addf(out, "%s%s (cancels %s, %s)", i ? ", " : "", js(e, 0), js(e, 1),
                        js(e, 2));
    }
    json_decref(o);
}

void chain_view_node_title(const struct taxonomy *t, const char *full_id, struct strbuf *out)
{
    const struct tax_node *n = t ? taxonomy_node(t, full_id) : NULL;
    if (!n) {
        strbuf_addstr(out, full_id);
        return;
    }
    strbuf_addf(out, "%s · %s (%s)", t->tracks[n->track].name, n->name,
                n->stage == TAX_CATEGORY ? n->stage_text : tax_stage_label(n->stage));
}

struct ent_ctx {
    const struct taxonomy *t;
    json_t *arr;
    struct strbuf sb;
    int n;
};

static int ent_node(const struct chain_node_row *r, void *ctx)
{
    struct ent_ctx *c = ctx;
    const struct tax_node *n = c->t ? taxonomy_node(c->t, r->node) : NULL;
    c->n++;
    if (c->arr) {
        json_t *o = json_object();
        const char *slash = strchr(r->node, '/');
        json_object_set_new(o, "node", json_string(r->node));
        json_object_set_new(o, "track", json_stringn(r->node, slash ? (size_t)(slash - r->node)
                                                                     : strlen(r->node)));
        if (n) {
            json_object_set_new(o, "track_name", json_string(c->t->tracks[n->track].name));
            json_object_set_new(o, "name", json_string(n->name));
            json_object_set_new(o, "stage", json_string(n->stage_text));
        }
        json_object_set_new(o, "score", json_real(r->score));
        json_object_set_new(o, "confidence", json_real(r->confidence));
        json_object_set_new(o, "evidence", json_loadb(r->evidence, r->evidence_len, 0, NULL));
        json_array_append_new(c->arr, o);
        return 0;
    }
    strbuf_reset(&c->sb);
    chain_view_node_title(c->t, r->node, &c->sb);
    printf("  %-24s %s  score %g, confidence %.2f\n", r->node, c->sb.buf, r->score,
           r->confidence);
    strbuf_reset(&c->sb);
    chain_view_evidence_text(r->evidence, r->evidence_len, &c->sb);
    printf("      %s\n", c->sb.buf);
    return 0;
}

int chain_view_ent(struct store *st, int64_t id, json_t *obj, struct error *err)
{
    struct ent_ctx c = { NULL, NULL, STRBUF_INIT, 0 };
    struct taxonomy *t = NULL;
    struct error ignore = ERROR_INIT;
    char hash[17], source[256];
    int classified, rc;

    taxonomy_load_default(&t, &ignore);  /* names only: without them the ids still say it */
    c.t = t;
    classified = store_chain_ent_taxonomy(st, id, hash, source, sizeof(source), err);
    if (classified < 0) {
        taxonomy_free(t);
        return -1;
    }
    if (obj) {
        c.arr = json_array();
        json_object_set_new(obj, "chains", c.arr);
        json_object_set_new(obj, "chains_taxonomy", classified ? json_string(hash) : json_null());
    } else {
        printf("产业链 (industry chains)%s%s:\n", classified ? ", taxonomy " : "",
               classified ? hash : "");
    }
    rc = store_chain_ent_nodes(st, id, ent_node, &c, err);
    if (!obj && rc == 0 && c.n == 0)
        printf("  %s\n", classified ? "(in no node)" : "(not classified: run 'magnet classify --all')");
    strbuf_release(&c.sb);
    taxonomy_free(t);
    return rc;
}

/*
 * chain_view.h - the CLI's rendering of industry-chain data, shared by
 * magnet classify, magnet chains and magnet show: loading the taxonomy the
 * user asked for, and turning evidence into text or JSON.
 */
#ifndef MAGNET_CLI_CHAIN_VIEW_H
#define MAGNET_CLI_CHAIN_VIEW_H

#include <jansson.h>
#include <stdint.h>

#include "base/strbuf.h"
#include "chain/taxonomy.h"
#include "store/store.h"

/* Load the taxonomy of --chains DIR, or the embedded default when dir is
 * NULL. On failure prints "magnet CMD: FILE:LINE: reason" and returns
 * EXIT_INVALID (a malformed file) or EXIT_FAIL; 0 on success. */
int chain_view_load(const char *cmd, const char *dir, struct taxonomy **out);

/* Evidence JSON (classify_evidence_json) as one line of text for people:
 * "code 6520 +2; keywords 人工智能芯片 +5 (scope); excluded 芯片销售 (cancels 芯片, scope)".
 * Appends to out. */
void chain_view_evidence_text(const char *json, size_t len, struct strbuf *out);

/* "人工智能 · AI芯片 (上游)" for a node id, from t (may be NULL); falls back
 * to the id. Appends to out. */
void chain_view_node_title(const struct taxonomy *t, const char *full_id, struct strbuf *out);

/* The stored classification of enterprise id: into obj["chains"] (an
 * array) when obj is not NULL, else printed as a section of text. Names come
 * from the embedded taxonomy. Returns 0 or -1 (err). */
int chain_view_ent(struct store *st, int64_t id, json_t *obj, struct error *err);

#endif

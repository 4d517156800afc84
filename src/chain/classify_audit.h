/*
 * classify_audit.h - the audit row of a classification run (audit.h), one
 * per run of classify_run(): `magnet classify --all|--batch N`, and the
 * classification `magnet import` and the import jobs of the HTTP API do
 * after an import.
 *
 * classify_run() commits every few tens of thousands of enterprises, so its
 * writes cannot share one transaction with an audit row: the row is
 * written when the run has ended, and says whether it ended complete. A
 * run that failed half-way is recorded too ("complete": false, with the
 * error): the pages it committed stay.
 */
#ifndef MAGNET_CHAIN_CLASSIFY_AUDIT_H
#define MAGNET_CHAIN_CLASSIFY_AUDIT_H

#include <stdint.h>

#include "auth/audit.h"
#include "base/error.h"
#include "chain/classify_run.h"
#include "chain/taxonomy.h"

/* Append the row: action "classify"; entity "batch" with the batch id when
 * opt->batch, else "taxonomy" with the taxonomy's hash; after = {"batch"
 * (null for all), "taxonomy", "source", "enterprises", "placed",
 * "placements", "complete", and "error" when failed is not NULL}. now in
 * unix seconds, 0: the clock. 0, or -1 with err. */
int classify_audit(struct store *st, const struct audit_actor *who, const struct taxonomy *t,
                   const struct classify_run_options *opt, const struct classify_run_stats *stats,
                   const struct error *failed, int64_t now, struct error *err);

#endif

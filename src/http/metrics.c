/*
 * metrics.c - request counters and latency histograms by route, kept in
 * relaxed atomics (no lock on the request path), and their Prometheus
 * text exposition with the index and server gauges (GET /metrics).
 *
 * Routes are the patterns of the route table, never raw paths, so a
 * client cannot make the series grow; requests that match no route count
 * under route="(none)" and static files under route="(static)".
 */
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "base/alloc.h"
#include "http/api.h"
#include "index/index.h"

static const int codes[] = { 200, 201, 202, 204, 206, 304, 400, 401, 403, 404, 405, 408, 409,
                             411, 413, 415, 422, 429, 431, 500, 503 };
#define NCODES (sizeof(codes) / sizeof(codes[0]))
#define CODE_OTHER NCODES   /* any other status */

static const double bounds[] = { 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                 0.1,    0.25,  0.5,    1,     2.5,  5,     10 };
#define NBOUNDS (sizeof(bounds) / sizeof(bounds[0]))

struct route_metrics {
    atomic_uint_fast64_t status[NCODES + 1];
    atomic_uint_fast64_t bucket[NBOUNDS + 1];   /* the last is +Inf */
    atomic_uint_fast64_t sum_us;
};

static struct route_metrics *rm;   /* nroutes + 2: static, none */
static size_t nslots;
static atomic_uint_fast64_t errors_4xx, errors_5xx, bytes_out;

void metrics_init(size_t nroutes)
{
    nslots = nroutes + 2;
    rm = xcalloc(nslots, sizeof(*rm));
}

static size_t slot_of(int route_index)
{
    if (route_index == ROUTE_STATIC)
        return nslots - 2;
    if (route_index < 0 || (size_t)route_index >= nslots - 2)
        return nslots - 1;
    return (size_t)route_index;
}

void metrics_record(int route_index, const char *method, int status, double seconds,
                    uint64_t bytes)
{
    struct route_metrics *m;
    size_t i, c = CODE_OTHER;
    (void)method;
    if (!rm)
        return;
    m = &rm[slot_of(route_index)];
    for (i = 0; i < NCODES; i++)
        if (codes[i] == status)
            c = i;
    atomic_fetch_add_explicit(&m->status[c], 1, memory_order_relaxed);
    for (i = 0; i < NBOUNDS && seconds > bounds[i]; i++)
        ;
    atomic_fetch_add_explicit(&m->bucket[i], 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&m->sum_us, (uint_fast64_t)(seconds * 1e6), memory_order_relaxed);
    if (status >= 500)
        atomic_fetch_add_explicit(&errors_5xx, 1, memory_order_relaxed);
    else if (status >= 400)
        atomic_fetch_add_explicit(&errors_4xx, 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&bytes_out, bytes, memory_order_relaxed);
}

static void labels(struct strbuf *out, size_t slot)
{
    if (slot == nslots - 2)
        strbuf_addstr(out, "method=\"GET\",route=\"(static)\"");
    else if (slot == nslots - 1)
        strbuf_addstr(out, "method=\"(any)\",route=\"(none)\"");
    else
        strbuf_addf(out, "method=\"%s\",route=\"%s\"", api_routes[slot].method,
                    api_routes[slot].pattern);
}

static uint64_t load(atomic_uint_fast64_t *a)
{
    return (uint64_t)atomic_load_explicit(a, memory_order_relaxed);
}

void metrics_render(struct api_server *s, struct strbuf *out)
{
    size_t i, k;
    struct index_mem mem;
    static const char *const parts[] = { "columns", "uscc_map", "code_bitmaps",
                                         "chain_bitmaps", "name_text", "name_grams",
                                         "scope_text", "scope_grams" };

    strbuf_addstr(out, "# HELP magnet_http_requests_total Requests answered, by route and "
                       "status.\n# TYPE magnet_http_requests_total counter\n");
    for (i = 0; rm && i < nslots; i++)
        for (k = 0; k <= NCODES; k++) {
            uint64_t n = load(&rm[i].status[k]);
            if (!n)
                continue;
            strbuf_addstr(out, "magnet_http_requests_total{");
            labels(out, i);
            if (k == CODE_OTHER)
                strbuf_addf(out, ",status=\"other\"} %llu\n", (unsigned long long)n);
            else
                strbuf_addf(out, ",status=\"%d\"} %llu\n", codes[k], (unsigned long long)n);
        }

    strbuf_addf(out, "# HELP magnet_http_errors_total Requests answered with an error "
                     "status.\n# TYPE magnet_http_errors_total counter\n"
                     "magnet_http_errors_total{class=\"4xx\"} %llu\n"
                     "magnet_http_errors_total{class=\"5xx\"} %llu\n",
                (unsigned long long)load(&errors_4xx), (unsigned long long)load(&errors_5xx));

    strbuf_addstr(out, "# HELP magnet_http_request_duration_seconds Time from the request's "
                       "arrival to its reply being queued.\n"
                       "# TYPE magnet_http_request_duration_seconds histogram\n");
    for (i = 0; rm && i < nslots; i++) {
        uint64_t cum = 0, total = 0;
        for (k = 0; k <= NBOUNDS; k++)
            total += load(&rm[i].bucket[k]);
        if (!total)
            continue;
        for (k = 0; k <= NBOUNDS; k++) {
            cum += load(&rm[i].bucket[k]);
            strbuf_addstr(out, "magnet_http_request_duration_seconds_bucket{");
            labels(out, i);
            if (k == NBOUNDS)
                strbuf_addf(out, ",le=\"+Inf\"} %llu\n", (unsigned long long)cum);
            else
                strbuf_addf(out, ",le=\"%g\"} %llu\n", bounds[k], (unsigned long long)cum);
        }
        strbuf_addstr(out, "magnet_http_request_duration_seconds_sum{");
        labels(out, i);
        strbuf_addf(out, "} %.6f\n", (double)load(&rm[i].sum_us) / 1e6);
        strbuf_addstr(out, "magnet_http_request_duration_seconds_count{");
        labels(out, i);
        strbuf_addf(out, "} %llu\n", (unsigned long long)total);
    }

    strbuf_addf(out, "# HELP magnet_http_response_bytes_total Bytes of response bodies.\n"
                     "# TYPE magnet_http_response_bytes_total counter\n"
                     "magnet_http_response_bytes_total %llu\n",
                (unsigned long long)load(&bytes_out));
    strbuf_addf(out, "# HELP magnet_http_connections Open connections.\n"
                     "# TYPE magnet_http_connections gauge\nmagnet_http_connections %d\n",
                atomic_load(&s->connections));
    strbuf_addf(out, "# HELP magnet_http_requests_in_flight Requests being handled.\n"
                     "# TYPE magnet_http_requests_in_flight gauge\n"
                     "magnet_http_requests_in_flight %d\n",
                atomic_load(&s->in_flight));
    strbuf_addf(out, "# HELP magnet_import_jobs_running Import jobs running.\n"
                     "# TYPE magnet_import_jobs_running gauge\nmagnet_import_jobs_running %d\n",
                s->jobs ? jobs_running(s->jobs) : 0);

    index_memory(s->ix, &mem);
    strbuf_addf(out, "# HELP magnet_index_enterprises Enterprises in the screening index.\n"
                     "# TYPE magnet_index_enterprises gauge\nmagnet_index_enterprises %llu\n",
                (unsigned long long)mem.docs);
    strbuf_addf(out, "# HELP magnet_index_seq The store change-log sequence the index "
                     "reflects.\n# TYPE magnet_index_seq gauge\nmagnet_index_seq %lld\n",
                (long long)atomic_load(&s->ix_seq));
    strbuf_addstr(out, "# HELP magnet_index_bytes Memory held by the index, by part.\n"
                       "# TYPE magnet_index_bytes gauge\n");
    {
        size_t v[] = { mem.columns, mem.uscc_map, mem.code_bitmaps, mem.chain_bitmaps,
                       mem.name_text, mem.name_grams, mem.scope_text, mem.scope_grams };
        for (i = 0; i < sizeof(parts) / sizeof(parts[0]); i++)
            strbuf_addf(out, "magnet_index_bytes{part=\"%s\"} %zu\n", parts[i], v[i]);
    }
    strbuf_addf(out, "# HELP magnet_index_bytes_total Memory held by the index.\n"
                     "# TYPE magnet_index_bytes_total gauge\nmagnet_index_bytes_total %zu\n",
                mem.total);
    strbuf_addf(out, "# HELP magnet_uptime_seconds Seconds since the server started.\n"
                     "# TYPE magnet_uptime_seconds gauge\nmagnet_uptime_seconds %lld\n",
                (long long)(time(NULL) - s->started));
}

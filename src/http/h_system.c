/*
 * h_system.c - the service's own routes: GET /healthz, GET /metrics,
 * GET /api/openapi.json. All public: a load balancer, Prometheus and a
 * client generator call them without an account.
 */
#include <string.h>
#include <time.h>

#include "http/api.h"
#include "index/index.h"

void h_healthz(struct api_req *r)
{
    json_t *o = json_object();
    json_object_set_new(o, "status", json_string(atomic_load(&r->srv->stopping) ? "stopping"
                                                                                : "ok"));
    json_object_set_new(o, "enterprises", json_integer((json_int_t)atomic_load(&r->srv->ix_docs)));
    json_object_set_new(o, "index_seq", json_integer((json_int_t)atomic_load(&r->srv->ix_seq)));
    json_object_set_new(o, "uptime_s", json_integer((json_int_t)(time(NULL) - r->srv->started)));
    api_reply_json(r, atomic_load(&r->srv->stopping) ? 503 : 200, o);
}

void h_metrics(struct api_req *r)
{
    struct strbuf sb = STRBUF_INIT;
    metrics_render(r->srv, &sb);
    api_reply_text(r, 200, "text/plain; version=0.0.4; charset=utf-8", sb.buf, sb.len);
    strbuf_release(&sb);
}

void h_openapi(struct api_req *r)
{
    size_t len;
    const char *doc = http_openapi_document(&len);
    api_reply_text(r, 200, "application/json; charset=utf-8", doc, len);
    api_add_header(r, "Cache-Control", "public, max-age=300");
}

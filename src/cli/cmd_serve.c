/*
 * cmd_serve.c - magnet serve: run the HTTP JSON API (src/http/).
 *
 * Settings: defaults, then --config FILE, then MAGNET_* environment
 * variables, then the flags (each later one wins); --print-config shows
 * the result and where each value came from. docs/api.md is the manual.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/strbuf.h"
#include "cli/cli.h"
#include "cli/commands.h"
#include "http/http.h"

static const char serve_usage[] =
    "usage: magnet serve [--listen HOST:PORT] [--config FILE] [options]\n"
    "\n"
    "Serve the HTTP JSON API (docs/api.md; the OpenAPI document is GET /api/openapi.json)\n"
    "and, with --web DIR, the web UI. Stops cleanly on SIGTERM or SIGINT.\n"
    "\n"
    "  --listen HOST:PORT  address to listen on (default 127.0.0.1:8080; port 0: any)\n"
    "  --config FILE       settings file of 'key = value' lines\n"
    "  --db FILE           the store (default $MAGNET_DB, else ./magnet.db)\n"
    "  --home REGION       home district (code or name) for chain maps and gap nodes\n"
    "  --web DIR           serve the web UI's static files from DIR\n"
    "  --data-dir DIR      uploads, rejects and exports (default: DB.files)\n"
    "  --threads N         worker threads (default: two per CPU, at least 4)\n"
    "  --set KEY=VALUE     any setting (repeatable); see --print-config\n"
    "  --port-file FILE    write the port listened on to FILE once ready\n"
    "  --print-config      print the settings and where each came from, and exit\n"
    "  --routes            print the route table (methods, paths, roles) and exit\n"
    "  --openapi           print the OpenAPI document and exit\n"
    "\n"
    "Precedence: defaults < --config FILE < environment (MAGNET_LISTEN, MAGNET_DB,\n"
    "MAGNET_MAX_UPLOAD_BYTES, ... = MAGNET_ + the key in capitals) < flags.\n";

struct ready_ctx {
    const struct http_config *cfg;
    const char *port_file;
};

static void on_ready(int port, void *vctx)
{
    struct ready_ctx *c = vctx;
    char host[128];
    int p;
    if (http_listen_parse(c->cfg->str[HS_LISTEN], host, sizeof(host), &p, NULL) != 0)
        host[0] = '\0';
    fprintf(stderr, "magnet serve: listening on http://%s%s%s:%d/ (store %s)\n",
            strchr(host, ':') ? "[" : "", host[0] ? host : "0.0.0.0",
            strchr(host, ':') ? "]" : "", port, c->cfg->str[HS_DB]);
    fflush(stderr);
    if (c->port_file) {
        FILE *f = fopen(c->port_file, "w");
        if (f) {
            fprintf(f, "%d\n", port);
            fclose(f);
        } else {
            fprintf(stderr, "magnet serve: cannot write %s\n", c->port_file);
        }
    }
}

/* A flag's setting, remembered until the file and environment are read. */
struct flag_set {
    const char *key;
    char *value;   /* owned when from --set */
    int owned;
};

int cmd_serve(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "listen", required_argument, NULL, 'l' },
        { "config", required_argument, NULL, 'c' },
        { "db", required_argument, NULL, 'd' },
        { "home", required_argument, NULL, 'H' },
        { "web", required_argument, NULL, 'w' },
        { "data-dir", required_argument, NULL, 'D' },
        { "threads", required_argument, NULL, 't' },
        { "set", required_argument, NULL, 's' },
        { "port-file", required_argument, NULL, 'p' },
        { "print-config", no_argument, NULL, 'P' },
        { "routes", no_argument, NULL, 'R' },
        { "openapi", no_argument, NULL, 'O' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 }
    };
    struct http_config cfg;
    struct error err = ERROR_INIT;
    struct flag_set flags[64];
    struct ready_ctx rc;
    const char *config = NULL, *port_file = NULL;
    size_t nflags = 0, i;
    int c, print_config = 0, status = EXIT_OK;

    optind = 1;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        const char *key = NULL;
        char *value = optarg;
        int owned = 0;
        switch (c) {
        case 'l': key = "listen"; break;
        case 'd': key = "db"; break;
        case 'H': key = "home"; break;
        case 'w': key = "web_dir"; break;
        case 'D': key = "data_dir"; break;
        case 't': key = "threads"; break;
        case 's': {
            char *eq = strchr(optarg, '=');
            if (!eq)
                return cli_usage_error("serve", "--set takes KEY=VALUE, not '%s'", optarg);
            value = xstrdup(eq + 1);
            owned = 1;
            *eq = '\0';
            key = optarg;
            break;
        }
        case 'c': config = optarg; break;
        case 'p': port_file = optarg; break;
        case 'P': print_config = 1; break;
        case 'R': {
            struct strbuf sb = STRBUF_INIT;
            http_routes_json(&sb);
            fputs(sb.buf, stdout);
            strbuf_release(&sb);
            return EXIT_OK;
        }
        case 'O': {
            size_t len;
            const char *doc = http_openapi_document(&len);
            fwrite(doc, 1, len, stdout);
            fputc('\n', stdout);
            return EXIT_OK;
        }
        case 'h': fputs(serve_usage, stdout); return EXIT_OK;
        default: return cli_usage_error("serve", "unknown option (see magnet serve --help)");
        }
        if (key) {
            if (nflags == sizeof(flags) / sizeof(flags[0]))
                return cli_usage_error("serve", "too many settings on the command line");
            flags[nflags].key = key;
            flags[nflags].value = value;
            flags[nflags].owned = owned;
            nflags++;
        }
    }
    if (optind < argc)
        return cli_usage_error("serve", "unexpected argument '%s'", argv[optind]);

    http_config_init(&cfg);
    if ((config && http_config_load_file(&cfg, config, &err) != 0) ||
        http_config_load_env(&cfg, &err) != 0) {
        fprintf(stderr, "magnet serve: %s\n", err.msg);
        status = EXIT_USAGE;
        goto out;
    }
    for (i = 0; i < nflags; i++) {
        if (http_config_set(&cfg, flags[i].key, flags[i].value, "flag", &err) != 0) {
            fprintf(stderr, "magnet serve: %s\n", err.msg);
            status = EXIT_USAGE;
            goto out;
        }
    }
    if (print_config) {
        struct strbuf sb = STRBUF_INIT;
        http_config_json(&cfg, &sb);
        fputs(sb.buf, stdout);
        strbuf_release(&sb);
        goto out;
    }
    rc.cfg = &cfg;
    rc.port_file = port_file;
    if (http_serve(&cfg, on_ready, &rc, &err) != 0) {
        fprintf(stderr, "magnet serve: %s\n", err.msg);
        status = EXIT_FAIL;
    }
out:
    for (i = 0; i < nflags; i++)
        if (flags[i].owned)
            free(flags[i].value);
    http_config_release(&cfg);
    return status;
}

/* bingfa serve: the HTTP API over a database file. SIGINT and SIGTERM stop
 * accepting, let requests in flight finish, then close the database. */
#include <arpa/inet.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "auth/password.h"
#include "core/notify.h"
#include "cli/cli.h"
#include "http/server.h"

const char cli_serve_usage[] =
    "  bingfa serve [options]              serve the web API\n"
    "      --db DB                         the database (default ./bingfa.db)\n"
    "      --listen ADDR:PORT              address to listen on (default 127.0.0.1:8080;\n"
    "                                      port 0 picks a free port)\n"
    "      --threads N                     worker threads (default: one per CPU the process\n"
    "                                      may run on)\n"
    "      --max-body BYTES                largest request body (default 1048576)\n"
    "      --max-upload BYTES              largest file uploaded to a deal (default 20971520; at\n"
    "                                      most --max-body-memory)\n"
    "      --max-connections N             open connections at most (default 1024)\n"
    "      --max-connections-per-address N open connections from one client address\n"
    "                                      (default 64; 0: no limit, e.g. behind a proxy)\n"
    "      --timeout SECONDS               idle connection timeout (default 30)\n"
    "      --header-timeout SECONDS        a request's headers must arrive within (default 10)\n"
    "      --min-body-rate BYTES           bytes a second a body must average once the header\n"
    "                                      timeout has passed (default 1024; 0: no minimum)\n"
    "      --max-body-memory BYTES         request bodies held at once, server-wide; 503 beyond\n"
    "                                      (default 67108864)\n"
    "      --access-log FILE|-             where the access log goes, one JSON line a request,\n"
    "                                      appended to FILE (default -: standard output); lines\n"
    "                                      are written in batches, about every 100 ms (sooner\n"
    "                                      under load), and what is left at the stop\n"
    "      --synchronous full|normal       full (default): a write is answered once it is on "
    "disk;\n"
    "                                      normal: without waiting (lost on a power loss; on\n"
    "                                      PostgreSQL, synchronous_commit off)\n"
    "      --web DIR                       serve the built web app from DIR (web/dist)\n"
    "      --public-url URL                where users reach the server "
    "(https://crm.example.com):\n"
    "                                      calendar feeds give whole addresses and link their\n"
    "                                      events to the web app\n"
    "      --session-hours N               how long a login lasts (default 12)\n"
    "      --cookie-secure                 mark the session cookie Secure and send HSTS\n"
    "                                      (served over TLS)\n"
    "      --trusted-proxy ADDR            believe X-Forwarded-For from this proxy's address\n"
    "      --password-cost interactive|moderate|min\n"
    "                                      argon2id cost of new password hashes\n"
    "      --hash-slots N                  password hashes computed at once, on threads of\n"
    "                                      their own (default 2)\n"
    "      --hash-queue N                  logins waiting for a hash at most; 503 beyond\n"
    "                                      (default 64)\n"
    "      --login-rate N                  logins from one address a minute, right or wrong\n"
    "                                      (default 30; 0: no limit)\n"
    "      --aside-walk-from N             a user's list of deals picks the deals seen through\n"
    "                                      deal teams out of the sort's index once there are\n"
    "                                      N of them (default 4000; below, one by one)\n"
    "      --notify-interval SECONDS       how often the notifications of stalled deals, visits\n"
    "                                      tomorrow and tender dates near are looked for\n"
    "                                      (default 300; 0: never, e.g. when another server of\n"
    "                                      the database does it)\n"
    "      --webhook-retry S1,S2,...       seconds a robot's message waits after each failed\n"
    "                                      attempt; given up after the last (default\n"
    "                                      60,300,1800,7200)\n"
    "      --webhook-timeout SECONDS       how long one attempt may take (default 10)\n";

static bool parse_uint(const char *s, unsigned long max, unsigned long *out)
{
    char *end;
    errno = 0;
    unsigned long v = strtoul(s, &end, 10);
    if (*s == '\0' || *s == '-' || *end != '\0' || errno != 0 || v > max)
        return false;
    *out = v;
    return true;
}

/* "127.0.0.1:8080", "[::1]:8080" or ":8080" into address and port. */
static bool parse_listen(const char *s, char *addr, size_t cap, uint16_t *port)
{
    const char *colon;
    const char *host = s;
    size_t host_len;
    if (s[0] == '[') {
        const char *close = strchr(s, ']');
        if (close == NULL || close[1] != ':')
            return false;
        host = s + 1;
        host_len = (size_t)(close - host);
        colon = close + 1;
    } else {
        colon = strrchr(s, ':');
        if (colon == NULL)
            return false;
        host_len = (size_t)(colon - s);
    }
    if (host_len == 0) {
        host = "127.0.0.1";
        host_len = strlen(host);
    }
    if (host_len >= cap)
        return false;
    memcpy(addr, host, host_len);
    addr[host_len] = '\0';
    unsigned long p;
    if (!parse_uint(colon + 1, 65535, &p))
        return false;
    *port = (uint16_t)p;
    return true;
}

/* What the command line asks of the server, defaults filled in. */
typedef struct serve_config {
    const char *db, *listen, *access_log, *web_root;
    http_options hopt;
    store_options sopt;
    password_cost cost;
    unsigned long hash_slots, session_hours, login_rate;
    notify_backoff retry;          /* --webhook-retry */
    notify_service_options notify; /* --notify-interval, --webhook-timeout */
    bool cookie_secure;
    bool help;            /* --help: print the options, serve nothing */
    char addr[64];        /* the address of --listen; hopt.address points here */
    char public_url[256]; /* --public-url without a slash at its end, or "" */
} serve_config;

/* Fills c with the defaults of every option. */
static void serve_init_config(serve_config *c)
{
    *c = (serve_config){.db = cli_db(NULL, "bingfa.db"),
                        .listen = "127.0.0.1:8080",
                        .access_log = "-",
                        .hopt = {.max_body = 1024 * 1024,
                                 .max_upload = HTTP_DEFAULT_MAX_UPLOAD,
                                 .connection_limit = 1024,
                                 .per_address_limit = HTTP_DEFAULT_PER_ADDRESS,
                                 .timeout_seconds = 30,
                                 .header_timeout_s = HTTP_DEFAULT_HEADER_TIMEOUT,
                                 .min_body_rate = HTTP_DEFAULT_MIN_BODY_RATE,
                                 .body_memory = HTTP_DEFAULT_BODY_MEMORY,
                                 .pool_queue = HTTP_DEFAULT_POOL_QUEUE,
                                 .admit = api_admit,
                                 .done = api_done},
                        .sopt = {.synchronous_full = true},
                        .cost = PASSWORD_COST_INTERACTIVE,
                        .hash_slots = 2,
                        .session_hours = 12,
                        .login_rate = 30,
                        .retry = notify_backoff_default,
                        .notify = {.interval_s = 300, .timeout_s = 10}};
}

/* An http:// or https:// address with a host, of printable ASCII without
 * spaces, quotes or angle brackets, into out without the slashes at its end;
 * false when it is not one. */
static bool parse_public_url(const char *s, char *out, size_t cap)
{
    size_t n = strlen(s);
    size_t scheme = strncmp(s, "https://", 8) == 0 ? 8 : strncmp(s, "http://", 7) == 0 ? 7 : 0;
    while (n > scheme && s[n - 1] == '/')
        n--;
    if (scheme == 0 || n == scheme || n >= cap)
        return false;
    for (size_t i = 0; i < n; i++)
        if (s[i] <= ' ' || s[i] > '~' || strchr("\"<>\\^`{|}", s[i]) != NULL)
            return false;
    memcpy(out, s, n);
    out[n] = '\0';
    return true;
}

/* Sets the option arg to val in c; 0, or 2 (after saying why) when the
 * option is unknown or its value is out of range. */
static int serve_parse_option(serve_config *c, const char *arg, const char *val)
{
    http_options *hopt = &c->hopt;
    unsigned long n;
    if (strcmp(arg, "--db") == 0) {
        c->db = val;
    } else if (strcmp(arg, "--listen") == 0) {
        c->listen = val;
    } else if (strcmp(arg, "--access-log") == 0) {
        c->access_log = val;
    } else if (strcmp(arg, "--threads") == 0 && parse_uint(val, 256, &n) && n > 0) {
        hopt->threads = (unsigned)n;
    } else if (strcmp(arg, "--max-body") == 0 && parse_uint(val, 1UL << 30, &n) && n > 0) {
        hopt->max_body = n;
    } else if (strcmp(arg, "--max-upload") == 0 && parse_uint(val, 1UL << 30, &n) && n > 0) {
        hopt->max_upload = n;
    } else if (strcmp(arg, "--max-connections") == 0 && parse_uint(val, 100000, &n) && n > 0) {
        hopt->connection_limit = (unsigned)n;
    } else if (strcmp(arg, "--max-connections-per-address") == 0 && parse_uint(val, 100000, &n)) {
        hopt->per_address_limit = (unsigned)n;
    } else if (strcmp(arg, "--timeout") == 0 && parse_uint(val, 3600, &n) && n > 0) {
        hopt->timeout_seconds = (unsigned)n;
    } else if (strcmp(arg, "--header-timeout") == 0 && parse_uint(val, 3600, &n) && n > 0) {
        hopt->header_timeout_s = (unsigned)n;
    } else if (strcmp(arg, "--min-body-rate") == 0 && parse_uint(val, 1UL << 30, &n)) {
        hopt->min_body_rate = (unsigned)n;
    } else if (strcmp(arg, "--max-body-memory") == 0 && parse_uint(val, 1UL << 40, &n) && n > 0) {
        hopt->body_memory = n;
    } else if (strcmp(arg, "--hash-queue") == 0 && parse_uint(val, 100000, &n) && n > 0) {
        hopt->pool_queue = (unsigned)n;
    } else if (strcmp(arg, "--login-rate") == 0 && parse_uint(val, 100000, &n)) {
        c->login_rate = n;
    } else if (strcmp(arg, "--aside-walk-from") == 0 && parse_uint(val, 1000000000, &n) && n > 0) {
        c->sopt.aside_walk_from = (int)n;
    } else if (strcmp(arg, "--synchronous") == 0 &&
               (strcmp(val, "full") == 0 || strcmp(val, "normal") == 0)) {
        c->sopt.synchronous_full = strcmp(val, "full") == 0;
    } else if (strcmp(arg, "--trusted-proxy") == 0) {
        unsigned char bin[16];
        if (inet_pton(AF_INET, val, bin) != 1 && inet_pton(AF_INET6, val, bin) != 1) {
            cli_error("serve: --trusted-proxy must be an IP address, not '%s'", val);
            return 2;
        }
        hopt->trusted_proxy = val;
    } else if (strcmp(arg, "--web") == 0) {
        c->web_root = val;
    } else if (strcmp(arg, "--public-url") == 0) {
        if (!parse_public_url(val, c->public_url, sizeof(c->public_url))) {
            cli_error("serve: --public-url must be an http:// or https:// address without "
                      "spaces, such as https://crm.example.com, not '%s'",
                      val);
            return 2;
        }
    } else if (strcmp(arg, "--password-cost") == 0 && password_cost_parse(val, &c->cost)) {
    } else if (strcmp(arg, "--hash-slots") == 0 && parse_uint(val, 64, &n) && n > 0) {
        c->hash_slots = n;
    } else if (strcmp(arg, "--session-hours") == 0 && parse_uint(val, 24 * 90, &n) && n > 0) {
        c->session_hours = n;
    } else if (strcmp(arg, "--notify-interval") == 0 && parse_uint(val, 86400, &n)) {
        c->notify.interval_s = (unsigned)n;
    } else if (strcmp(arg, "--webhook-timeout") == 0 && parse_uint(val, 600, &n) && n > 0) {
        c->notify.timeout_s = (unsigned)n;
    } else if (strcmp(arg, "--webhook-retry") == 0 && notify_backoff_parse(val, &c->retry)) {
    } else {
        cli_error("serve: bad option %s %s; see bingfa --help", arg, val);
        return 2;
    }
    return 0;
}

/* Parses the command line into c and checks the options against each
 * other; 0, or 2 (after saying why) when they are not usable. */
static int serve_parse_args(serve_config *c, int argc, char **argv)
{
    for (int i = 0; i < argc; i++) {
        const char *arg = argv[i];
        const char *val = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(arg, "--cookie-secure") == 0) {
            c->cookie_secure = true;
            continue;
        }
        if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
            c->help = true;
            return 0;
        }
        if (val == NULL) {
            cli_error("serve: %s needs a value (or is unknown); see bingfa --help", arg);
            return 2;
        }
        i++;
        if (serve_parse_option(c, arg, val) != 0)
            return 2;
    }
    if (!parse_listen(c->listen, c->addr, sizeof(c->addr), &c->hopt.port)) {
        cli_error("serve: --listen must be ADDR:PORT, such as 127.0.0.1:8080, not '%s'", c->listen);
        return 2;
    }
    c->hopt.address = c->addr;
    if (c->hopt.max_upload > c->hopt.body_memory) /* a file is a body held too */
        c->hopt.max_upload = c->hopt.body_memory;
    if (c->hopt.body_memory < c->hopt.max_body) {
        cli_error("serve: --max-body-memory must be at least --max-body (%zu bytes)",
                  c->hopt.max_body);
        return 2;
    }
    return 0;
}

/* Blocks SIGINT and SIGTERM (put in stop) so that only the main thread takes
 * them (workers inherit this mask), and ignores SIGPIPE. */
static void serve_block_signals(sigset_t *stop)
{
    signal(SIGPIPE, SIG_IGN);
    sigemptyset(stop);
    sigaddset(stop, SIGINT);
    sigaddset(stop, SIGTERM);
    pthread_sigmask(SIG_BLOCK, stop, NULL);
}

/* Opens the database and the API, serves until a signal in stop arrives,
 * then lets requests in flight finish and closes everything; returns the
 * exit status. */
static int serve_run(serve_config *c, const sigset_t *stop)
{
    int status = 1;
    bf_error err = {0};
    store *st = NULL;
    playbook_set *playbooks = NULL;
    api *app = NULL;
    http_server *srv = NULL;
    notify_service *notify = NULL;
    if (store_open(c->db, &c->sopt, &st, &err) != BF_OK) {
        cli_error("%s: %s", cli_db_name(c->db), err.message);
        goto done;
    }
    if ((playbooks = cli_load_all_playbooks(st)) == NULL)
        goto done;
    password_configure(c->cost, (unsigned)c->hash_slots);
    if (api_new(st, playbooks, &app) != BF_OK) {
        cli_error("out of memory");
        goto done;
    }
    app->session_ttl_s = (unsigned)(c->session_hours * 3600);
    app->cookie_secure = c->cookie_secure;
    app->login_rate = (unsigned)c->login_rate;
    c->hopt.hsts = c->cookie_secure;
    c->hopt.pool_threads = (unsigned)c->hash_slots;
    app->web_root = c->web_root;
    app->public_url = c->public_url[0] ? c->public_url : NULL;
    if (http_server_start(&c->hopt, api_handle, app, &srv, &err) != BF_OK) {
        cli_error("%s", err.message);
        goto done;
    }
    c->notify.backoff = &c->retry;
    if (api_notify_start(app, &c->notify, &notify, &err) != BF_OK) {
        cli_error("%s", err.message);
        goto done;
    }
    fprintf(stderr, "bingfa: serving %s on http://%s%s%s:%u/ (schema version %d)\n",
            cli_db_name(c->db), strchr(c->addr, ':') ? "[" : "", c->addr,
            strchr(c->addr, ':') ? "]" : "", (unsigned)http_server_port(srv),
            store_schema_version(st));
    fflush(stderr);

    int sig;
    sigwait(stop, &sig);
    fprintf(stderr, "bingfa: %s received, finishing requests in flight\n",
            sig == SIGINT ? "SIGINT" : "SIGTERM");
    http_server_stop(srv, 10000);
    srv = NULL;
    status = 0;
done:
    http_server_stop(srv, 0);
    api_notify_stop(notify);
    api_free(app);
    store_close(st);
    playbook_set_free(playbooks);
    return status;
}

int cli_serve(int argc, char **argv)
{
    serve_config c;
    serve_init_config(&c);
    int status = serve_parse_args(&c, argc, argv);
    if (status != 0)
        return status;
    if (c.help) {
        printf("Usage:\n%s\n%s", cli_serve_usage, cli_db_usage);
        return 0;
    }

    FILE *log = stdout;
    if (strcmp(c.access_log, "-") != 0 && (log = fopen(c.access_log, "a")) == NULL) {
        cli_error("serve: cannot open access log %s: %s", c.access_log, strerror(errno));
        return 1;
    }
    c.hopt.access_log = log;

    sigset_t stop;
    serve_block_signals(&stop);
    status = serve_run(&c, &stop);
    if (log != stdout)
        fclose(log);
    if (status == 0)
        fprintf(stderr, "bingfa: stopped, database closed\n");
    return status;
}

/* SPDX-License-Identifier: MIT */
/* kube.c - Kubernetes API client: auth, connection state, discovery, get, list, watch */
#include "config.h"

#include "opsdeck/kube.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "opsdeck/clock.h"
#include "opsdeck/execcred.h"
#include "opsdeck/gunzip.h"
#include "opsdeck/http.h"
#include "opsdeck/kubeconfig.h"
#include "opsdeck/log.h"
#include "opsdeck/strbuf.h"
#include "opsdeck/vec.h"
#include "opsdeck/xalloc.h"

/*
 * Every operation (kube_op) is made of calls: one HTTP exchange each (a
 * get, one discovery document, one list page, one watch). A call first gets
 * credentials (the exec plugin, when there is one: cached, so usually at
 * once), then goes out through http.c streaming its body into the call. A
 * 401 under an exec plugin invalidates the credential and sends the call
 * again, once. Every answer, good or bad, moves the connection state.
 *
 * User callbacks run with op->busy raised; an operation cancelled from
 * inside one of its callbacks is freed when the callback returns.
 */

#define DEFAULT_REQUEST_TIMEOUT_MS 30000L
#define DEFAULT_MAX_RESPONSE ((size_t)256 << 20)
#define DEFAULT_MAX_EVENT ((size_t)16 << 20)
#define DEFAULT_WATCH_TIMEOUT_S 300
#define DEFAULT_WATCH_IDLE_S 150
#define DEFAULT_PAGE_SIZE 500
#define WATCH_MARGIN_S 30
#define MAX_ERROR_BODY ((size_t)64 << 10)
#define EARLY_SCAN_LIMIT ((size_t)64 << 10)
#define HTTP_RETRIES 3

#define KIND_ROW(name, kind, res, group, version, namespaced, short_name) \
    { kind, res, group, version, namespaced, short_name },
static const struct kind_info kinds[KIND_COUNT] = { KIND_INFO(KIND_ROW) };
#undef KIND_ROW

enum op_kind { OP_GET, OP_DISCOVER, OP_LIST, OP_WATCH, OP_RAW, OP_STREAM };

struct resource {
    char *name;                 /* discovered resource name, or NULL */
    bool namespaced;
    bool known;                 /* discovery answered for its group/version */
    bool served;
};

struct kube {
    struct evloop *loop;
    struct http *http;
    struct kube_opts opts;

    /* The target: what kube_new copied. */
    char *context;
    char *server;               /* without a trailing '/' */
    char *ca_pem;
    size_t ca_len;
    bool insecure;
    char *tls_server_name;
    char *proxy_url;
    bool gzip;
    char *cert_pem;
    size_t cert_len;
    char *key_pem;
    size_t key_len;
    int64_t cert_not_after;     /* the client certificate's notAfter, 0 unknown */
    char *token;
    char *token_file;
    char *username;
    char *password;
    struct execcred *exec;

    /* tokenFile, re-read when it changes */
    char *file_token;
    struct timespec tf_mtime;
    off_t tf_size;
    ino_t tf_ino;
    bool tf_loaded;
    char tf_error[300];         /* why the last read failed, "" when it worked */

    /* The exec plugin's current credential (copied from execcred). */
    char *exec_token;
    char *exec_cert;
    char *exec_key;
    int64_t exec_expiry;
    int64_t exec_cert_not_after;
    unsigned cred_gen;          /* bumped by every new exec credential */

    enum kube_state state;
    char detail[512];
    int64_t last_live;
    int64_t clock_offset;
    kube_state_cb state_cb;
    void *state_arg;

    char *version;
    bool simulated;
    struct resource res[KIND_COUNT];

    struct kube_op *ops;
};

struct call {
    struct kube_op *op;
    char *path;                 /* path and query */
    struct http_req *req;
    bool waiting_cred;
    bool auth_retried;
    unsigned cred_gen;          /* the exec credential it was sent with */
    long status;                /* from on_headers */
    struct strbuf body;         /* the body (error body for watches) */
    bool too_large;
    struct http_response resp;  /* copy at completion (body not kept) */
    bool done;
    /* list pages */
    char *cont;                 /* continue token this page was asked with */
    char *next_cont;            /* continue token seen early in the body */
    bool scanned;               /* the early scan is over */
    bool cont_known;            /* ... and settled next_cont (NULL: last page) */
    char *list_rv;              /* resourceVersion seen early, or NULL */
    bool next_requested;
    bool gzipped;               /* kube_list_raw: body is still gzip (gzip_raw) */
    struct gunzip_peek *peek;   /* ... inflating its first bytes for the early scan */
    struct strbuf head;         /* ... what they decode to */
};

struct kube_op {
    struct kube *k;
    struct kube_op *prev, *next;
    enum op_kind kind;
    struct vec calls;           /* struct call *, owned; list pages in order */
    int busy;                   /* user callbacks on the stack */
    bool cancelled;
    bool finished;              /* the final callback has run */
    void *arg;

    kube_body_cb get_cb;        /* OP_GET */
    kube_done_cb done_cb;       /* OP_DISCOVER, and the watch's end */
    struct kube_result first;   /* OP_DISCOVER: the /version result */
    char **groups;              /* OP_DISCOVER: group/versions /apis lists */
    bool have_groups;

    enum kind lkind;            /* OP_LIST, OP_WATCH */
    char *base;                 /* the path with its query, minus continue */
    kube_page_cb page_cb;
    kube_raw_page_cb raw_cb;    /* kube_list_raw: bodies handed over unparsed */
    kube_list_done_cb list_done;
    struct json_doc doc;
    bool restarted;
    unsigned next_index;
    size_t last_body;           /* size of the last page: the next one is as big */

    char *method;               /* OP_RAW: NULL = GET */
    char **headers;             /* OP_RAW: extra header lines, or NULL */
    char *req_body;             /* OP_RAW: request body, or NULL */
    size_t req_body_len;
    long timeout_ms;            /* OP_RAW: 0 = the client's request timeout */
    size_t max_body;            /* OP_RAW: 0 = the client's max_response */
    kube_raw_cb raw_answer_cb;  /* OP_RAW */
    kube_data_cb data_cb;       /* OP_STREAM; its end goes to done_cb */
    int idle_s;                 /* OP_STREAM */
    bool data_stopped;          /* OP_STREAM: data_cb returned false */

    kube_event_cb event_cb;     /* OP_WATCH */
    struct linebuf lb;
    struct strbuf rv;
    bool established;
    bool ended;
};

static void call_start(struct call *c);
static void list_deliver(struct kube_op *op);

/*
 * Small helpers
 */

const char *
kube_state_name(enum kube_state st)
{
    switch (st) {
    case KUBE_CONNECTING:
        return "connecting";
    case KUBE_LIVE:
        return "live";
    case KUBE_OFFLINE:
        return "offline";
    case KUBE_UNAUTHORIZED:
        return "401";
    case KUBE_FORBIDDEN:
        return "403";
    case KUBE_EXPIRED:
        return "expired";
    case KUBE_TLS_ERROR:
        return "tls error";
    case KUBE_CRED_ERROR:
        return "credentials";
    }
    return "?";
}

static enum status
status_of_http(long code)
{
    switch (code) {
    case 401:
        return STATUS_AUTH;
    case 403:
        return STATUS_FORBIDDEN;
    case 404:
        return STATUS_NOTFOUND;
    case 410:
        return STATUS_EXPIRED;
    case 413:
        return STATUS_TOOLARGE;
    case 400:
    case 422:
        return STATUS_INVALID;
    default:
        return STATUS_HTTP;
    }
}

/* Appends up to max bytes of s as one printable ASCII line: control
 * characters, whitespace runs and non-ASCII bytes become one space; HTML
 * tags are dropped when strip_tags. Adds "..." when cut. */
static void
put_printable(struct strbuf *sb, const char *s, size_t len, size_t max, bool strip_tags)
{
    size_t start = sb->len;
    bool space = false, tag = false;

    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];

        if (strip_tags && c == '<') {
            tag = true;
            space = sb->len > start;
            continue;
        }
        if (tag) {
            tag = c != '>';
            continue;
        }
        if (c <= ' ' || c >= 0x7f) {
            space = sb->len > start;
            continue;
        }
        if (sb->len - start >= max) {
            strbuf_puts(sb, "...");
            return;
        }
        if (space)
            strbuf_putc(sb, ' ');
        space = false;
        strbuf_putc(sb, (char)c);
    }
}

/* A Status body: reason and message (both "" when absent). */
static bool
parse_status(const char *body, size_t len, char *reason, size_t rsize, struct strbuf *message)
{
    struct json_doc doc;
    bool ok = false;

    json_doc_init(&doc);
    if (len > 0 && json_parse(&doc, body, len) == STATUS_OK && json_type(&doc, 0) == JSON_OBJECT) {
        uint32_t kind = json_get(&doc, 0, "kind"), msg = json_get(&doc, 0, "message"),
                 rs = json_get(&doc, 0, "reason");

        if (json_streq(&doc, kind, "Status") || json_type(&doc, msg) == JSON_STRING) {
            char *m = json_strdup(&doc, msg);

            ok = true;
            if (reason) {
                /* A reason is a CamelCase word: keep only that. */
                size_t j = 0;

                json_strcpy(&doc, rs, reason, rsize);
                for (size_t i = 0; reason[i]; i++)
                    if ((reason[i] >= 'A' && reason[i] <= 'Z') ||
                        (reason[i] >= 'a' && reason[i] <= 'z') ||
                        (reason[i] >= '0' && reason[i] <= '9'))
                        reason[j++] = reason[i];
                reason[j] = '\0';
            }
            if (message && m)
                put_printable(message, m, strlen(m), 400, false);
            free(m);
        }
    }
    json_doc_done(&doc);
    return ok;
}

void
kube_error_line(long http_status, const char *body, size_t len, const char *content_type,
                char *out, size_t size)
{
    struct strbuf sb = { 0 };
    char reason[48] = "";
    struct strbuf msg = { 0 };

    if (!body)
        len = 0;
    if (len > 0 && parse_status(body, len, reason, sizeof(reason), &msg)) {
        strbuf_printf(&sb, "%ld %s", http_status, *reason ? reason : http_reason_phrase(http_status));
        if (msg.len)
            strbuf_printf(&sb, ": %s", msg.buf);
    } else if (len > 0) {
        const char *ct = content_type && *content_type ? content_type : "no content type";
        bool json = strstr(ct, "json") != NULL;
        bool html = strstr(ct, "html") != NULL;

        strbuf_printf(&sb, "%ld %s: %s (%s): ", http_status, http_reason_phrase(http_status),
                      json ? "malformed JSON reply" : "non-JSON reply", ct);
        put_printable(&sb, body, len, 120, html);
    } else {
        strbuf_printf(&sb, "%ld %s", http_status, http_reason_phrase(http_status));
    }
    snprintf(out, size, "%s", strbuf_str(&sb));
    strbuf_done(&sb);
    strbuf_done(&msg);
}

static int64_t
cert_not_after(const char *pem, size_t len)
{
    BIO *bio;
    X509 *x;
    struct tm tm;
    int64_t t = 0;

    if (!pem || !len)
        return 0;
    bio = BIO_new_mem_buf(pem, (int)len);
    if (!bio)
        return 0;
    x = PEM_read_bio_X509(bio, NULL, NULL, NULL);
    if (x && ASN1_TIME_to_tm(X509_get0_notAfter(x), &tm) == 1)
        t = (int64_t)timegm(&tm);
    X509_free(x);
    BIO_free(bio);
    return t;
}

/*
 * Connection state
 */

static void
set_state(struct kube *k, enum kube_state st, const char *detail)
{
    if (!detail)
        detail = "";
    if (k->state == st && strcmp(k->detail, detail) == 0)
        return;
    if (st != KUBE_LIVE)
        log_info("kube %s: %s %s", k->server, kube_state_name(st), detail);
    else if (k->state != KUBE_LIVE)
        log_info("kube %s: live", k->server);
    k->state = st;
    snprintf(k->detail, sizeof(k->detail), "%s", detail);
    if (k->state_cb)
        k->state_cb(k->state_arg);
}

static void
set_live(struct kube *k)
{
    k->last_live = clock_now();
    set_state(k, KUBE_LIVE, NULL);
}

int64_t
kube_now(const struct kube *k)
{
    return clock_now() + k->clock_offset;
}

/* A 401: expired when a credential we hold says so, else unauthorized. */
static void
note_unauthorized(struct kube *k, const char *line)
{
    int64_t now = kube_now(k);
    char when[32], detail[600];

    if (k->exec && k->exec_expiry && k->exec_expiry <= now) {
        time_format_rfc3339(k->exec_expiry, when, sizeof(when));
        snprintf(detail, sizeof(detail), "exec credential expired at %s (%s)", when, line);
        set_state(k, KUBE_EXPIRED, detail);
        return;
    }
    if ((k->exec_cert && k->exec_cert_not_after && k->exec_cert_not_after <= now) ||
        (!k->exec_cert && k->cert_not_after && k->cert_not_after <= now)) {
        time_format_rfc3339(k->exec_cert ? k->exec_cert_not_after : k->cert_not_after, when,
                            sizeof(when));
        snprintf(detail, sizeof(detail), "client certificate expired at %s (%s)", when, line);
        set_state(k, KUBE_EXPIRED, detail);
        return;
    }
    if (!k->exec && !k->token && k->token_file && k->tf_error[0]) {
        /* The request went without the token: say why, not just "401". */
        char *why = xasprintf("%s (%s)", k->tf_error, line);

        set_state(k, KUBE_UNAUTHORIZED, why);
        free(why);
        return;
    }
    set_state(k, KUBE_UNAUTHORIZED, line);
}

/* Moves the state after an exchange finished. stream_stall: a watch that had
 * been established timed out for lack of data (not a sign of an outage). */
static void
note_response(struct kube *k, const struct http_response *resp, const char *body, size_t len,
              bool stream_stall)
{
    char line[512];

    if (resp->result == STATUS_CANCELLED)
        return;
    if (resp->result != STATUS_OK && resp->status == 0) {
        if (resp->result == STATUS_TLS)
            set_state(k, KUBE_TLS_ERROR, resp->error);
        else if (!stream_stall)
            set_state(k, KUBE_OFFLINE, resp->error);
        return;
    }
    if (resp->date > 0) {
        int64_t off = resp->date - clock_now();

        /* Date has a 1 s resolution: ignore the jitter of a synced clock. */
        if (off > k->clock_offset + 1 || off < k->clock_offset - 1)
            k->clock_offset = off;
    }
    if (resp->result != STATUS_OK && resp->result != STATUS_TOOLARGE) {
        if (!stream_stall)
            set_state(k, KUBE_OFFLINE, resp->error);
        return;
    }
    if (resp->status == 401) {
        kube_error_line(resp->status, body, len, resp->content_type, line, sizeof(line));
        note_unauthorized(k, line);
    } else if (resp->status == 403) {
        /* Forbidden on one resource while others work is that resource's
         * error (the informer shows it), not the connection's. */
        kube_error_line(resp->status, body, len, resp->content_type, line, sizeof(line));
        if (k->state != KUBE_LIVE)
            set_state(k, KUBE_FORBIDDEN, line);
        else
            k->last_live = clock_now();
    } else if ((resp->status == 502 || resp->status == 503 || resp->status == 504) &&
               !parse_status(body, len, NULL, 0, NULL)) {
        /* A gateway in front of the API server answered for it. */
        kube_error_line(resp->status, body, len, resp->content_type, line, sizeof(line));
        set_state(k, KUBE_OFFLINE, line);
    } else {
        set_live(k);
    }
}

static void
fill_result(struct kube_result *res, const struct http_response *resp, const char *body,
            size_t len)
{
    memset(res, 0, sizeof(*res));
    res->http_status = resp->status;
    if (resp->result != STATUS_OK) {
        res->st = resp->result;
        snprintf(res->error, sizeof(res->error), "%s", resp->error);
        return;
    }
    if (resp->status >= 200 && resp->status < 300) {
        res->st = STATUS_OK;
        return;
    }
    res->st = status_of_http(resp->status);
    parse_status(body, len, res->reason, sizeof(res->reason), NULL);
    if (resp->status == 410 && !*res->reason)
        snprintf(res->reason, sizeof(res->reason), "Gone");
    kube_error_line(resp->status, body, len, resp->content_type, res->error, sizeof(res->error));
}

static void
fail_result(struct kube_result *res, enum status st, const char *fmt, ...) ATTR_FORMAT(3, 4);

static void
fail_result(struct kube_result *res, enum status st, const char *fmt, ...)
{
    va_list ap;

    memset(res, 0, sizeof(*res));
    res->st = st;
    va_start(ap, fmt);
    vsnprintf(res->error, sizeof(res->error), fmt, ap);
    va_end(ap);
}

/*
 * Credentials
 */

static const char *
file_token(struct kube *k)
{
    struct stat st;
    char buf[65536];
    ssize_t n;
    int fd;

    if (stat(k->token_file, &st) != 0) {
        snprintf(k->tf_error, sizeof(k->tf_error), "tokenFile %s: %s", k->token_file,
                 strerror(errno));
        if (!k->tf_loaded)
            log_warn("%s", k->tf_error);
        k->tf_loaded = true;
        return k->file_token;
    }
    if (k->tf_loaded && st.st_ino == k->tf_ino && st.st_size == k->tf_size &&
        st.st_mtim.tv_sec == k->tf_mtime.tv_sec && st.st_mtim.tv_nsec == k->tf_mtime.tv_nsec)
        return k->file_token;
    fd = open(k->token_file, O_RDONLY | O_CLOEXEC);
    n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;
    if (fd >= 0)
        close(fd);
    k->tf_loaded = true;
    if (n < 0) {
        snprintf(k->tf_error, sizeof(k->tf_error), "tokenFile %s: %s", k->token_file,
                 strerror(errno));
        log_warn("%s", k->tf_error);
        return k->file_token;
    }
    while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r' || buf[n - 1] == ' '))
        n--;
    buf[n] = '\0';
    k->tf_ino = st.st_ino;
    k->tf_size = st.st_size;
    k->tf_mtime = st.st_mtim;
    free(k->file_token);
    k->file_token = xstrdup(buf);
    k->tf_error[0] = '\0';
    explicit_bzero(buf, (size_t)n);
    log_debug("tokenFile %s read", k->token_file);
    return k->file_token;
}

static bool
same_str(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static void
exec_cred_store(struct kube *k, const struct exec_credential *cred)
{
    if (same_str(cred->token, k->exec_token) && same_str(cred->cert_pem, k->exec_cert) &&
        same_str(cred->key_pem, k->exec_key) && cred->expiry == k->exec_expiry)
        return;
    if (k->exec_token)
        explicit_bzero(k->exec_token, strlen(k->exec_token));
    if (k->exec_key)
        explicit_bzero(k->exec_key, strlen(k->exec_key));
    free(k->exec_token);
    free(k->exec_cert);
    free(k->exec_key);
    k->exec_token = xstrdup(cred->token);
    k->exec_expiry = cred->expiry;
    k->exec_cert_not_after = cert_not_after(cred->cert_pem,
                                            cred->cert_pem ? strlen(cred->cert_pem) : 0);
    k->exec_cert = xstrdup(cred->cert_pem);
    k->exec_key = xstrdup(cred->key_pem);
    k->cred_gen++;
}

/*
 * Operations and calls
 */

static void
call_free(struct call *c)
{
    if (c->req)
        http_cancel(c->req);
    if (c->waiting_cred)
        execcred_forget(c->op->k->exec, c);
    free(c->path);
    strbuf_done(&c->body);
    free(c->cont);
    free(c->next_cont);
    free(c->list_rv);
    gunzip_peek_free(c->peek);
    strbuf_done(&c->head);
    free(c);
}

/* Forgets what arrived of the answer (before the call is sent again). */
static void
call_reset_body(struct call *c)
{
    strbuf_reset(&c->body);
    c->too_large = false;
    c->status = 0;
    c->gzipped = false;
    gunzip_peek_free(c->peek);
    c->peek = NULL;
    strbuf_done(&c->head);
}

/* A body still gzip that must be read on this thread (an error body, or a
 * page whose metadata the early scan could not read) is inflated in place,
 * up to cap bytes. On failure the body is left empty. */
static enum status
call_inflate(struct call *c, size_t cap)
{
    char *plain;
    size_t n;
    enum status st;

    if (!c->gzipped)
        return STATUS_OK;
    c->gzipped = false;
    st = gunzip_dup(c->body.buf ? c->body.buf : "", c->body.len, cap, &plain, &n);
    strbuf_done(&c->body);
    if (st == STATUS_OK) {
        c->body.buf = plain;
        c->body.len = n;
        c->body.cap = n + 1;
    }
    return st;
}

static void
call_drop(struct kube_op *op, struct call *c)
{
    for (size_t i = 0; i < op->calls.len; i++) {
        if (op->calls.items[i] == c) {
            vec_take(&op->calls, i);
            break;
        }
    }
    call_free(c);
}

static void
op_free(struct kube_op *op)
{
    struct kube *k = op->k;

    for (size_t i = 0; i < op->calls.len; i++)
        call_free(op->calls.items[i]);
    vec_done(&op->calls);
    if (op->prev)
        op->prev->next = op->next;
    else
        k->ops = op->next;
    if (op->next)
        op->next->prev = op->prev;
    strv_free(op->groups);
    strv_free(op->headers);
    free(op->method);
    free(op->req_body);
    free(op->base);
    json_doc_done(&op->doc);
    if (op->kind == OP_WATCH)
        linebuf_done(&op->lb);
    strbuf_done(&op->rv);
    free(op);
}

/* Frees op once nothing of it is on the stack and it is over. Returns true
 * when op is gone (or going): the caller must stop touching it. */
static bool
op_release(struct kube_op *op)
{
    if (!op->cancelled && !op->finished)
        return false;
    if (op->busy == 0)
        op_free(op);
    return true;
}

static struct kube_op *
op_new(struct kube *k, enum op_kind kind, void *arg)
{
    struct kube_op *op = xcalloc(1, sizeof(*op));

    op->k = k;
    op->kind = kind;
    op->arg = arg;
    vec_init(&op->calls, NULL);
    json_doc_init(&op->doc);
    op->next = k->ops;
    if (k->ops)
        k->ops->prev = op;
    k->ops = op;
    return op;
}

static struct call *
call_add(struct kube_op *op, char *path)
{
    struct call *c = xcalloc(1, sizeof(*c));

    c->op = op;
    c->path = path;
    vec_push(&op->calls, c);
    return c;
}

void
kube_op_cancel(struct kube_op *op)
{
    if (!op || op->cancelled)
        return;
    op->cancelled = true;
    for (size_t i = 0; i < op->calls.len; i++) {
        struct call *c = op->calls.items[i];

        if (c->req)
            http_cancel(c->req);
        c->req = NULL;
        if (c->waiting_cred)
            execcred_forget(op->k->exec, c);
        c->waiting_cred = false;
    }
    op_release(op);
}

size_t
kube_pending(const struct kube *k)
{
    size_t n = 0;

    for (const struct kube_op *op = k->ops; op; op = op->next)
        if (op->kind != OP_WATCH && op->kind != OP_STREAM && !op->cancelled && !op->finished)
            n++;
    return n;
}

/* The per-kind handlers a call reports to. */
static void get_done(struct call *c);
static void discover_done(struct call *c);
static void page_done(struct call *c);
static void page_data(struct call *c);
static void watch_open(struct call *c);
static bool watch_data(struct call *c, const char *data, size_t len);
static void watch_done(struct call *c);
static void raw_done(struct call *c);
static void stream_done(struct call *c);

static void
call_headers(void *arg, const struct http_response *resp)
{
    struct call *c = arg;

    c->status = resp->status;
    if (c->op->kind == OP_WATCH && resp->status == 200)
        watch_open(c);
    if (c->op->kind == OP_LIST && c->op->raw_cb)
        c->gzipped = gunzip_is_gzip_encoding(resp->content_encoding);
}

static bool
call_data(void *arg, const char *data, size_t len)
{
    struct call *c = arg;
    struct kube_op *op = c->op;
    size_t cap = op->k->opts.max_response;

    if (op->kind == OP_WATCH) {
        if (c->status == 200)
            return watch_data(c, data, len);
        cap = MAX_ERROR_BODY;
    } else if (op->kind == OP_STREAM) {
        if (c->status >= 200 && c->status < 300) {
            bool more;

            op->busy++;
            more = op->data_cb(op->arg, data, len);
            op->busy--;
            if (!more)
                op->data_stopped = true;
            return more && !op->cancelled;
        }
        cap = MAX_ERROR_BODY;
    } else if (op->kind == OP_RAW) {
        cap = op->max_body ? op->max_body : op->k->opts.max_response;
    } else if (c->status < 200 || c->status >= 300) {
        cap = MAX_ERROR_BODY;
    }
    if (len > cap - c->body.len) {
        c->too_large = true;
        return false;
    }
    /* Pages of a list are about the same size: room for the whole body at
     * once instead of a dozen reallocations (and copies) on the way. */
    if (op->kind == OP_LIST && !c->body.buf && op->last_body > len && c->status == 200)
        strbuf_reserve(&c->body, MIN(op->last_body + op->last_body / 8, cap));
    strbuf_append(&c->body, data, len);
    if (op->kind == OP_LIST && c->status == 200 && !c->scanned) {
        if (c->gzipped) {
            if (!c->peek)
                c->peek = gunzip_peek_new();
            if (!gunzip_peek_feed(c->peek, data, len, &c->head, EARLY_SCAN_LIMIT))
                c->scanned = true; /* list_deliver reports the corrupt body */
        }
        if (!c->scanned)
            page_data(c);
        if (c->scanned && c->peek) {
            gunzip_peek_free(c->peek);
            c->peek = NULL;
            strbuf_done(&c->head);
        }
    }
    return true;
}

static void
call_done(void *arg, const struct http_response *resp)
{
    struct call *c = arg;
    struct kube_op *op = c->op;
    struct kube *k = op->k;

    c->req = NULL;
    c->resp = *resp;
    c->resp.body = NULL;
    c->resp.body_len = 0;
    if (c->gzipped && (c->status < 200 || c->status >= 300))
        call_inflate(c, MAX_ERROR_BODY);
    if (c->too_large) {
        c->resp.result = STATUS_TOOLARGE;
        snprintf(c->resp.error, sizeof(c->resp.error), "%s reply larger than %zu bytes",
                 c->path,
                 op->kind == OP_RAW ? (op->max_body ? op->max_body : k->opts.max_response)
                 : c->status >= 200 && c->status < 300 ? k->opts.max_response
                                                       : MAX_ERROR_BODY);
    }
    if (resp->result == STATUS_OK && resp->status == 401 && k->exec && !c->auth_retried) {
        /* The plugin's credential was refused: run it again (unless another
         * call already got a newer one), send again. */
        log_info("kube %s: 401, refreshing the exec credential", k->server);
        c->auth_retried = true;
        if (c->cred_gen == k->cred_gen)
            execcred_invalidate(k->exec);
        call_reset_body(c);
        call_start(c);
        return;
    }
    if (resp->result == STATUS_OK && resp->status == 401 && k->token_file)
        k->tf_loaded = false;    /* re-read it before the next request */
    if (op->kind == OP_RAW && resp->result == STATUS_OK &&
        (resp->status == 401 || resp->status == 403) &&
        !parse_status(c->body.buf, c->body.len, NULL, 0, NULL)) {
        /* The proxied service refused us, not the API server. */
        set_live(k);
    } else if (op->kind != OP_WATCH || !op->ended) {
        note_response(k, &c->resp, c->body.buf, c->body.len,
                      (op->kind == OP_WATCH && op->established &&
                       resp->result == STATUS_TIMEOUT) ||
                          (op->kind == OP_STREAM && c->status == 200 &&
                           resp->result == STATUS_TIMEOUT));
    }
    c->done = true;
    switch (op->kind) {
    case OP_GET:
        get_done(c);
        break;
    case OP_DISCOVER:
        discover_done(c);
        break;
    case OP_LIST:
        page_done(c);
        break;
    case OP_WATCH:
        watch_done(c);
        break;
    case OP_RAW:
        raw_done(c);
        break;
    case OP_STREAM:
        stream_done(c);
        break;
    }
}

static void
call_submit(struct call *c)
{
    struct kube_op *op = c->op;
    struct kube *k = op->k;
    struct http_tls tls = {
        .ca_pem = k->ca_pem, .ca_len = k->ca_len, .cert_pem = k->cert_pem,
        .cert_len = k->cert_len, .key_pem = k->key_pem, .key_len = k->key_len,
        .insecure = k->insecure, .server_name = k->tls_server_name, .proxy_url = k->proxy_url,
    };
    static const char *const headers[] = { "Accept: application/json",
                                           "User-Agent: opsdeck/" PACKAGE_VERSION, NULL };
    struct http_request rq = {
        .headers = headers, .tls = &tls, .retries = HTTP_RETRIES,
        .on_headers = call_headers, .on_data = call_data, .on_done = call_done, .arg = c,
    };
    char *url = xasprintf("%s%s", k->server, c->path);
    const char **all_headers = NULL;

    /* A raw list's pages travel compressed to the caller's parse threads. */
    rq.gzip_raw = k->gzip && op->kind == OP_LIST && op->raw_cb;
    rq.gzip = k->gzip && !rq.gzip_raw;
    if (op->kind == OP_RAW) {
        size_t n = 0, extra = op->headers ? strv_len((const char *const *)op->headers) : 0;

        all_headers = xcalloc(extra + 3, sizeof(*all_headers));
        for (size_t i = 0; headers[i]; i++)
            all_headers[n++] = headers[i];
        for (size_t i = 0; i < extra; i++)
            all_headers[n++] = op->headers[i];
        rq.headers = all_headers;
        rq.method = op->method;
        rq.body = op->req_body;
        rq.body_len = op->req_body_len;
        rq.max_body = op->max_body ? op->max_body : k->opts.max_response;
    }

    if (k->exec && k->exec_cert) {
        tls.cert_pem = k->exec_cert;
        tls.cert_len = strlen(k->exec_cert);
        tls.key_pem = k->exec_key;
        tls.key_len = k->exec_key ? strlen(k->exec_key) : 0;
    }
    if (k->exec && k->exec_token)
        rq.bearer_token = k->exec_token;
    else if (k->token)
        rq.bearer_token = k->token;
    else if (k->token_file)
        rq.bearer_token = file_token(k);
    else if (k->username) {
        rq.username = k->username;
        rq.password = k->password;
    }
    if (op->kind == OP_WATCH) {
        rq.timeout_ms = (long)(k->opts.watch_timeout_s + WATCH_MARGIN_S) * 1000;
        rq.low_speed_time_s = k->opts.watch_idle_s;
    } else if (op->kind == OP_STREAM) {
        rq.low_speed_time_s = op->idle_s > 0 ? op->idle_s : k->opts.watch_idle_s;
    } else if (op->kind == OP_RAW && op->timeout_ms > 0) {
        rq.timeout_ms = op->timeout_ms;
    } else {
        rq.timeout_ms = k->opts.request_timeout_ms;
    }
    rq.url = url;
    c->status = 0;
    c->cred_gen = k->cred_gen;
    c->req = http_submit(k->http, &rq);
    free((void *)all_headers);
    free(url);
}

static void
call_cred(void *arg, enum status st, const struct exec_credential *cred, const char *error)
{
    struct call *c = arg;
    struct kube *k = c->op->k;
    struct http_response resp = { 0 };

    c->waiting_cred = false;
    if (st == STATUS_OK) {
        exec_cred_store(k, cred);
        call_submit(c);
        return;
    }
    set_state(k, KUBE_CRED_ERROR, error);
    /* Fail the call as if the exchange had: nothing was sent. */
    resp.result = st;
    snprintf(resp.error, sizeof(resp.error), "%s", error ? error : status_message(st));
    c->resp = resp;
    c->done = true;
    switch (c->op->kind) {
    case OP_GET:
        get_done(c);
        break;
    case OP_DISCOVER:
        discover_done(c);
        break;
    case OP_LIST:
        page_done(c);
        break;
    case OP_WATCH:
        watch_done(c);
        break;
    case OP_RAW:
        raw_done(c);
        break;
    case OP_STREAM:
        stream_done(c);
        break;
    }
}

static void
call_start(struct call *c)
{
    struct kube *k = c->op->k;

    if (!k->exec) {
        call_submit(c);
        return;
    }
    c->waiting_cred = true;
    execcred_get(k->exec, call_cred, c);
}

/*
 * Client
 */

static char *
dup_bytes(const char *s, size_t len)
{
    char *d;

    if (!s)
        return NULL;
    d = xmalloc(len + 1);
    memcpy(d, s, len);
    d[len] = '\0';
    return d;
}

struct kube *
kube_new(struct evloop *loop, struct http *http, const struct kube_target *t,
         const struct kube_opts *opts)
{
    struct kube *k = xcalloc(1, sizeof(*k));
    size_t n;

    k->loop = loop;
    k->http = http;
    if (opts)
        k->opts = *opts;
    if (k->opts.request_timeout_ms <= 0)
        k->opts.request_timeout_ms = DEFAULT_REQUEST_TIMEOUT_MS;
    if (!k->opts.max_response)
        k->opts.max_response = DEFAULT_MAX_RESPONSE;
    if (!k->opts.max_event)
        k->opts.max_event = DEFAULT_MAX_EVENT;
    if (k->opts.watch_timeout_s <= 0)
        k->opts.watch_timeout_s = DEFAULT_WATCH_TIMEOUT_S;
    if (k->opts.watch_idle_s <= 0)
        k->opts.watch_idle_s = DEFAULT_WATCH_IDLE_S;
    if (k->opts.page_size <= 0)
        k->opts.page_size = DEFAULT_PAGE_SIZE;

    k->context = xstrdup(t->context);
    n = t->server ? strlen(t->server) : 0;
    while (n > 0 && t->server[n - 1] == '/')
        n--;
    k->server = dup_bytes(t->server ? t->server : "", n);
    k->ca_pem = dup_bytes(t->ca_pem, t->ca_len);
    k->ca_len = t->ca_pem ? t->ca_len : 0;
    k->insecure = t->insecure;
    k->tls_server_name = xstrdup(t->tls_server_name);
    k->proxy_url = xstrdup(t->proxy_url);
    k->gzip = !t->disable_compression;
    k->cert_pem = dup_bytes(t->cert_pem, t->cert_len);
    k->cert_len = t->cert_pem ? t->cert_len : 0;
    k->key_pem = dup_bytes(t->key_pem, t->key_len);
    k->key_len = t->key_pem ? t->key_len : 0;
    k->cert_not_after = cert_not_after(k->cert_pem, k->cert_len);
    k->token = t->token && *t->token ? xstrdup(t->token) : NULL;
    k->token_file = t->token_file && *t->token_file ? xstrdup(t->token_file) : NULL;
    k->username = xstrdup(t->username);
    k->password = xstrdup(t->password);
    if (t->exec)
        k->exec = execcred_new(loop, t->exec, k->server, k->ca_pem);
    k->state = KUBE_CONNECTING;
    return k;
}

static void
free_secret(char *s)
{
    if (s)
        explicit_bzero(s, strlen(s));
    free(s);
}

void
kube_free(struct kube *k)
{
    if (!k)
        return;
    while (k->ops) {
        struct kube_op *op = k->ops;

        op->busy = 0;
        op_free(op);
    }
    execcred_free(k->exec);
    for (int i = 0; i < KIND_COUNT; i++)
        free(k->res[i].name);
    free(k->context);
    free(k->server);
    free(k->ca_pem);
    free(k->tls_server_name);
    free(k->proxy_url);
    free(k->cert_pem);
    free_secret(k->key_pem);
    free_secret(k->token);
    free(k->token_file);
    free_secret(k->file_token);
    free(k->username);
    free_secret(k->password);
    free_secret(k->exec_token);
    free(k->exec_cert);
    free_secret(k->exec_key);
    free(k->version);
    free(k);
}

struct evloop *
kube_loop(const struct kube *k)
{
    return k->loop;
}

enum kube_state
kube_state(const struct kube *k)
{
    return k->state;
}

const char *
kube_state_detail(const struct kube *k)
{
    return k->detail;
}

int64_t
kube_last_live(const struct kube *k)
{
    return k->last_live;
}

void
kube_on_state(struct kube *k, kube_state_cb cb, void *arg)
{
    k->state_cb = cb;
    k->state_arg = arg;
}

const char *
kube_server_version(const struct kube *k)
{
    return k->version;
}

bool
kube_simulated(const struct kube *k)
{
    return k->simulated;
}

/*
 * Paths
 */

static void
put_escaped(struct strbuf *sb, const char *s)
{
    char *e = http_escape(s);

    strbuf_puts(sb, e);
    free(e);
}

char *
kube_path(const struct kube *k, enum kind kind, const char *ns, const char *name)
{
    const struct kind_info *ki = &kinds[kind];
    const struct resource *r = &k->res[kind];
    bool namespaced = r->known && r->served ? r->namespaced : ki->namespaced;
    struct strbuf sb = { 0 };

    if (*ki->group)
        strbuf_printf(&sb, "/apis/%s/%s", ki->group, ki->version);
    else
        strbuf_printf(&sb, "/api/%s", ki->version);
    if (namespaced && ns && *ns) {
        strbuf_puts(&sb, "/namespaces/");
        put_escaped(&sb, ns);
    }
    strbuf_putc(&sb, '/');
    strbuf_puts(&sb, r->name ? r->name : ki->resource);
    if (name) {
        strbuf_putc(&sb, '/');
        put_escaped(&sb, name);
    }
    return strbuf_detach(&sb);
}

static void
put_selectors(struct strbuf *sb, const struct kube_selectors *sel)
{
    if (!sel)
        return;
    if (sel->label && *sel->label) {
        strbuf_puts(sb, "&labelSelector=");
        put_escaped(sb, sel->label);
    }
    if (sel->field && *sel->field) {
        strbuf_puts(sb, "&fieldSelector=");
        put_escaped(sb, sel->field);
    }
}

/*
 * GET
 */

static void
get_done(struct call *c)
{
    struct kube_op *op = c->op;
    struct kube_result res;
    bool ok;

    fill_result(&res, &c->resp, c->body.buf, c->body.len);
    ok = res.st == STATUS_OK;
    op->finished = true;
    op->busy++;
    op->get_cb(op->arg, &res, ok ? strbuf_str(&c->body) : NULL, ok ? c->body.len : 0);
    op->busy--;
    op_release(op);
}

struct kube_op *
kube_get(struct kube *k, const char *path, kube_body_cb cb, void *arg)
{
    struct kube_op *op = op_new(k, OP_GET, arg);

    op->get_cb = cb;
    call_start(call_add(op, xstrdup(path)));
    return op;
}

static void
raw_done(struct call *c)
{
    struct kube_op *op = c->op;
    struct kube_raw_answer a = { .st = c->resp.result, .http_status = c->resp.status,
                                 .content_type = c->resp.content_type,
                                 .bytes_in = c->resp.bytes_in };

    if (a.st == STATUS_OK && c->too_large)
        a.st = STATUS_TOOLARGE;
    if (a.st != STATUS_OK)
        snprintf(a.error, sizeof(a.error), "%s", c->resp.error);
    a.body = strbuf_str(&c->body);
    a.len = c->body.len;
    op->finished = true;
    op->busy++;
    op->raw_answer_cb(op->arg, &a);
    op->busy--;
    op_release(op);
}

struct kube_op *
kube_request_raw(struct kube *k, const char *method, const char *path,
                 const char *const *headers, const char *body, size_t body_len, long timeout_ms,
                 size_t max_body, kube_raw_cb cb, void *arg)
{
    struct kube_op *op = op_new(k, OP_RAW, arg);

    op->method = xstrdup(method);
    if (headers) {
        size_t n = 0;

        while (headers[n])
            n++;
        op->headers = xcalloc(n + 1, sizeof(*op->headers));
        for (size_t i = 0; i < n; i++)
            op->headers[i] = xstrdup(headers[i]);
    }
    if (body) {
        op->req_body = dup_bytes(body, body_len);
        op->req_body_len = body_len;
    }
    op->timeout_ms = timeout_ms;
    op->max_body = max_body;
    op->raw_answer_cb = cb;
    call_start(call_add(op, xstrdup(path)));
    return op;
}

static void
stream_done(struct call *c)
{
    struct kube_op *op = c->op;
    struct kube_result res;

    fill_result(&res, &c->resp, c->body.buf, c->body.len);
    if (op->data_stopped)
        fail_result(&res, STATUS_CANCELLED, "%s: stopped by the reader", c->path);
    op->finished = true;
    op->busy++;
    op->done_cb(op->arg, &res);
    op->busy--;
    op_release(op);
}

struct kube_op *
kube_stream(struct kube *k, const char *path, int idle_s, kube_data_cb data, kube_done_cb done,
            void *arg)
{
    struct kube_op *op = op_new(k, OP_STREAM, arg);

    op->data_cb = data;
    op->done_cb = done;
    op->idle_s = idle_s;
    call_start(call_add(op, xstrdup(path)));
    return op;
}

/*
 * Discovery
 */

static const char *
kind_group_version(enum kind kind, char *buf, size_t size)
{
    const struct kind_info *ki = &kinds[kind];

    if (*ki->group)
        snprintf(buf, size, "%s/%s", ki->group, ki->version);
    else
        snprintf(buf, size, "%s", ki->version);
    return buf;
}

static void
discover_version(struct kube *k, const struct json_doc *doc)
{
    free(k->version);
    k->version = json_get_str(doc, 0, "gitVersion");
    k->simulated = json_get_bool(doc, 0, "simulated", false);
}

/* /apis: which group/versions the server has. */
static void
discover_groups(struct kube_op *op, const struct json_doc *doc)
{
    struct json_iter it, vit;
    uint32_t key, g, v;
    struct vec names;

    vec_init(&names, NULL);
    json_iter_init(&it, doc, json_get(doc, 0, "groups"));
    while (json_iter_next(&it, &key, &g)) {
        json_iter_init(&vit, doc, json_get(doc, g, "versions"));
        while (json_iter_next(&vit, &key, &v)) {
            char *gv = json_get_str(doc, v, "groupVersion");

            if (gv)
                vec_push(&names, gv);
        }
    }
    vec_push(&names, NULL);
    strv_free(op->groups);
    op->groups = (char **)names.items;
    op->have_groups = true;
}

/* An APIResourceList for group/version gv: the kinds opsdeck knows. */
static void
discover_resources(struct kube *k, const char *gv, const struct json_doc *doc)
{
    struct json_iter it;
    uint32_t key, r;
    char buf[96], group[64] = "";
    const char *slash = strchr(gv, '/'), *version = slash ? slash + 1 : gv;

    if (slash)
        snprintf(group, sizeof(group), "%.*s", (int)(slash - gv), gv);
    for (int i = 0; i < KIND_COUNT; i++) {
        if (strcmp(kind_group_version((enum kind)i, buf, sizeof(buf)), gv) == 0) {
            k->res[i].known = true;
            k->res[i].served = false;
        }
    }
    json_iter_init(&it, doc, json_get(doc, 0, "resources"));
    while (json_iter_next(&it, &key, &r)) {
        char name[128], kind[64];
        uint32_t grp = json_get(doc, r, "group"), ver = json_get(doc, r, "version");

        json_strcpy(doc, json_get(doc, r, "name"), name, sizeof(name));
        json_strcpy(doc, json_get(doc, r, "kind"), kind, sizeof(kind));
        /* Subresources, and entries of another group/version (Scale,
         * Eviction), are not ours. A missing "watch" verb is ignored: some
         * discovery documents omit it while the server watches fine. */
        if (!*name || strchr(name, '/') || (grp != JSON_NONE && !json_streq(doc, grp, group)) ||
            (ver != JSON_NONE && !json_streq(doc, ver, version)))
            continue;
        for (int i = 0; i < KIND_COUNT; i++) {
            if (strcmp(kinds[i].kind, kind) != 0 ||
                strcmp(kind_group_version((enum kind)i, buf, sizeof(buf)), gv) != 0)
                continue;
            free(k->res[i].name);
            k->res[i].name = xstrdup(name);
            k->res[i].namespaced = json_get_bool(doc, r, "namespaced", kinds[i].namespaced);
            k->res[i].served = true;
        }
    }
}

static void
discover_done(struct call *c)
{
    struct kube_op *op = c->op;
    struct kube *k = op->k;
    struct kube_result res;
    const char *path = c->path;
    bool ok;

    fill_result(&res, &c->resp, c->body.buf, c->body.len);
    ok = res.st == STATUS_OK && json_parse(&op->doc, strbuf_str(&c->body), c->body.len) ==
                                    STATUS_OK;
    if (res.st == STATUS_OK && !ok)
        fail_result(&res, STATUS_JSON, "malformed JSON reply from %s: %s", path, op->doc.err);
    if (strcmp(path, "/version") == 0) {
        op->first = res;
        if (ok)
            discover_version(k, &op->doc);
    } else if (strcmp(path, "/apis") == 0) {
        if (ok)
            discover_groups(op, &op->doc);
    } else if (strcmp(path, "/api") == 0) {
        /* Only confirms the core group; nothing to keep. */
    } else {
        const char *gv = strncmp(path, "/apis/", 6) == 0 ? path + 6 : path + 5;

        if (ok) {
            discover_resources(k, gv, &op->doc);
        } else if (res.http_status == 404) {
            for (int i = 0; i < KIND_COUNT; i++) {
                char buf[96];

                if (strcmp(kind_group_version((enum kind)i, buf, sizeof(buf)), gv) == 0) {
                    k->res[i].known = true;
                    k->res[i].served = false;
                }
            }
        } else {
            log_warn("discovery %s: %s", path, res.error);
        }
    }
    call_drop(op, c);
    if (op->calls.len > 0)
        return;
    /* A group /apis does not list is not served, whatever else said. */
    if (op->have_groups) {
        for (int i = 0; i < KIND_COUNT; i++) {
            char buf[96];

            if (*kinds[i].group &&
                !strv_contains((const char *const *)op->groups,
                               kind_group_version((enum kind)i, buf, sizeof(buf)))) {
                k->res[i].known = true;
                k->res[i].served = false;
            }
        }
    }
    op->finished = true;
    op->busy++;
    op->done_cb(op->arg, &op->first);
    op->busy--;
    op_release(op);
}

struct kube_op *
kube_discover(struct kube *k, kube_done_cb done, void *arg)
{
    struct kube_op *op = op_new(k, OP_DISCOVER, arg);
    struct vec paths;
    char buf[96];

    op->done_cb = done;
    vec_init(&paths, NULL);
    vec_push(&paths, xstrdup("/version"));
    vec_push(&paths, xstrdup("/api"));
    vec_push(&paths, xstrdup("/apis"));
    for (int i = 0; i < KIND_COUNT; i++) {
        const char *gv = kind_group_version((enum kind)i, buf, sizeof(buf));
        char *p = *kinds[i].group ? xasprintf("/apis/%s", gv) : xasprintf("/api/%s", gv);
        bool dup = false;

        for (size_t j = 0; j < paths.len && !dup; j++)
            dup = strcmp(paths.items[j], p) == 0;
        if (dup)
            free(p);
        else
            vec_push(&paths, p);
    }
    /* No call completes inside call_start, so starting them in turn is safe. */
    for (size_t i = 0; i < paths.len; i++)
        call_add(op, paths.items[i]);
    vec_done(&paths);
    for (size_t i = 0; i < op->calls.len; i++)
        call_start(op->calls.items[i]);
    return op;
}

bool
kube_serves(const struct kube *k, enum kind kind)
{
    return !k->res[kind].known || k->res[kind].served;
}

/*
 * List: limit/continue paging, the next page asked for as soon as its token
 * is known, pages delivered in order
 */

static char *
page_path(const struct kube_op *op, const char *cont)
{
    char *e, *p;

    if (!cont)
        return xstrdup(op->base);
    e = http_escape(cont);
    p = xasprintf("%s&continue=%s", op->base, e);
    free(e);
    return p;
}

static void
list_request(struct kube_op *op, const char *cont)
{
    struct call *c;

    if (op->calls.len > 0)
        ((struct call *)op->calls.items[op->calls.len - 1])->next_requested = true;
    c = call_add(op, page_path(op, cont));
    c->cont = xstrdup(cont);
    call_start(c);
}

/* At most two pages in flight: the one being received and the next. */
static void
list_maybe_next(struct kube_op *op)
{
    struct call *tail;

    if (op->calls.len != 1)
        return;
    tail = op->calls.items[0];
    if (tail->next_cont && !tail->next_requested && !tail->done)
        list_request(op, tail->next_cont);
}

/* A string member key of the list's metadata in [b, end): 1 with a copy in
 * *out when its value is a plain string (no escapes), 0 when the key is
 * absent, -1 when the value is there but cannot be read this way (escapes,
 * not a string, cut off at end). */
static int
scan_member(const char *b, const char *end, const char *key, size_t klen, char **out)
{
    const char *k = memmem(b, (size_t)(end - b), key, klen), *p, *q;

    *out = NULL;
    if (!k)
        return 0;
    p = k + klen;
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' || *p == ':'))
        p++;
    if (p >= end || *p != '"')
        return -1;
    q = memchr(p + 1, '"', (size_t)(end - p - 1));
    if (!q || memchr(p + 1, '\\', (size_t)(q - p - 1)))
        return -1;
    *out = xstrndup(p + 1, (size_t)(q - p - 1));
    return 1;
}

/* The early scan: the list's metadata precedes its items, so the continue
 * token is among the first bytes of the body. A token with escapes (never
 * seen from an API server) waits for the parse. */
static void
page_data(struct call *c)
{
    const struct strbuf *src = c->gzipped ? &c->head : &c->body;
    const char *b = src->buf, *items;
    size_t len = MIN(src->len, EARLY_SCAN_LIMIT);
    char *cont;
    int found;

    items = memmem(b, len, "\"items\"", 7);
    if (!items) {
        /* Wait for the items key (the whole metadata), unless it is not
         * coming within the limit. */
        if (src->len >= EARLY_SCAN_LIMIT)
            c->scanned = true;
        return;
    }
    c->scanned = true;
    found = scan_member(b, items, "\"continue\"", 10, &cont);
    if (found >= 0)
        scan_member(b, items, "\"resourceVersion\"", 17, &c->list_rv);
    if (found == 0 || (found == 1 && !*cont)) {
        c->cont_known = true;            /* no token: the last page */
        free(cont);
        return;
    }
    if (found < 0)
        return;
    c->cont_known = true;
    c->next_cont = cont;
    list_maybe_next(c->op);
}

static void
list_finish(struct kube_op *op, const struct kube_result *res, const char *rv)
{
    for (size_t i = 0; i < op->calls.len; i++)
        call_free(op->calls.items[i]);
    op->calls.len = 0;
    op->finished = true;
    op->busy++;
    op->list_done(op->arg, res, rv);
    op->busy--;
    op_release(op);
}

static void
page_done(struct call *c)
{
    struct kube_op *op = c->op;
    struct kube_result res;

    fill_result(&res, &c->resp, c->body.buf, c->body.len);
    if (res.st == STATUS_OK) {
        list_deliver(op);
        return;
    }
    if (res.http_status == 410 && c->cont && !op->restarted) {
        /* The continue token expired: start again from the top, once. The
         * next page delivered has index 0 again. */
        log_info("kube %s: continue token expired, listing %s again", op->k->server, op->base);
        op->restarted = true;
        for (size_t i = 0; i < op->calls.len; i++)
            call_free(op->calls.items[i]);
        op->calls.len = 0;
        op->next_index = 0;
        list_request(op, NULL);
        return;
    }
    list_finish(op, &res, NULL);
}

static void
list_deliver(struct kube_op *op)
{
    while (op->calls.len > 0) {
        struct call *c = op->calls.items[0];
        struct kube_page page = { .doc = &op->doc };
        struct kube_result res;
        uint32_t meta, items;
        char *cont, *rv;
        enum status st;

        if (!c->done)
            return;
        if (c->gzipped && !c->cont_known &&
            (st = call_inflate(c, op->k->opts.max_response)) != STATUS_OK) {
            fail_result(&res, st, "reply from %s: %s", c->path, status_text());
            res.http_status = c->resp.status;
            list_finish(op, &res, NULL);
            return;
        }
        if (op->raw_cb && c->cont_known) {
            /* The early scan read the metadata: the caller parses. */
            cont = xstrdup(c->next_cont);
            rv = xstrdup(c->list_rv);
            items = meta = JSON_NONE;
        } else if (json_parse(&op->doc, strbuf_str(&c->body), c->body.len) != STATUS_OK ||
                   json_type(&op->doc, 0) != JSON_OBJECT) {
            fail_result(&res, STATUS_JSON, "malformed JSON reply from %s: %s", c->path,
                        op->doc.ntoks ? "not an object" : op->doc.err);
            res.http_status = c->resp.status;
            list_finish(op, &res, NULL);
            return;
        } else {
            items = json_get(&op->doc, 0, "items");
            if (items != JSON_NONE && json_type(&op->doc, items) != JSON_ARRAY &&
                json_type(&op->doc, items) != JSON_NULL) {
                fail_result(&res, STATUS_JSON, "reply from %s: items is not an array", c->path);
                res.http_status = c->resp.status;
                list_finish(op, &res, NULL);
                return;
            }
            meta = json_get(&op->doc, 0, "metadata");
            cont = json_get_str(&op->doc, meta, "continue");
            rv = json_get_str(&op->doc, meta, "resourceVersion");
        }
        if (cont && !*cont) {
            free(cont);
            cont = NULL;
        }
        if (c->next_requested) {
            struct call *n = op->calls.len > 1 ? op->calls.items[1] : NULL;

            if (!cont || !n || !n->cont || strcmp(n->cont, cont) != 0) {
                /* The early scan guessed wrong: ask again with the real token. */
                if (n)
                    call_drop(op, n);
                c->next_requested = false;
            }
        }
        vec_take(&op->calls, 0);
        /* Ask for the next page before handing this one over, so its transfer
         * overlaps the caller's work on this one. */
        if (cont && !c->next_requested)
            list_request(op, cont);
        page.last = cont == NULL;
        page.index = op->next_index++;
        op->last_body = c->body.len;
        op->busy++;
        if (op->raw_cb) {
            struct kube_raw_page raw = {
                .len = c->body.len, .path = c->path, .last = page.last, .index = page.index,
                .gzip = c->gzipped, .max_len = op->k->opts.max_response,
            };

            raw.body = c->body.buf ? strbuf_detach(&c->body) : xstrdup("");
            op->raw_cb(op->arg, &raw);
        } else {
            page.items = json_type(&op->doc, items) == JSON_ARRAY ? items : JSON_NONE;
            page.rv = rv ? rv : "";
            page.remaining = json_get_int(&op->doc, meta, "remainingItemCount", -1);
            op->page_cb(op->arg, &page);
        }
        op->busy--;
        call_free(c);
        free(cont);
        if (op->cancelled) {
            free(rv);
            op_release(op);
            return;
        }
        if (page.last) {
            fill_result(&res, &(struct http_response){ .status = 200 }, NULL, 0);
            list_finish(op, &res, rv ? rv : "");
            free(rv);
            return;
        }
        free(rv);
        list_maybe_next(op);
    }
}

static struct kube_op *
list_start(struct kube *k, enum kind kind, const char *ns, const struct kube_selectors *sel,
           kube_page_cb page, kube_raw_page_cb raw, kube_list_done_cb done, void *arg)
{
    struct kube_op *op = op_new(k, OP_LIST, arg);
    char *path = kube_path(k, kind, ns, NULL);
    struct strbuf sb = { 0 };

    strbuf_printf(&sb, "%s?limit=%d", path, k->opts.page_size);
    put_selectors(&sb, sel);
    free(path);
    op->lkind = kind;
    op->base = strbuf_detach(&sb);
    op->page_cb = page;
    op->raw_cb = raw;
    op->list_done = done;
    list_request(op, NULL);
    return op;
}

struct kube_op *
kube_list(struct kube *k, enum kind kind, const char *ns, const struct kube_selectors *sel,
          kube_page_cb page, kube_list_done_cb done, void *arg)
{
    return list_start(k, kind, ns, sel, page, NULL, done, arg);
}

struct kube_op *
kube_list_raw(struct kube *k, enum kind kind, const char *ns, const struct kube_selectors *sel,
              kube_raw_page_cb page, kube_list_done_cb done, void *arg)
{
    return list_start(k, kind, ns, sel, NULL, page, done, arg);
}

/*
 * Watch
 */

static void
watch_end(struct kube_op *op, const struct kube_result *res)
{
    if (op->ended)
        return;
    op->ended = true;
    for (size_t i = 0; i < op->calls.len; i++) {
        struct call *c = op->calls.items[i];

        if (c->req)
            http_cancel(c->req);
        c->req = NULL;
    }
    op->finished = true;
    op->busy++;
    op->done_cb(op->arg, res);
    op->busy--;
}

static void
watch_open(struct call *c)
{
    struct kube_op *op = c->op;

    op->established = true;
    set_live(op->k);
    op->busy++;
    op->event_cb(op->arg, WATCH_OPEN, NULL, JSON_NONE, strbuf_str(&op->rv));
    op->busy--;
    op_release(op);
}

/* An ERROR event's Status ends the watch. */
static void
watch_error(struct kube_op *op, uint32_t obj)
{
    const struct json_doc *doc = &op->doc;
    struct kube_result res = { 0 };
    struct strbuf msg = { 0 };
    char *m = json_get_str(doc, obj, "message");
    int64_t code = json_get_int(doc, obj, "code", 0);

    json_strcpy(doc, json_get(doc, obj, "reason"), res.reason, sizeof(res.reason));
    res.http_status = code;
    if (code == 410 || strcmp(res.reason, "Expired") == 0 || strcmp(res.reason, "Gone") == 0)
        res.st = STATUS_EXPIRED;
    else
        res.st = code ? status_of_http(code) : STATUS_HTTP;
    if (m)
        put_printable(&msg, m, strlen(m), 400, false);
    snprintf(res.error, sizeof(res.error), "%lld %s: %s", (long long)code,
             *res.reason ? res.reason : http_reason_phrase(code), strbuf_str(&msg));
    free(m);
    strbuf_done(&msg);
    watch_end(op, &res);
}

static bool
watch_line(void *arg, const char *line, size_t len)
{
    struct call *c = arg;
    struct kube_op *op = c->op;
    struct json_doc *doc = &op->doc;
    uint32_t type, obj, rv;
    enum watch_type wt;
    struct kube_result res;

    if (len == 0 || (len == 1 && line[0] == '\r'))
        return true;
    if (json_parse(doc, line, len) != STATUS_OK || json_type(doc, 0) != JSON_OBJECT) {
        fail_result(&res, STATUS_JSON, "malformed watch event from %s: %s", op->base,
                    doc->ntoks ? "not an object" : doc->err);
        watch_end(op, &res);
        return false;
    }
    type = json_get(doc, 0, "type");
    obj = json_get(doc, 0, "object");
    if (json_type(doc, obj) != JSON_OBJECT) {
        fail_result(&res, STATUS_JSON, "watch event from %s without an object", op->base);
        watch_end(op, &res);
        return false;
    }
    if (json_streq(doc, type, "ADDED"))
        wt = WATCH_ADDED;
    else if (json_streq(doc, type, "MODIFIED"))
        wt = WATCH_MODIFIED;
    else if (json_streq(doc, type, "DELETED"))
        wt = WATCH_DELETED;
    else if (json_streq(doc, type, "BOOKMARK"))
        wt = WATCH_BOOKMARK;
    else if (json_streq(doc, type, "ERROR")) {
        watch_error(op, obj);
        return false;
    } else {
        log_warn("watch %s: unknown event type skipped", op->base);
        return true;
    }
    rv = json_dig(doc, obj, "metadata", "resourceVersion", NULL);
    if (json_type(doc, rv) == JSON_STRING) {
        char *s = json_strdup(doc, rv);

        strbuf_reset(&op->rv);
        strbuf_puts(&op->rv, s);
        free(s);
    }
    op->busy++;
    op->event_cb(op->arg, wt, doc, obj, strbuf_str(&op->rv));
    op->busy--;
    return !op->cancelled;
}

static bool
watch_data(struct call *c, const char *data, size_t len)
{
    struct kube_op *op = c->op;
    enum status st;

    op->k->last_live = clock_now();
    st = linebuf_feed(&op->lb, data, len, watch_line, c);
    if (st != STATUS_OK && !op->ended && !op->cancelled) {
        struct kube_result res;

        fail_result(&res, st, "watch event from %s larger than %zu bytes", op->base,
                    op->lb.max);
        watch_end(op, &res);
    }
    if (op_release(op))
        return false;
    return true;
}

static void
watch_done(struct call *c)
{
    struct kube_op *op = c->op;
    struct kube_result res;

    fill_result(&res, &c->resp, c->body.buf, c->body.len);
    if (res.st == STATUS_OK && c->resp.status != 200)
        res.st = STATUS_HTTP;
    if (res.st == STATUS_TIMEOUT && op->established)
        snprintf(res.error, sizeof(res.error), "watch %s idle for %d s", op->base,
                 op->k->opts.watch_idle_s);
    watch_end(op, &res);
    op_release(op);
}

struct kube_op *
kube_watch(struct kube *k, enum kind kind, const char *ns, const struct kube_selectors *sel,
           const char *rv, kube_event_cb event, kube_done_cb end, void *arg)
{
    struct kube_op *op = op_new(k, OP_WATCH, arg);
    char *path = kube_path(k, kind, ns, NULL);
    struct strbuf sb = { 0 };

    strbuf_printf(&sb, "%s?watch=true&allowWatchBookmarks=true&timeoutSeconds=%d", path,
                  k->opts.watch_timeout_s);
    if (rv && *rv) {
        strbuf_puts(&sb, "&resourceVersion=");
        put_escaped(&sb, rv);
        strbuf_puts(&op->rv, rv);
    }
    put_selectors(&sb, sel);
    free(path);
    op->lkind = kind;
    op->base = strbuf_detach(&sb);
    op->event_cb = event;
    op->done_cb = end;
    linebuf_init(&op->lb, k->opts.max_event);
    call_start(call_add(op, xstrdup(op->base)));
    return op;
}

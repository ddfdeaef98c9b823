/* SPDX-License-Identifier: MIT */
/* http.c - HTTP on libcurl's multi interface, driven by the event loop */
#include "config.h"

#include "opsdeck/http.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "opsdeck/clock.h"
#include "opsdeck/evloop.h"
#include "opsdeck/log.h"
#include "opsdeck/strbuf.h"
#include "opsdeck/xalloc.h"

/*
 * CurlGlue (curl docs/examples/multi-event.c, systemd curl-util.c): curl
 * tells us which sockets to watch (socket callback -> one ev_watch each) and
 * when to call it back (timer callback -> one ev_timer); readiness and
 * timeouts go back to curl with curl_multi_socket_action, and finished
 * transfers are drained with curl_multi_info_read.
 *
 * libcurl forbids multi calls from inside its own callbacks, and our users'
 * on_headers/on_data run inside them. So while curl is on the stack
 * (in_curl > 0) submits and cancels are only recorded, and settle() applies
 * them once curl_multi_socket_action has returned.
 */

#define CONNECT_TIMEOUT_MAX_MS 10000L
#define DEFAULT_MAX_BODY ((size_t)64 << 20)
#define DEFAULT_MAX_RETRY_WAIT_MS 60000L

struct http_sock {
    struct http *h;
    struct ev_watch *watch;
    struct http_sock *prev, *next;
};

struct http {
    struct evloop *loop;
    CURLM *multi;
    struct ev_timer *timer;       /* curl's timeout */
    struct http_req *reqs;        /* every live request */
    size_t nreqs;
    struct http_sock *socks;      /* every socket curl asked us to watch */
    int in_curl;                  /* curl_multi_socket_action is on the stack */
    bool have_deferred;           /* a request waits for settle() */
    struct http_stats stats;
};

struct http_req {
    struct http *h;
    struct http_req *prev, *next;
    CURL *easy;
    struct curl_slist *headers;
    struct curl_slist *connect_to;
    char *url;                    /* as sent (tls-server-name rewrites the host) */
    struct strbuf buf;            /* the body, when not streamed */
    char errbuf[CURL_ERROR_SIZE];
    struct http_response resp;
    size_t max_body;
    int retries_left;
    long max_retry_wait_ms;
    http_headers_cb on_headers;
    http_data_cb on_data;
    http_done_cb on_done;
    void *arg;
    struct ev_timer *timer;       /* retry delay, or a failure to report */
    curl_off_t dl_counted;        /* part of CURLINFO_SIZE_DOWNLOAD_T already counted */
    bool in_multi;
    bool pending_add;             /* start once curl is off the stack */
    bool cancelled;
    bool in_done;                 /* on_done is running: freed when it returns */
    bool headers_done;            /* the final header block has been seen */
    bool discard;                 /* a 429/503 we retry: its body is dropped */
    bool too_large;
    bool aborted;                 /* on_data returned false */
    bool out_counted;
    bool fail_pending;            /* the timer reports resp.result instead of starting */
};

static int curl_users;

/*
 * Requests
 */

static void
req_unlink(struct http_req *r)
{
    struct http *h = r->h;

    if (r->prev)
        r->prev->next = r->next;
    else
        h->reqs = r->next;
    if (r->next)
        r->next->prev = r->prev;
    h->nreqs--;
}

static void
req_free(struct http_req *r)
{
    if (r->in_multi)
        curl_multi_remove_handle(r->h->multi, r->easy);
    ev_timer_free(r->timer);
    curl_easy_cleanup(r->easy);
    curl_slist_free_all(r->headers);
    curl_slist_free_all(r->connect_to);
    strbuf_done(&r->buf);
    free(r->url);
    req_unlink(r);
    free(r);
}

static void
reset_response(struct http_req *r)
{
    r->resp.status = 0;
    r->resp.content_type[0] = '\0';
    r->resp.content_encoding[0] = '\0';
    r->resp.date = 0;
    r->resp.retry_after = -1;
    r->headers_done = false;
}

static void
count_transfer(struct http_req *r)
{
    struct http *h = r->h;
    curl_off_t dl = 0;

    if (curl_easy_getinfo(r->easy, CURLINFO_SIZE_DOWNLOAD_T, &dl) == CURLE_OK &&
        dl > r->dl_counted) {
        h->stats.bytes_in += (uint64_t)(dl - r->dl_counted);
        r->resp.bytes_in += (uint64_t)(dl - r->dl_counted);
        r->dl_counted = dl;
    }
    if (!r->out_counted) {
        long hdr = 0;
        curl_off_t up = 0;

        curl_easy_getinfo(r->easy, CURLINFO_REQUEST_SIZE, &hdr);
        curl_easy_getinfo(r->easy, CURLINFO_SIZE_UPLOAD_T, &up);
        if (hdr > 0) {
            h->stats.bytes_out += (uint64_t)hdr + (uint64_t)(up > 0 ? up : 0);
            r->out_counted = true;
        }
    }
}

/* Retry-After: delta-seconds or an HTTP date (RFC 9110 §10.2.3). */
static int
parse_retry_after(const char *v, int64_t date)
{
    char *end;
    long secs;
    int64_t when;

    errno = 0;
    secs = strtol(v, &end, 10);
    if (end != v && errno == 0 && secs >= 0) {
        while (*end == ' ' || *end == '\t')
            end++;
        if (*end == '\0')
            return secs > 86400 ? 86400 : (int)secs;
    }
    if (time_parse_http_date(v, &when)) {
        int64_t now = date > 0 ? date : clock_now();

        return when <= now ? 0 : (when - now > 86400 ? 86400 : (int)(when - now));
    }
    return -1;
}

static bool
retryable(const struct http_req *r)
{
    long st = r->resp.status;

    return (st == 429 || st == 503) && r->retries_left > 0 && r->resp.retry_after >= 0 &&
           (long)r->resp.retry_after * 1000 <= r->max_retry_wait_ms;
}

static void
headers_finished(struct http_req *r)
{
    r->headers_done = true;
    count_transfer(r);
    if (retryable(r)) {
        r->discard = true;
        return;
    }
    if (r->on_headers)
        r->on_headers(r->arg, &r->resp);
}

static void
copy_trimmed(char *dst, size_t size, const char *src, size_t len)
{
    while (len > 0 && (*src == ' ' || *src == '\t')) {
        src++;
        len--;
    }
    while (len > 0 && (src[len - 1] == '\r' || src[len - 1] == '\n' || src[len - 1] == ' ' ||
                       src[len - 1] == '\t'))
        len--;
    if (len >= size)
        len = size - 1;
    memcpy(dst, src, len);
    dst[len] = '\0';
}

static size_t
header_cb(char *data, size_t size, size_t n, void *userp)
{
    struct http_req *r = userp;
    size_t len = size * n;
    const char *colon;
    char value[128];
    size_t name_len;

    r->h->stats.bytes_in += len;
    r->resp.bytes_in += len;
    if (r->cancelled)
        return 0;
    if (len >= 5 && memcmp(data, "HTTP/", 5) == 0) {
        /* A new header block (after 100 Continue): forget the previous one. */
        const char *sp = memchr(data, ' ', len);

        reset_response(r);
        r->resp.status = sp ? strtol(sp + 1, NULL, 10) : 0;
        return len;
    }
    if (len <= 2 && (data[0] == '\r' || data[0] == '\n')) {
        if (r->resp.status >= 200 && !r->headers_done)
            headers_finished(r);
        return r->cancelled ? 0 : len;
    }
    colon = memchr(data, ':', len);
    if (!colon)
        return len;
    name_len = (size_t)(colon - data);
    copy_trimmed(value, sizeof(value), colon + 1, len - name_len - 1);
    if (name_len == 12 && strncasecmp(data, "content-type", 12) == 0) {
        copy_trimmed(r->resp.content_type, sizeof(r->resp.content_type), colon + 1,
                     len - name_len - 1);
    } else if (name_len == 16 && strncasecmp(data, "content-encoding", 16) == 0) {
        copy_trimmed(r->resp.content_encoding, sizeof(r->resp.content_encoding), colon + 1,
                     len - name_len - 1);
    } else if (name_len == 4 && strncasecmp(data, "date", 4) == 0) {
        int64_t d;

        if (time_parse_http_date(value, &d))
            r->resp.date = d;
    } else if (name_len == 11 && strncasecmp(data, "retry-after", 11) == 0) {
        r->resp.retry_after = parse_retry_after(value, r->resp.date);
    }
    return len;
}

static size_t
write_cb(char *data, size_t size, size_t n, void *userp)
{
    struct http_req *r = userp;
    size_t len = size * n;

    count_transfer(r);
    if (r->cancelled)
        return 0;
    if (!r->headers_done) {
        headers_finished(r);
        if (r->cancelled)
            return 0;
    }
    if (r->discard)
        return len;
    if (r->on_data) {
        if (!r->on_data(r->arg, data, len)) {
            r->aborted = true;
            return 0;
        }
        return r->cancelled ? 0 : len;
    }
    if (len > r->max_body - r->buf.len) {
        r->too_large = true;
        return 0;
    }
    strbuf_append(&r->buf, data, len);
    return len;
}

/*
 * Starting, finishing, retrying
 */

static void
start(struct http_req *r)
{
    CURLMcode mc;

    r->pending_add = false;
    r->dl_counted = 0;
    r->out_counted = false;
    r->discard = false;
    reset_response(r);
    strbuf_reset(&r->buf);
    mc = curl_multi_add_handle(r->h->multi, r->easy);
    if (mc != CURLM_OK) {
        r->resp.result = STATUS_HTTP;
        snprintf(r->resp.error, sizeof(r->resp.error), "curl: %s", curl_multi_strerror(mc));
        r->fail_pending = true;
        ev_timer_arm(r->timer, 0);
        return;
    }
    r->in_multi = true;
    r->h->stats.requests++;
}

static enum status
map_curl_error(CURLcode rc)
{
    switch (rc) {
    case CURLE_OK:
        return STATUS_OK;
    case CURLE_OPERATION_TIMEDOUT:
        return STATUS_TIMEOUT;
    case CURLE_COULDNT_CONNECT:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
        return STATUS_UNREACHABLE;
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_SSL_ENGINE_NOTFOUND:
    case CURLE_SSL_ENGINE_SETFAILED:
    case CURLE_SSL_ENGINE_INITFAILED:
    case CURLE_SSL_SHUTDOWN_FAILED:
    case CURLE_USE_SSL_FAILED:
        return STATUS_TLS;
    case CURLE_ABORTED_BY_CALLBACK:
        return STATUS_CANCELLED;
    default:
        return STATUS_HTTP;
    }
}

static void
deliver(struct http_req *r)
{
    r->resp.body = strbuf_str(&r->buf);
    r->resp.body_len = r->buf.len;
    r->in_done = true;
    r->on_done(r->arg, &r->resp);
    req_free(r);
}

static void
finish(struct http_req *r, CURLcode rc)
{
    struct http_response *resp = &r->resp;

    curl_multi_remove_handle(r->h->multi, r->easy);
    r->in_multi = false;
    count_transfer(r);
    resp->result = map_curl_error(rc);
    resp->error[0] = '\0';
    if (r->too_large) {
        resp->result = STATUS_TOOLARGE;
        snprintf(resp->error, sizeof(resp->error), "response body larger than %zu bytes",
                 r->max_body);
    } else if (r->aborted) {
        resp->result = STATUS_CANCELLED;
        snprintf(resp->error, sizeof(resp->error), "transfer aborted by the receiver");
    } else if (rc != CURLE_OK) {
        snprintf(resp->error, sizeof(resp->error), "%s",
                 r->errbuf[0] ? r->errbuf : curl_easy_strerror(rc));
    }
    if (resp->result == STATUS_OK && r->discard) {
        /* 429/503 with Retry-After: wait, then send the same request again. */
        log_debug("http: %ld, retrying %s in %d s", resp->status, r->url, resp->retry_after);
        r->retries_left--;
        r->discard = false;
        ev_timer_arm(r->timer, (int64_t)resp->retry_after * 1000);
        return;
    }
    deliver(r);
}

static void
req_timer(void *arg)
{
    struct http_req *r = arg;

    if (r->fail_pending) {
        r->fail_pending = false;
        deliver(r);
        return;
    }
    start(r);
}

/* Applies what was deferred while curl was on the stack, then hands the
 * finished transfers to their owners. */
static void
settle(struct http *h)
{
    CURLMsg *msg;
    int left;

    if (h->in_curl)
        return;
    if (h->have_deferred) {
        struct http_req *r = h->reqs, *next;

        h->have_deferred = false;
        for (; r; r = next) {
            next = r->next;
            if (r->cancelled)
                req_free(r);
            else if (r->pending_add)
                start(r);
        }
    }
    while ((msg = curl_multi_info_read(h->multi, &left))) {
        struct http_req *r = NULL;

        if (msg->msg != CURLMSG_DONE)
            continue;
        curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&r);
        finish(r, msg->data.result);
    }
}

static void
drive(struct http *h, curl_socket_t fd, int flags)
{
    int running = 0;

    h->in_curl++;
    curl_multi_socket_action(h->multi, fd, flags, &running);
    h->in_curl--;
    settle(h);
}

static void
sock_ready(void *arg, int fd, short revents)
{
    struct http_sock *s = arg;
    int flags = 0;

    if (revents & (POLLIN | POLLHUP))
        flags |= CURL_CSELECT_IN;
    if (revents & POLLOUT)
        flags |= CURL_CSELECT_OUT;
    if (revents & (POLLERR | POLLNVAL))
        flags |= CURL_CSELECT_ERR;
    drive(s->h, fd, flags);
}

static void
timer_fired(void *arg)
{
    drive(arg, CURL_SOCKET_TIMEOUT, 0);
}

static int
socket_cb(CURL *easy, curl_socket_t fd, int what, void *userp, void *socketp)
{
    struct http *h = userp;
    struct http_sock *s = socketp;
    short events = 0;

    (void)easy;
    if (what == CURL_POLL_REMOVE) {
        if (s) {
            ev_watch_free(s->watch);
            if (s->prev)
                s->prev->next = s->next;
            else
                h->socks = s->next;
            if (s->next)
                s->next->prev = s->prev;
            free(s);
        }
        return 0;
    }
    if (what & CURL_POLL_IN)
        events |= POLLIN;
    if (what & CURL_POLL_OUT)
        events |= POLLOUT;
    if (!s) {
        s = xcalloc(1, sizeof(*s));
        s->h = h;
        s->watch = ev_watch_new(h->loop, fd, events, sock_ready, s);
        s->next = h->socks;
        if (h->socks)
            h->socks->prev = s;
        h->socks = s;
        curl_multi_assign(h->multi, fd, s);
    } else {
        ev_watch_set_events(s->watch, events);
    }
    return 0;
}

static int
timer_cb(CURLM *multi, long timeout_ms, void *userp)
{
    struct http *h = userp;

    (void)multi;
    if (timeout_ms < 0)
        ev_timer_disarm(h->timer);
    else
        ev_timer_arm(h->timer, timeout_ms);
    return 0;
}

/*
 * Public
 */

struct http *
http_new(struct evloop *loop)
{
    struct http *h = xcalloc(1, sizeof(*h));

    if (curl_users++ == 0 && curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        xfatal("curl_global_init failed");
    h->loop = loop;
    h->multi = curl_multi_init();
    if (!h->multi)
        xfatal("curl_multi_init failed");
    h->timer = ev_timer_new(loop, timer_fired, h);
    curl_multi_setopt(h->multi, CURLMOPT_SOCKETFUNCTION, socket_cb);
    curl_multi_setopt(h->multi, CURLMOPT_SOCKETDATA, h);
    curl_multi_setopt(h->multi, CURLMOPT_TIMERFUNCTION, timer_cb);
    curl_multi_setopt(h->multi, CURLMOPT_TIMERDATA, h);
    curl_multi_setopt(h->multi, CURLMOPT_PIPELINING, (long)CURLPIPE_MULTIPLEX);
    return h;
}

void
http_free(struct http *h)
{
    if (!h)
        return;
    while (h->reqs)
        req_free(h->reqs);
    curl_multi_cleanup(h->multi);
    while (h->socks) {
        struct http_sock *s = h->socks;

        h->socks = s->next;
        ev_watch_free(s->watch);
        free(s);
    }
    ev_timer_free(h->timer);
    free(h);
    if (--curl_users == 0)
        curl_global_cleanup();
}

/* tls-server-name: connect to the URL's host but verify (and send SNI for)
 * another name. curl verifies the URL's host, so the URL names server_name
 * and CURLOPT_CONNECT_TO sends the connection to the real address; the Host
 * header keeps the real authority, as client-go sends it. */
static bool
apply_server_name(struct http_req *r, const char *server_name, struct curl_slist **to)
{
    CURLU *u = curl_url();
    char *host = NULL, *port = NULL, *url = NULL, *line;
    bool ok = false;

    if (curl_url_set(u, CURLUPART_URL, r->url, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) != CURLUE_OK ||
        curl_url_set(u, CURLUPART_HOST, server_name, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_URL, &url, 0) != CURLUE_OK)
        goto out;
    line = xasprintf("%s:%s:%s:%s", server_name, port, host, port);
    *to = curl_slist_append(*to, line);
    free(line);
    line = xasprintf("Host: %s:%s", host, port);
    r->headers = curl_slist_append(r->headers, line);
    free(line);
    free(r->url);
    r->url = xstrdup(url);
    ok = true;
out:
    curl_free(host);
    curl_free(port);
    curl_free(url);
    curl_url_cleanup(u);
    return ok;
}

static CURLcode
set_blob(CURL *easy, CURLoption opt, const char *data, size_t len)
{
    struct curl_blob blob = { .data = (void *)(uintptr_t)data, .len = len,
                              .flags = CURL_BLOB_COPY };

    return curl_easy_setopt(easy, opt, &blob);
}

static CURLcode
apply_tls(struct http_req *r, const struct http_tls *tls, struct curl_slist **connect_to)
{
    CURL *e = r->easy;
    CURLcode rc = CURLE_OK;

    if (tls->ca_pem && tls->ca_len) {
        /* Only the kubeconfig's CA, as client-go: not the system store too. */
        curl_easy_setopt(e, CURLOPT_CAPATH, NULL);
        rc = set_blob(e, CURLOPT_CAINFO_BLOB, tls->ca_pem, tls->ca_len);
    }
    if (rc == CURLE_OK && tls->cert_pem && tls->cert_len) {
        curl_easy_setopt(e, CURLOPT_SSLCERTTYPE, "PEM");
        rc = set_blob(e, CURLOPT_SSLCERT_BLOB, tls->cert_pem, tls->cert_len);
    }
    if (rc == CURLE_OK && tls->key_pem && tls->key_len) {
        curl_easy_setopt(e, CURLOPT_SSLKEYTYPE, "PEM");
        rc = set_blob(e, CURLOPT_SSLKEY_BLOB, tls->key_pem, tls->key_len);
    }
    if (tls->insecure) {
        curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 0L);
        curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 0L);
    }
    if (rc == CURLE_OK && tls->server_name && *tls->server_name && !tls->insecure &&
        !apply_server_name(r, tls->server_name, connect_to))
        rc = CURLE_URL_MALFORMAT;
    if (rc == CURLE_OK && tls->proxy_url && *tls->proxy_url)
        rc = curl_easy_setopt(e, CURLOPT_PROXY, tls->proxy_url);
    return rc;
}

static CURLcode
apply_method(CURL *e, const struct http_request *rq)
{
    const char *m = rq->method ? rq->method : "GET";

    if (strcmp(m, "GET") == 0 && !rq->body)
        return CURLE_OK;
    if (strcmp(m, "HEAD") == 0)
        return curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
    if (rq->body) {
        curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)rq->body_len);
        curl_easy_setopt(e, CURLOPT_COPYPOSTFIELDS, rq->body);
    }
    if (strcmp(m, "POST") != 0 || !rq->body)
        return curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, m);
    return CURLE_OK;
}

struct http_req *
http_submit(struct http *h, const struct http_request *rq)
{
    struct http_req *r = xcalloc(1, sizeof(*r));
    CURL *e;
    CURLcode rc;
    long connect_ms;

    r->h = h;
    r->next = h->reqs;
    if (h->reqs)
        h->reqs->prev = r;
    h->reqs = r;
    h->nreqs++;
    r->url = xstrdup(rq->url);
    r->max_body = rq->max_body ? rq->max_body : DEFAULT_MAX_BODY;
    r->retries_left = rq->retries > 0 ? rq->retries : 0;
    r->max_retry_wait_ms = rq->max_retry_wait_ms > 0 ? rq->max_retry_wait_ms
                                                     : DEFAULT_MAX_RETRY_WAIT_MS;
    r->on_headers = rq->on_headers;
    r->on_data = rq->on_data;
    r->on_done = rq->on_done;
    r->arg = rq->arg;
    r->timer = ev_timer_new(h->loop, req_timer, r);
    reset_response(r);
    r->easy = e = curl_easy_init();
    if (!e)
        xfatal("curl_easy_init failed");

    for (const char *const *hd = rq->headers; hd && *hd; hd++)
        r->headers = curl_slist_append(r->headers, *hd);
    if (rq->bearer_token && *rq->bearer_token) {
        char *line = xasprintf("Authorization: Bearer %s", rq->bearer_token);

        r->headers = curl_slist_append(r->headers, line);
        free(line);
    }
    /* No "Expect: 100-continue" round trip for request bodies. */
    r->headers = curl_slist_append(r->headers, "Expect:");

    curl_easy_setopt(e, CURLOPT_PRIVATE, r);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, r->errbuf);
    curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, header_cb);
    curl_easy_setopt(e, CURLOPT_HEADERDATA, r);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, write_cb);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, r);
    curl_easy_setopt(e, CURLOPT_SUPPRESS_CONNECT_HEADERS, 1L);
    curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(e, CURLOPT_TCP_KEEPIDLE, 30L);
    curl_easy_setopt(e, CURLOPT_TCP_KEEPINTVL, 15L);
#if LIBCURL_VERSION_NUM >= 0x075500
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
#endif
    connect_ms = rq->connect_timeout_ms > 0 ? rq->connect_timeout_ms : CONNECT_TIMEOUT_MAX_MS;
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, MIN(connect_ms, CONNECT_TIMEOUT_MAX_MS));
    if (rq->timeout_ms > 0)
        curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, rq->timeout_ms);
    if (rq->low_speed_time_s > 0) {
        curl_easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT, 1L);
        curl_easy_setopt(e, CURLOPT_LOW_SPEED_TIME, rq->low_speed_time_s);
    }
    if (rq->gzip_raw) {
        r->headers = curl_slist_append(r->headers, "Accept-Encoding: gzip");
        curl_easy_setopt(e, CURLOPT_HTTP_CONTENT_DECODING, 0L);
    } else if (rq->gzip) {
        curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "gzip");
    }
    if (rq->username) {
        curl_easy_setopt(e, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
        curl_easy_setopt(e, CURLOPT_USERNAME, rq->username);
        curl_easy_setopt(e, CURLOPT_PASSWORD, rq->password ? rq->password : "");
    }
    rc = apply_method(e, rq);
    if (rc == CURLE_OK && rq->tls)
        rc = apply_tls(r, rq->tls, &r->connect_to);
    if (r->connect_to)
        curl_easy_setopt(e, CURLOPT_CONNECT_TO, r->connect_to);
    curl_easy_setopt(e, CURLOPT_URL, r->url);
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, r->headers);
    if (rc != CURLE_OK) {
        r->resp.result = rc == CURLE_URL_MALFORMAT ? STATUS_HTTP : STATUS_TLS;
        snprintf(r->resp.error, sizeof(r->resp.error), "cannot set up the request: %s",
                 curl_easy_strerror(rc));
        r->fail_pending = true;
        ev_timer_arm(r->timer, 0);
    } else if (h->in_curl) {
        r->pending_add = true;
        h->have_deferred = true;
    } else {
        start(r);
    }
    return r;
}

void
http_cancel(struct http_req *r)
{
    if (!r || r->cancelled)
        return;
    r->cancelled = true;
    if (r->in_done)
        return;
    if (r->h->in_curl) {
        r->h->have_deferred = true;
        return;
    }
    req_free(r);
}

size_t
http_pending(const struct http *h)
{
    return h->nreqs;
}

void
http_stats(const struct http *h, struct http_stats *out)
{
    *out = h->stats;
}

char *
http_escape(const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    struct strbuf sb = { 0 };

    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
            *p == '-' || *p == '.' || *p == '_' || *p == '~') {
            strbuf_putc(&sb, (char)*p);
        } else {
            strbuf_putc(&sb, '%');
            strbuf_putc(&sb, hex[*p >> 4]);
            strbuf_putc(&sb, hex[*p & 15]);
        }
    }
    return strbuf_detach(&sb);
}

const char *
http_reason_phrase(long code)
{
    static const struct {
        long code;
        const char *text;
    } table[] = {
        { 200, "OK" }, { 201, "Created" }, { 202, "Accepted" }, { 204, "No Content" },
        { 301, "Moved Permanently" }, { 302, "Found" }, { 304, "Not Modified" },
        { 307, "Temporary Redirect" }, { 400, "Bad Request" }, { 401, "Unauthorized" },
        { 403, "Forbidden" }, { 404, "Not Found" }, { 405, "Method Not Allowed" },
        { 406, "Not Acceptable" }, { 407, "Proxy Authentication Required" },
        { 408, "Request Timeout" }, { 409, "Conflict" }, { 410, "Gone" },
        { 413, "Request Entity Too Large" }, { 415, "Unsupported Media Type" },
        { 422, "Unprocessable Entity" }, { 429, "Too Many Requests" },
        { 500, "Internal Server Error" }, { 501, "Not Implemented" }, { 502, "Bad Gateway" },
        { 503, "Service Unavailable" }, { 504, "Gateway Timeout" },
    };

    for (size_t i = 0; i < ARRAY_SIZE(table); i++)
        if (table[i].code == code)
            return table[i].text;
    return code >= 500 ? "Server Error" : code >= 400 ? "Client Error" : "HTTP";
}

/* SPDX-License-Identifier: MIT */
/* nettest.h - helpers for the net tests: loop runner, stub server, temp dirs */
#ifndef OPSDECK_NETTEST_H
#define OPSDECK_NETTEST_H

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "opsdeck/clock.h"
#include "opsdeck/evloop.h"
#include "opsdeck/http.h"
#include "opsdeck/json.h"
#include "opsdeck/strbuf.h"

/* Runs the loop until *flag or timeout_ms passes; returns *flag. Every
 * wait in the tests is bounded this way. */
static inline bool
run_until(struct evloop *loop, const bool *flag, int64_t timeout_ms)
{
    int64_t deadline = clock_mono_ms() + timeout_ms;

    while (!*flag) {
        struct pollfd fds[64];
        int timeout;
        size_t n = evloop_prepare(loop, fds, 64, &timeout);
        int64_t left = deadline - clock_mono_ms();

        if (left <= 0)
            break;
        if (timeout < 0 || timeout > left)
            timeout = (int)left;
        if (poll(fds, n, timeout) < 0 && errno != EINTR)
            break;
        evloop_dispatch(loop, fds, n);
    }
    return *flag;
}

/* Runs the loop for ms milliseconds whatever happens. */
static inline void
run_for(struct evloop *loop, int64_t ms)
{
    bool never = false;

    run_until(loop, &never, ms);
}

/* A server process started by a test: stopped by PID. */
struct child {
    pid_t pid;
    int in_fd;      /* its stdin: closing it tells the server to leave */
    int port;
};

/* Starts tests/lib/stubserver.py (args: NULL-terminated extra arguments)
 * and reads its port (10 s at most). */
static inline void
stub_start(struct child *c, const char *const *args)
{
    const char *py = getenv("PYTHON3") ? getenv("PYTHON3") : "python3";
    const char *top = getenv("top_srcdir") ? getenv("top_srcdir") : ".";
    char script[1024], line[64] = "";
    const char *argv[32];
    int in[2], out[2], n = 0;
    size_t got = 0;
    int64_t deadline;

    snprintf(script, sizeof(script), "%s/tests/lib/stubserver.py", top);
    argv[n++] = py;
    argv[n++] = script;
    for (; args && *args && n < 30; args++)
        argv[n++] = *args;
    argv[n] = NULL;
    ck_assert_int_eq(pipe(in), 0);
    ck_assert_int_eq(pipe(out), 0);
    c->pid = fork();
    ck_assert_int_ge(c->pid, 0);
    if (c->pid == 0) {
        dup2(in[0], 0);
        dup2(out[1], 1);
        close(in[0]);
        close(in[1]);
        close(out[0]);
        close(out[1]);
        execvp(py, (char *const *)(uintptr_t)argv);
        _exit(127);
    }
    close(in[0]);
    close(out[1]);
    c->in_fd = in[1];
    fcntl(c->in_fd, F_SETFD, FD_CLOEXEC);
    deadline = clock_mono_ms() + 10000;
    while (!memchr(line, '\n', got) && got < sizeof(line) - 1) {
        struct pollfd p = { .fd = out[0], .events = POLLIN };
        int64_t left = deadline - clock_mono_ms();
        ssize_t r;

        ck_assert_msg(left > 0, "stub server did not start");
        if (poll(&p, 1, (int)left) <= 0)
            continue;
        r = read(out[0], line + got, sizeof(line) - 1 - got);
        ck_assert_msg(r > 0, "stub server exited");
        got += (size_t)r;
        line[got] = '\0';
    }
    close(out[0]);
    ck_assert_int_eq(sscanf(line, "PORT %d", &c->port), 1);
}

static inline void
child_stop(struct child *c)
{
    if (c->pid <= 0)
        return;
    close(c->in_fd);
    kill(c->pid, SIGTERM);
    waitpid(c->pid, NULL, 0);
    c->pid = 0;
}

/* A fresh temporary directory (caller frees the string). */
static inline char *
test_tmpdir(void)
{
    char tmpl[] = "/tmp/opsdeck-net-XXXXXX";
    char *d = mkdtemp(tmpl);

    ck_assert_ptr_nonnull(d);
    return strdup(d);
}

static inline void
rm_rf(const char *dir)
{
    char cmd[1200];

    if (!dir || strncmp(dir, "/tmp/opsdeck-net-", 17) != 0)
        return;
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "# could not remove %s\n", dir);
}

static inline void
write_file(const char *path, const char *text, mode_t mode)
{
    FILE *f = fopen(path, "w");

    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    fclose(f);
    chmod(path, mode);
}

/* Reads a whole file into a new string (NULL when missing). */
static inline char *
slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf;
    long n;

    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    rewind(f);
    buf = malloc((size_t)n + 1);
    if (fread(buf, 1, (size_t)n, f) != (size_t)n)
        n = 0;
    buf[n] = '\0';
    fclose(f);
    if (len)
        *len = (size_t)n;
    return buf;
}

/*
 * The stub server's scripted Kubernetes resource (tests/lib/stubserver.py)
 */

struct fetched {
    bool done;
    long status;
    struct strbuf body;
};

static inline void
fetched_done(void *arg, const struct http_response *resp)
{
    struct fetched *f = arg;

    f->done = true;
    f->status = resp->status;
    strbuf_append(&f->body, resp->body, resp->body_len);
}

/* A plain HTTP exchange with the stub's control endpoints, on a loop of its
 * own; returns the body (caller frees). */
static inline char *
stub_call(int port, const char *method, const char *path, const char *json)
{
    struct evloop *loop = evloop_new();
    struct http *h = http_new(loop);
    struct fetched f = { 0 };
    char url[128];

    snprintf(url, sizeof(url), "http://127.0.0.1:%d%s", port, path);
    http_submit(h, &(struct http_request){ .method = method, .url = url, .body = json,
                                           .body_len = json ? strlen(json) : 0,
                                           .on_done = fetched_done, .arg = &f });
    ck_assert(run_until(loop, &f.done, 5000));
    ck_assert_int_eq(f.status, 200);
    http_free(h);
    evloop_free(loop);
    return strbuf_detach(&f.body);
}

/* Replaces the scripted resource's configuration (and clears its log). */
static inline void
stub_configure(int port, const char *json)
{
    free(stub_call(port, "POST", "/_stub/config", json));
}

/* The n-th request whose path contains needle: its start and end (ms). */
static inline bool
stub_log_entry(int port, const char *needle, int nth, int64_t *start, int64_t *end)
{
    char *log = stub_call(port, "GET", "/_stub/log", NULL);
    struct json_doc doc;
    struct json_iter it;
    uint32_t key, e;
    bool found = false;

    json_doc_init(&doc);
    ck_assert_int_eq(json_parse(&doc, log, strlen(log)), STATUS_OK);
    json_iter_init(&it, &doc, 0);
    while (!found && json_iter_next(&it, &key, &e)) {
        char path[512];

        json_strcpy(&doc, json_get(&doc, e, "path"), path, sizeof(path));
        if (strstr(path, needle) && nth-- == 0) {
            *start = json_get_int(&doc, e, "start", -1);
            *end = json_get_int(&doc, e, "end", -1);
            found = true;
        }
    }
    json_doc_done(&doc);
    free(log);
    return found;
}

/* How many requests' paths contain needle. */
static inline int
stub_log_count(int port, const char *needle)
{
    int64_t s, e;
    int n = 0;

    while (stub_log_entry(port, needle, n, &s, &e))
        n++;
    return n;
}

#endif /* OPSDECK_NETTEST_H */

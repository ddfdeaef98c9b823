/* SPDX-License-Identifier: MIT */
/* screen.c - curses start/stop with TERM fallback, scripted /dev/null mode, windows, reading back
 */
#include "config.h"

#include "opsdeck/screen.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <term.h> /* setupterm; its capability macros (lines...) shadow names */
#include <unistd.h>
#include <wchar.h>

#include "opsdeck/keymap.h"
#include "opsdeck/xalloc.h"

#define ESC_DELAY_MS 50 /* long enough for an escape sequence over SSH */

/* Descriptions every system has (ncurses-base), tried in order when TERM
 * is unknown: vt100 speaks to any emulator (no colours: the mono theme). */
static const char *const fallback_terms[] = {"vt100", "ansi", "dumb"};

struct screen {
    SCREEN *sp;
    FILE *out, *in; /* owned in scripted mode */
    bool scripted;
    bool suspended;
    WINDOW *win[WIN_COUNT];
    size_t height[WIN_COUNT];
    size_t header_lines;
    bool usable;
    bool show_cursor;
    enum screen_win cursor_win;
    int cursor_y, cursor_x;
};

/* True when terminfo knows name (checked without starting curses). */
static bool
term_known(const char *name, int fd)
{
    int err = 0;
    TERMINAL *saved = cur_term;

    if (!name || !*name)
        return false;
    if (setupterm(name, fd, &err) != OK)
        return false;
    del_curterm(cur_term);
    set_curterm(saved);
    return true;
}

enum status
screen_open(const struct screen_options *opts, struct screen **out, char **warning)
{
    struct screen *s = xcalloc(1, sizeof(*s));
    const char *term = getenv("TERM");
    const char *use = term;

    *warning = NULL;
    *out = NULL;
    s->scripted = opts->scripted;
    if (s->scripted) {
        s->out = fopen("/dev/null", "w");
        s->in = fopen("/dev/null", "r");
        if (!s->out || !s->in) {
            if (s->out)
                fclose(s->out);
            if (s->in)
                fclose(s->in);
            free(s);
            return status_fail(STATUS_IO, "/dev/null: %s", strerror(errno));
        }
    } else {
        s->out = stdout;
        s->in = stdin;
    }
    if (!term_known(term, fileno(s->out))) {
        use = NULL;
        for (size_t i = 0; i < sizeof(fallback_terms) / sizeof(fallback_terms[0]); i++) {
            if (term_known(fallback_terms[i], fileno(s->out))) {
                use = fallback_terms[i];
                break;
            }
        }
        if (!use) {
            if (s->scripted) {
                fclose(s->out);
                fclose(s->in);
            }
            free(s);
            return status_fail(STATUS_IO, "TERM=%s: no terminal description found",
                               term ? term : "");
        }
        *warning =
            xasprintf("TERM=%s is unknown here; using %s", term && *term ? term : "(unset)", use);
        fprintf(stderr, "opsdeck: %s\n", *warning);
        fflush(stderr);
    }
    set_escdelay(ESC_DELAY_MS);
    /* the terminal's own size wins over an exported LINES/COLUMNS */
    if (!s->scripted)
        use_tioctl(TRUE);
    s->sp = newterm(use, s->out, s->in);
    if (!s->sp) {
        if (s->scripted) {
            fclose(s->out);
            fclose(s->in);
        }
        free(*warning);
        *warning = NULL;
        free(s);
        return status_fail(STATUS_IO, "cannot start the terminal (TERM=%s)", use);
    }
    set_term(s->sp);
    if (s->scripted)
        resizeterm(opts->rows > 0 ? opts->rows : 24, opts->cols > 0 ? opts->cols : 80);
    if (has_colors()) {
        start_color();
        if (use_default_colors() != OK)
            assume_default_colors(COLOR_WHITE, COLOR_BLACK);
    }
    cbreak();
    noecho();
    nonl();
    intrflush(stdscr, FALSE);
    keypad(stdscr, TRUE);
    nodelay(stdscr, TRUE);
    curs_set(0);
    /* stdscr is never drawn; keep it from repainting over the windows
     * when get_wch refreshes it */
    wnoutrefresh(stdscr);
    *out = s;
    return STATUS_OK;
}

static void
free_windows(struct screen *s)
{
    for (int i = 0; i < WIN_COUNT; i++) {
        if (s->win[i])
            delwin(s->win[i]);
        s->win[i] = NULL;
        s->height[i] = 0;
    }
}

void
screen_close(struct screen *s)
{
    if (!s)
        return;
    free_windows(s);
    if (!s->suspended)
        endwin();
    delscreen(s->sp);
    if (s->scripted) {
        fclose(s->out);
        fclose(s->in);
    }
    free(s);
}

void
screen_layout(struct screen *s, size_t header_lines)
{
    int nrows = LINES, cols = COLS, y = 0;
    size_t h[WIN_COUNT];

    free_windows(s);
    s->header_lines = header_lines;
    h[WIN_HEADER] = header_lines;
    h[WIN_TITLE] = 1;
    h[WIN_MESSAGE] = 1;
    h[WIN_FKEYS] = 1;
    s->usable = cols >= 10 && nrows >= (int)(header_lines + 4);
    if (!s->usable) {
        /* one window over everything, for the "too small" line */
        s->win[WIN_BODY] = newwin(nrows > 0 ? nrows : 1, cols > 0 ? cols : 1, 0, 0);
        s->height[WIN_BODY] = (size_t)(nrows > 0 ? nrows : 1);
        wnoutrefresh(stdscr);
        return;
    }
    h[WIN_BODY] = (size_t)nrows - header_lines - 3;
    for (int i = 0; i < WIN_COUNT; i++) {
        s->win[i] = newwin((int)h[i], cols, y, 0);
        s->height[i] = h[i];
        leaveok(s->win[i], TRUE);
        y += (int)h[i];
    }
    wnoutrefresh(stdscr);
}

WINDOW *
screen_win(struct screen *s, enum screen_win w)
{
    return s->win[w];
}

size_t
screen_width(const struct screen *s)
{
    (void)s;
    return COLS > 0 ? (size_t)COLS : 0;
}

size_t
screen_height(const struct screen *s, enum screen_win w)
{
    return s->height[w];
}

bool
screen_usable(const struct screen *s)
{
    return s->usable;
}

void
screen_resize(struct screen *s, int nrows, int cols)
{
    if (nrows < 1 || cols < 1)
        return;
    resizeterm(nrows, cols);
    wnoutrefresh(stdscr);
    screen_layout(s, s->header_lines);
}

void
screen_resize_from_tty(struct screen *s)
{
    struct winsize ws;

    if (s->scripted)
        return;
    if (ioctl(fileno(s->out), TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 && ws.ws_col > 0)
        screen_resize(s, ws.ws_row, ws.ws_col);
    else
        screen_layout(s, s->header_lines);
}

void
screen_suspend(struct screen *s)
{
    if (s->suspended)
        return;
    endwin();
    s->suspended = true;
}

void
screen_resume(struct screen *s)
{
    if (!s->suspended)
        return;
    s->suspended = false;
    reset_prog_mode();
    clearok(curscr, TRUE);
    screen_resize_from_tty(s);
}

bool
screen_suspended(const struct screen *s)
{
    return s->suspended;
}

void
screen_clear_next(struct screen *s)
{
    (void)s;
    clearok(curscr, TRUE);
}

void
screen_cursor(struct screen *s, enum screen_win w, int y, int x, bool visible)
{
    s->show_cursor = visible;
    s->cursor_win = w;
    s->cursor_y = y;
    s->cursor_x = x;
}

void
screen_update(struct screen *s, const bool changed[WIN_COUNT])
{
    WINDOW *cw;

    if (s->suspended)
        return;
    for (int i = 0; i < WIN_COUNT; i++)
        if (s->win[i] && changed[i])
            wnoutrefresh(s->win[i]);
    cw = s->win[s->cursor_win];
    if (s->show_cursor && cw) {
        /* the window refreshed last places the terminal's cursor */
        leaveok(cw, FALSE);
        wmove(cw, s->cursor_y, s->cursor_x);
        wnoutrefresh(cw);
        curs_set(1);
    } else {
        if (cw)
            leaveok(cw, TRUE);
        curs_set(0);
    }
    doupdate();
}

int
screen_input_fd(const struct screen *s)
{
    return s->scripted ? -1 : fileno(s->in);
}

bool
screen_scripted(const struct screen *s)
{
    return s->scripted;
}

static int
translate(int code)
{
    if (code >= KEY_F(1) && code <= KEY_F(12))
        return KEYC_F(code - KEY_F(1) + 1);
    switch (code) {
    case KEY_UP:
        return KEYC_UP;
    case KEY_DOWN:
        return KEYC_DOWN;
    case KEY_LEFT:
        return KEYC_LEFT;
    case KEY_RIGHT:
        return KEYC_RIGHT;
    case KEY_PPAGE:
        return KEYC_PGUP;
    case KEY_NPAGE:
        return KEYC_PGDN;
    case KEY_HOME:
        return KEYC_HOME;
    case KEY_END:
        return KEYC_END;
    case KEY_IC:
        return KEYC_INS;
    case KEY_DC:
        return KEYC_DEL;
    case KEY_BACKSPACE:
        return KEYC_BACKSPACE;
    case KEY_BTAB:
        return KEYC_BACKTAB;
    case KEY_ENTER:
        return KEYC_ENTER;
    default:
        return -1;
    }
}

bool
screen_read_key(struct screen *s, int *key)
{
    wint_t wch;
    int r;

    if (s->scripted || s->suspended)
        return false;
    for (;;) {
        r = wget_wch(stdscr, &wch);
        if (r == ERR)
            return false;
        if (r == KEY_CODE_YES) {
            int k = translate((int)wch);

            if (k < 0)
                continue; /* a key we have no name for (KEY_RESIZE, mouse) */
            *key = k;
            return true;
        }
        if (wch == '\r')
            wch = KEYC_ENTER;
        else if (wch == 0x7F)
            wch = KEYC_BACKSPACE;
        *key = (int)wch;
        return true;
    }
}

/*
 * Reading the screen back (tests)
 */

/* One row of curses' copy of the terminal. win_wchnstr gives one entry per
 * character (the right half of a wide one is not an entry), so the screen
 * column advances by each character's width. */
static void
dump_row(int y, int cols, bool attrs, struct strbuf *out)
{
    cchar_t *cells = xcalloc((size_t)cols + 1, sizeof(*cells));
    struct strbuf line, runs, desc, prev;
    size_t trimmed = 0;
    int run_start = 0, col = 0, n;

    strbuf_init(&line);
    strbuf_init(&runs);
    strbuf_init(&desc);
    strbuf_init(&prev);
    n = mvwin_wchnstr(curscr, y, 0, cells, cols) == ERR ? 0 : cols;
    for (int i = 0; i < n && col < cols; i++) {
        wchar_t wch[CCHARW_MAX + 1] = {0};
        attr_t a = 0;
        short pair = 0;
        char mb[MB_LEN_MAX];
        int width;

        if (getcchar(&cells[i], wch, &a, &pair, NULL) == ERR || !wch[0])
            break; /* the end of what curses returned */
        width = wcwidth(wch[0]);
        for (int k = 0; k < CCHARW_MAX && wch[k]; k++) {
            size_t len = wcrtomb(mb, wch[k], &(mbstate_t){0});

            if (len != (size_t)-1)
                strbuf_append(&line, mb, len);
            else
                strbuf_putc(&line, '?');
        }
        if (wch[0] != L' ')
            trimmed = line.len;
        if (attrs) {
            strbuf_reset(&desc);
            theme_describe_cell((unsigned long)a, pair, &desc);
            if (col == 0) {
                strbuf_puts(&prev, strbuf_str(&desc));
            } else if (strcmp(strbuf_str(&desc), strbuf_str(&prev)) != 0) {
                strbuf_printf(&runs, "%s%d-%d %s", runs.len ? "; " : "", run_start, col - 1,
                              strbuf_str(&prev));
                run_start = col;
                strbuf_reset(&prev);
                strbuf_puts(&prev, strbuf_str(&desc));
            }
        }
        col += width > 1 ? width : 1;
    }
    strbuf_append(out, line.buf ? line.buf : "", trimmed);
    strbuf_putc(out, '\n');
    if (attrs) {
        strbuf_printf(&runs, "%s%d-%d %s", runs.len ? "; " : "", run_start, cols - 1,
                      strbuf_str(&prev));
        strbuf_printf(out, "@ %s\n", strbuf_str(&runs));
    }
    strbuf_done(&line);
    strbuf_done(&runs);
    strbuf_done(&desc);
    strbuf_done(&prev);
    free(cells);
}

void
screen_dump(struct screen *s, bool attrs, struct strbuf *out)
{
    (void)s;
    for (int y = 0; y < LINES; y++)
        dump_row(y, COLS, attrs, out);
}

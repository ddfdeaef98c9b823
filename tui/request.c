/* SPDX-License-Identifier: MIT */
/* request.c - names, F-key labels and help lines of the requests */
#include "config.h"

#include "opsdeck/request.h"

#include <string.h>

struct request_info {
    const char *name;
    const char *label;
    const char *help;
};

#define REQ_INFO_ENTRY(id, name, label, help) {name, label, help},
#define REQ_VIEW_ENTRY(id, name)              {"view-" #name, NULL, "Open the " #name " view"},
static const struct request_info request_table[] = {REQ_INFO(REQ_INFO_ENTRY)
                                                        VIEW_INFO(REQ_VIEW_ENTRY)};
#undef REQ_INFO_ENTRY
#undef REQ_VIEW_ENTRY

_Static_assert(sizeof(request_table) / sizeof(request_table[0]) == REQ_COUNT,
               "one table entry per request");

static const struct request_info *
info(enum request req)
{
    return request_valid((int)req) ? &request_table[req - REQ_BASE] : NULL;
}

const char *
request_name(enum request req)
{
    const struct request_info *ri = info(req);

    return ri ? ri->name : NULL;
}

const char *
request_label(enum request req)
{
    const struct request_info *ri = info(req);

    return ri ? ri->label : NULL;
}

const char *
request_help(enum request req)
{
    const struct request_info *ri = info(req);

    return ri ? ri->help : "";
}

bool
request_parse(const char *name, enum request *out)
{
    for (size_t i = 0; i < REQ_COUNT; i++) {
        if (strcmp(request_table[i].name, name) == 0) {
            *out = (enum request)(REQ_BASE + (int)i);
            return true;
        }
    }
    return false;
}

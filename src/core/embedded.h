/* Files compiled into the binary (migrations, built-in playbooks, demo data).
 * Each table ends with an entry whose name is NULL; data is NUL-terminated. */
#ifndef BF_CORE_EMBEDDED_H
#define BF_CORE_EMBEDDED_H

#include <stddef.h>

typedef struct embedded_file {
    const char *name;
    const char *data;
    size_t len;
} embedded_file;

/* The built-in playbooks, playbooks/ *.json, sorted by file name. */
extern const embedded_file builtin_playbook_files[];

/* The built-in document templates, templates/index.json and templates/
 * <key>.<lang>.md, sorted by file name. */
extern const embedded_file builtin_template_files[];

#endif

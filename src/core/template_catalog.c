/* The built-in document templates (see template_catalog.h). */
#include "core/template_catalog.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "core/embedded.h"

const char *const template_kinds[] = {
    "letter",        "quotation",    "contract", "case",  "proposal",
    "research_plan", "needs_report", "handover", "other", NULL};
const char *const template_langs[] = {"zh", "en", NULL};

static pthread_once_t once = PTHREAD_ONCE_INIT;
static json_t *index_doc;

static void load_index(void)
{
    for (size_t i = 0; builtin_template_files[i].name != NULL; i++)
        if (strcmp(builtin_template_files[i].name, "index.json") == 0)
            index_doc =
                json_loadb(builtin_template_files[i].data, builtin_template_files[i].len, 0, NULL);
    if (!json_is_array(index_doc)) {
        json_decref(index_doc);
        index_doc = NULL;
    }
}

const json_t *template_builtin_index(void)
{
    pthread_once(&once, load_index);
    return index_doc;
}

const char *template_builtin_body(const char *key, const char *lang, size_t *len)
{
    char name[128];
    int n = snprintf(name, sizeof(name), "%s.%s.md", key, lang);
    if (n < 0 || (size_t)n >= sizeof(name))
        return NULL;
    for (size_t i = 0; builtin_template_files[i].name != NULL; i++)
        if (strcmp(builtin_template_files[i].name, name) == 0) {
            *len = builtin_template_files[i].len;
            return builtin_template_files[i].data;
        }
    return NULL;
}

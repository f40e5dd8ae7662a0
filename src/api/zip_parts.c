/* Files zipped in memory with Debian's libzip: the parts of a Word file
 * (core/docx.c) into the bytes of the .docx. */
#include <string.h>
#include <zip.h>

#include "api/api.h"

/* Adds every part to the open archive za (the texts outlive the close). */
static bool add_parts(zip_t *za, const docx_parts *p)
{
    for (size_t i = 0; i < p->n; i++) {
        zip_source_t *s = zip_source_buffer(za, p->texts[i], p->lens[i], 0);
        if (s == NULL)
            return false;
        if (zip_file_add(za, p->names[i], s, ZIP_FL_ENC_UTF_8 | ZIP_FL_OVERWRITE) < 0) {
            zip_source_free(s);
            return false;
        }
    }
    return true;
}

bf_result api_zip_parts(api_call *call, const docx_parts *parts, const char **data, size_t *len)
{
    zip_error_t ze;
    zip_error_init(&ze);
    zip_source_t *mem = zip_source_buffer_create(NULL, 0, 0, &ze);
    zip_t *za = mem ? zip_open_from_source(mem, ZIP_TRUNCATE, &ze) : NULL;
    bool ok = za != NULL;
    if (ok)
        zip_source_keep(mem); /* read back after the archive closes */
    ok = ok && add_parts(za, parts);
    if (za != NULL && (!ok || zip_close(za) != 0)) {
        zip_discard(za);
        ok = false;
    }
    zip_stat_t st;
    char *out = NULL;
    if (ok && zip_source_open(mem) == 0) {
        zip_stat_init(&st);
        if (zip_source_stat(mem, &st) == 0 && (st.valid & ZIP_STAT_SIZE) &&
            (out = arena_alloc(call->arena, st.size ? st.size : 1)) != NULL)
            ok = zip_source_read(mem, out, st.size) == (zip_int64_t)st.size;
        else
            ok = false;
        zip_source_close(mem);
    } else {
        ok = false;
    }
    if (mem != NULL)
        zip_source_free(mem);
    zip_error_fini(&ze);
    if (!ok)
        return bf_fail(&call->err, BF_ERR_INTERNAL, NULL, NULL, "the document could not be zipped");
    *data = out;
    *len = st.size;
    return BF_OK;
}

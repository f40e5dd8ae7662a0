/* Fuzz target: request bodies as records of every resource
 * (src/core/record.c), in both create and patch mode, and back to JSON. */
#include <stdint.h>
#include <stdlib.h>

#include "core/record.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t *j = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, NULL);
    if (j == NULL)
        return 0;
    for (size_t i = 0; resource_all[i] != NULL; i++) {
        for (int mode = RECORD_CREATE; mode <= RECORD_PATCH; mode++) {
            arena *a = arena_new(0);
            if (a == NULL)
                abort();
            record *rec;
            bf_error err;
            if (record_from_json(a, resource_all[i], j, (record_mode)mode, &rec, &err) == BF_OK) {
                rec->id = "fuzz_1";
                json_t *out = record_to_json(rec);
                if (out == NULL)
                    abort();
                json_decref(out);
            } else if (err.message[0] == '\0') {
                abort(); /* every refusal explains itself */
            }
            arena_free(a);
        }
    }
    json_decref(j);
    return 0;
}

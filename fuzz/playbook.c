/* Fuzz target: playbook documents (src/core/playbook_parse.c). */
#include <stdint.h>
#include <stdlib.h>

#include "core/playbook.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    playbook *pb = NULL;
    bf_error err;
    if (playbook_parse((const char *)data, size, &pb, NULL, &err) == BF_OK) {
        for (size_t i = 0; i < pb->nstages; i++)
            if (playbook_stage(pb, pb->stages[i].id, NULL) != &pb->stages[i])
                abort();
        playbook_free(pb);
    }
    return 0;
}

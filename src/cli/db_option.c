/* The database of a command: --db, else BINGFA_DB (see cli.h). */
#include <stdlib.h>

#include "cli/cli.h"

const char *cli_db(const char *given, const char *fallback)
{
    const char *env = getenv("BINGFA_DB");
    return given != NULL ? given : env != NULL && env[0] != '\0' ? env : fallback;
}

const char *cli_db_name(const char *db)
{
    static char shown[512];
    store_describe(db, shown, sizeof(shown));
    return shown;
}

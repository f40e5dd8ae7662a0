/* bingfa tool bid-simulation|procurement-advice [FILE]: the sales tools that
 * compute without a database, on a JSON request read from FILE or standard
 * input; the answer is printed as JSON. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/bid.h"
#include "core/procurement.h"

int cli_tool(int argc, char **argv)
{
    if (argc < 1 || argc > 2 ||
        (strcmp(argv[0], "bid-simulation") != 0 && strcmp(argv[0], "procurement-advice") != 0)) {
        cli_error("usage: bingfa tool bid-simulation|procurement-advice [FILE] (default: stdin)");
        return 2;
    }
    json_error_t jerr;
    json_t *in = argc == 2 && strcmp(argv[1], "-") != 0 ? json_load_file(argv[1], 0, &jerr)
                                                        : json_loadf(stdin, 0, &jerr);
    if (in == NULL) {
        cli_error("%s: line %d, column %d: %s", argc == 2 ? argv[1] : "stdin", jerr.line,
                  jerr.column, jerr.text);
        return 1;
    }
    json_t *out = NULL;
    bf_error err = {0};
    bf_result r = strcmp(argv[0], "bid-simulation") == 0 ? bid_simulate(in, &out, &err)
                                                         : procurement_advise(in, &out, &err);
    json_decref(in);
    if (r != BF_OK) {
        cli_error("%s%s%s", err.field[0] ? err.field : "", err.field[0] ? ": " : "", err.message);
        return 1;
    }
    char *text = json_dumps(out, JSON_INDENT(2) | JSON_REAL_PRECISION(15));
    json_decref(out);
    if (text == NULL)
        return 1;
    puts(text);
    free(text);
    return 0;
}

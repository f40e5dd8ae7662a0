/* Health: the server is up and its database is at the schema it expects. */
#include "api/api.h"

#include "http/response.h"

bf_result health_get(api_call *call, const api_route *route)
{
    (void)route;
    http_respond_json(call->req, 200,
                      json_pack("{s:s, s:s, s:i}", "status", "ok", "version", BINGFA_VERSION,
                                "schema_version", store_schema_version(call->app->store)));
    return BF_OK;
}

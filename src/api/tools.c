/* Tools that compute without storing: the procurement method advisor. (The
 * bid simulation is in forms.c beside the tender it also serves.) */
#include "api/api.h"

#include "core/procurement.h"
#include "http/response.h"

bf_result tool_procurement_advice(api_call *call, const api_route *route)
{
    (void)route;
    json_t *body, *out;
    bf_result r = api_body(call, &body);
    if (r == BF_OK)
        r = procurement_advise(body, &out, &call->err);
    if (r != BF_OK)
        return r;
    http_respond_json(call->req, 200, out);
    return BF_OK;
}

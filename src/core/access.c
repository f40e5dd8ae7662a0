/* The access rules (see access.h). */
#include "core/access.h"

#include <string.h>

static const char *const role_names[ROLE_COUNT] = {"sales",   "consultant",     "manager",
                                                   "partner", "implementation", "admin"};

bool access_role_parse(const char *name, access_role *out)
{
    for (int i = 0; i < ROLE_COUNT; i++)
        if (name != NULL && strcmp(name, role_names[i]) == 0) {
            *out = (access_role)i;
            return true;
        }
    return false;
}

const char *access_role_name(access_role role)
{
    return role >= 0 && role < ROLE_COUNT ? role_names[role] : "unknown";
}

static bool internal_staff(access_role role)
{
    return role != ROLE_PARTNER;
}

bool access_may(access_role role, access_action action)
{
    switch (action) {
    case ACCESS_DECIDE_APPROVALS:
    case ACCESS_EDIT_SETTINGS:
        return role == ROLE_MANAGER || role == ROLE_ADMIN;
    case ACCESS_EDIT_PLAYBOOKS:
    case ACCESS_EDIT_APPROVAL_RULES:
    case ACCESS_MANAGE_USERS:
    case ACCESS_MANAGE_WEBHOOKS:
    case ACCESS_READ_AUDIT_ALL:
        return role == ROLE_ADMIN;
    case ACCESS_MOVE_DEALS:
        return role != ROLE_PARTNER && role != ROLE_IMPLEMENTATION;
    case ACCESS_FILL_FORMS:
    case ACCESS_TICK_CHECKLISTS:
        return role != ROLE_IMPLEMENTATION;
    case ACCESS_READ_AUDIT:
    case ACCESS_SEE_INTERNAL:
        return internal_staff(role);
    }
    return false;
}

bool access_may_write(access_role role, const resource_spec *spec, access_write how)
{
    if (role == ROLE_ADMIN)
        return true;
    if (spec == &resource_users || spec == &resource_teams || spec == &resource_partners ||
        spec == &resource_products)
        return false; /* the directory and the price list are admin's */
    switch (role) {
    case ROLE_SALES:
    case ROLE_CONSULTANT:
    case ROLE_MANAGER:
        return true;
    case ROLE_PARTNER:
        /* A partner works the deals it is registered on: it meets contacts
         * and logs activities (and fills checklists and forms), but does not
         * create, change or remove deals and accounts, or delete contacts. */
        if (spec == &resource_activities)
            return true;
        return spec == &resource_contacts && how != ACCESS_DELETE;
    case ROLE_IMPLEMENTATION:
        return spec == &resource_activities;
    case ROLE_ADMIN:
    case ROLE_COUNT:
        break;
    }
    return false;
}

bool access_may_staff_deal(const viewer *v, const char *deal_owner_id)
{
    if (v->role == ROLE_ADMIN || v->role == ROLE_MANAGER)
        return true;
    return v->role == ROLE_SALES && deal_owner_id != NULL && v->user_id != NULL &&
           strcmp(deal_owner_id, v->user_id) == 0;
}

bool access_may_own_deals(access_role role)
{
    return role == ROLE_SALES || role == ROLE_CONSULTANT || role == ROLE_MANAGER ||
           role == ROLE_ADMIN;
}

bool access_field_hidden(const viewer *v, const field_spec *f)
{
    if ((f->flags & FIELD_COST) && !v->sees_cost)
        return true;
    return (f->flags & FIELD_INTERNAL) && !access_may(v->role, ACCESS_SEE_INTERNAL);
}

bool access_sees_cost(access_role role, bool *settled)
{
    *settled = role != ROLE_SALES && role != ROLE_CONSULTANT;
    return role == ROLE_MANAGER || role == ROLE_ADMIN;
}

bool access_may_transfer(access_role role)
{
    return role == ROLE_MANAGER || role == ROLE_ADMIN;
}

static const char *const action_names[ACTION_COUNT] = {
    [ACTION_EDIT] = "edit",
    [ACTION_DELETE] = "delete",
    [ACTION_ADVANCE] = "advance",
    [ACTION_WIN] = "win",
    [ACTION_LOSE] = "lose",
    [ACTION_ABANDON] = "abandon",
    [ACTION_REOPEN] = "reopen",
    [ACTION_TRANSFER] = "transfer",
    [ACTION_STAFF] = "staff",
    [ACTION_ADD_ACTIVITY] = "add_activity",
    [ACTION_ADD_CONTACT] = "add_contact",
    [ACTION_ADD_DEAL] = "add_deal",
};

const char *access_record_action_name(access_record_action action)
{
    return action >= 0 && action < ACTION_COUNT ? action_names[action] : "unknown";
}

/* The actions of a deal's stage and status. */
static bool deal_may(const viewer *v, const access_record *rec, access_record_action action)
{
    bool writes = access_may_write(v->role, &resource_opportunities, ACCESS_UPDATE);
    switch (action) {
    case ACTION_ADVANCE:
        return rec->open && access_may(v->role, ACCESS_MOVE_DEALS);
    case ACTION_WIN:
        return rec->open && rec->at_winning_stage && access_may(v->role, ACCESS_MOVE_DEALS);
    case ACTION_LOSE:
    case ACTION_ABANDON:
        return rec->open && writes;
    case ACTION_REOPEN:
        return !rec->open && writes;
    case ACTION_STAFF:
        return access_may_staff_deal(v, rec->owner_id);
    default:
        return false;
    }
}

bool access_record_may(const viewer *v, const access_record *rec, access_record_action action)
{
    const resource_spec *spec = rec->spec;
    bool deal = spec == &resource_opportunities, account = spec == &resource_accounts;
    switch (action) {
    case ACTION_EDIT:
        return access_may_write(v->role, spec, ACCESS_UPDATE);
    case ACTION_DELETE:
        return access_may_write(v->role, spec, ACCESS_DELETE);
    case ACTION_TRANSFER:
        return (deal || account) && access_may_transfer(v->role) &&
               (v->role == ROLE_ADMIN || rec->owner_in_tree);
    case ACTION_ADD_ACTIVITY:
        return (deal || account) && access_may_write(v->role, &resource_activities, ACCESS_CREATE);
    case ACTION_ADD_CONTACT:
        return (deal || account) && access_may_write(v->role, &resource_contacts, ACCESS_CREATE);
    case ACTION_ADD_DEAL:
        return account && access_may_write(v->role, &resource_opportunities, ACCESS_CREATE);
    case ACTION_COUNT:
        return false;
    default:
        return deal && deal_may(v, rec, action);
    }
}

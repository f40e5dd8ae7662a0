/* Who may see and do what: the roles of the methodology (S, C, M), channel
 * partners, implementation and admin, as pure rules. The store turns a
 * viewer into the rows it may read; the API asks these functions before
 * every write and before showing a field. */
#ifndef BF_CORE_ACCESS_H
#define BF_CORE_ACCESS_H

#include <stdbool.h>

#include "core/resource.h"

typedef enum access_role {
    ROLE_SALES = 0,      /* S: deals they are on (and their team's, when it shares) */
    ROLE_CONSULTANT,     /* C: as sales */
    ROLE_MANAGER,        /* M: deals of their team tree; approvals and overrides */
    ROLE_PARTNER,        /* channel partner: deals its company is registered on */
    ROLE_IMPLEMENTATION, /* delivery: won deals handed over to them */
    ROLE_ADMIN,          /* everything, and the system's settings */
    ROLE_COUNT
} access_role;

/* The authenticated user a request acts for. Strings belong to the request. */
typedef struct viewer {
    access_role role;
    const char *user_id;
    const char *name;       /* login name: what owner fields hold */
    const char *team_id;    /* NULL when in no team */
    bool team_shares;       /* the team shares its deals among S and C */
    const char *partner_id; /* the partner company of a partner user */
    bool sees_cost;         /* costs and margins are shown (FIELD_COST): managers and admins;
                               sales and consultants when the quotation settings say so */
    bool cost_unsettled;    /* sees_cost still to be read from the settings (api_costs_settle) */
} viewer;

/* The role called name ("sales" …); false when there is none. */
bool access_role_parse(const char *name, access_role *out);

/* The name of a role ("sales" …). */
const char *access_role_name(access_role role);

/* Actions that depend on the role only. */
typedef enum access_action {
    ACCESS_DECIDE_APPROVALS,    /* decide approvals (a gate override, an early close, a sales mode
                                   below the recommendation) at the levels of one's teams: M, admin */
    ACCESS_EDIT_APPROVAL_RULES, /* the amounts from which approvals need more levels: admin */
    ACCESS_EDIT_PLAYBOOKS,      /* import playbooks and versions: admin */
    ACCESS_EDIT_SETTINGS,       /* evaluation indicators, profile rules: M, admin */
    ACCESS_MANAGE_USERS,        /* users, teams, partner companies: admin */
    ACCESS_MANAGE_WEBHOOKS,     /* the group robots' webhooks, the notifications' settings: admin */
    ACCESS_READ_AUDIT,          /* read the audit log of the records one sees: internal staff */
    ACCESS_READ_AUDIT_ALL,      /* the whole audit log, logins included: admin */
    ACCESS_SEE_INTERNAL,    /* internal notes, margins, competitor prices, internal deliverables */
    ACCESS_MOVE_DEALS,      /* advance a deal, answer its decision points: S, C, M */
    ACCESS_FILL_FORMS,      /* fill a deal's qualification forms: all but implementation */
    ACCESS_TICK_CHECKLISTS, /* tick a deal's checklist, closing included: all but implementation */
} access_action;

/* True when a user of role may do action. */
bool access_may(access_role role, access_action action);

/* What a write does to a record of a resource. */
typedef enum access_write { ACCESS_CREATE, ACCESS_UPDATE, ACCESS_DELETE } access_write;

/* True when role may write records of spec this way (for update and delete,
 * the record must also be one the user sees: the store decides that). */
bool access_may_write(access_role role, const resource_spec *spec, access_write how);

/* True when the viewer may change who is on a deal and register partners on
 * it: the deal's sales owner (deal_owner_id: the owner's user id), a manager,
 * an admin. */
bool access_may_staff_deal(const viewer *v, const char *deal_owner_id);

/* True when a user of role may change the owner of a record (转移负责人): a
 * manager (of a record whose owner and new owner are in the manager's team
 * tree: the API checks the tree) or an admin. */
bool access_may_transfer(access_role role);

/* What may be done to one record, as the answers list it (allowed_actions):
 * each is granted by the very rules the writes enforce. */
typedef enum access_record_action {
    ACTION_EDIT,         /* PATCH the record */
    ACTION_DELETE,       /* DELETE it */
    ACTION_ADVANCE,      /* deals: POST …/advance (the gate still decides) */
    ACTION_WIN,          /* deals: the advance that wins, at the winning stage */
    ACTION_LOSE,         /* deals: close as lost (early: through an approval) */
    ACTION_ABANDON,      /* deals: close as abandoned (early: through an approval) */
    ACTION_REOPEN,       /* deals: open a closed deal again */
    ACTION_TRANSFER,     /* deals, accounts: POST …/transfer */
    ACTION_STAFF,        /* deals: change the deal team and its registered partners */
    ACTION_ADD_ACTIVITY, /* deals, accounts: log an activity on it */
    ACTION_ADD_CONTACT,  /* deals, accounts: add a contact to its account */
    ACTION_ADD_DEAL,     /* accounts: create a deal on it */
    ACTION_COUNT
} access_record_action;

/* What the rules need to know of a record the viewer sees. */
typedef struct access_record {
    const resource_spec *spec;
    const char *owner_id;  /* the owner's user id, or NULL */
    bool owner_in_tree;    /* the owner is in the viewer's team tree (managers' transfers) */
    bool open;             /* deals: status open */
    bool at_winning_stage; /* deals: in the stage whose gate wins the deal, or after it */
} access_record;

/* The name of action in answers ("edit", "add_activity" …). */
const char *access_record_action_name(access_record_action action);

/* True when the viewer may do action to rec, a record it sees. */
bool access_record_may(const viewer *v, const access_record *rec, access_record_action action);

/* True when a user of role may own accounts and deals: the company's own
 * sales staff and admins, not partners or implementation. */
bool access_may_own_deals(access_role role);

/* True when the field is hidden from the viewer: internal fields from
 * partners, costs from whoever does not see them (v->sees_cost). */
bool access_field_hidden(const viewer *v, const field_spec *f);

/* Whether a user of role sees costs whatever the settings say (managers,
 * admins: true) or never does (partners, implementation: false); *settled is
 * false for sales and consultants, whom the quotation settings decide. */
bool access_sees_cost(access_role role, bool *settled);

#endif

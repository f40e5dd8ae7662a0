/* Resources as data: every API resource (accounts, contacts, opportunities,
 * activities, teams, partners, users) is described once by a table of field specs. Parsing,
 * validation, JSON output, storage columns, list filters and the OpenAPI
 * document are all driven by these tables, so they cannot drift apart. */
#ifndef BF_CORE_RESOURCE_H
#define BF_CORE_RESOURCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum field_type {
    FIELD_TEXT,      /* UTF-8 string, max = characters */
    FIELD_INT,       /* integer in [min, max] */
    FIELD_MONEY,     /* integer fen in [0, max] */
    FIELD_DATE,      /* YYYY-MM-DD */
    FIELD_DATETIME,  /* ISO 8601, stored and returned as UTC ...Z */
    FIELD_ENUM,      /* one of values[] */
    FIELD_REF,       /* id of a record of resource `ref` */
    FIELD_TEXT_LIST, /* array of strings, max = items, min = characters per item */
    FIELD_REF_LIST,  /* array of ids of resource `ref`, max = items */
    FIELD_BOOL,      /* true or false, stored as 0/1 */
    FIELD_DECIMAL,   /* a number with at most two decimals in [min, max] hundredths, held and
                        stored as hundredths (a rate in percent: 13.5 is 1350) */
} field_type;

/* True for the kinds held as integers (FIELD_INT, FIELD_MONEY, FIELD_BOOL, FIELD_DECIMAL). */
#define FIELD_IS_INTEGER(t)                                                                        \
    ((t) == FIELD_INT || (t) == FIELD_MONEY || (t) == FIELD_BOOL || (t) == FIELD_DECIMAL)

/* True for the numbers a list filters by range (?name_min=, ?name_max=). */
#define FIELD_IS_NUMBER(t) (FIELD_IS_INTEGER(t) && (t) != FIELD_BOOL)

enum field_flags {
    FIELD_REQUIRED = 1 << 0,    /* must be given on create, never null */
    FIELD_READONLY = 1 << 1,    /* set by the server; rejected in input */
    FIELD_CREATE_ONLY = 1 << 2, /* accepted on create, rejected by PATCH */
    FIELD_FILTER = 1 << 3,      /* list filter ?name=value (dates: _from/_to; numbers: _min/_max) */
    FIELD_SORT = 1 << 4,        /* list sort key */
    FIELD_SEARCH = 1 << 5,      /* matched by the list's ?q= text search */
    FIELD_INTERNAL = 1 << 6,    /* internal to the company: channel partners never see it */
    FIELD_COST = 1 << 7,        /* a cost: managers and admins see it, sales and consultants
                                   where the quotation settings let them (viewer.sees_cost),
                                   partners and implementation never */
    FIELD_TAGS = 1 << 8,        /* FIELD_TEXT_LIST of labels (标签): each trimmed, 1 to
                                   TAG_MAX_CHARS characters, without commas or control
                                   characters, duplicates dropped; the store keeps them in
                                   record_tags too (migration 32), for the list's ?tag= */
};

/* The longest tag, in characters; a record holds at most TAGS_MAX of them. */
#define TAG_MAX_CHARS 20
#define TAGS_MAX 20

typedef struct field_spec {
    const char *name; /* JSON key and column name */
    field_type type;
    unsigned flags;
    int64_t min, max;          /* see field_type */
    const char *const *values; /* FIELD_ENUM: NULL-terminated */
    const char *ref;           /* FIELD_REF, FIELD_REF_LIST: resource name */
    const char *def;           /* default on create, as text; NULL for none */
    const char *doc;           /* one-line description */
} field_spec;

typedef struct resource_spec {
    const char *name;     /* plural: URL segment and table name */
    const char *singular; /* for messages and documentation */
    const char *id_prefix;
    const field_spec *fields;
    size_t nfields;
    const char *doc;
} resource_spec;

/* The resources, and a NULL-terminated list of them. */
extern const resource_spec resource_accounts;
extern const resource_spec resource_contacts;
extern const resource_spec resource_opportunities;
extern const resource_spec resource_activities;
extern const resource_spec resource_teams;
extern const resource_spec resource_partners;
extern const resource_spec resource_users;
extern const resource_spec resource_products;
extern const resource_spec resource_views;
extern const resource_spec *const resource_all[];

/* Index of the field called name in spec, or -1. */
int resource_field_index(const resource_spec *spec, const char *name);

/* The field of spec that holds its tags (FIELD_TAGS), or -1 when it has none. */
int resource_tags_field(const resource_spec *spec);

/* The resource called name ("accounts"), or NULL. */
const resource_spec *resource_by_name(const char *name);

/* Enumerations shared with other modules. */
extern const char *const opportunity_statuses[];
extern const char *const opportunity_sales_modes[];
extern const char *const opportunity_forecast_categories[];
extern const char *const user_roles[];
extern const char *const activity_types[];

#endif

/* Unit tests of src/core/access.c: roles, permissions, the fields partners
 * never see. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "core/access.h"

static void roles_parse_and_name(void **state)
{
    (void)state;
    static const char *const names[] = {"sales",   "consultant",     "manager",
                                        "partner", "implementation", "admin"};
    for (int i = 0; i < ROLE_COUNT; i++) {
        access_role r;
        assert_true(access_role_parse(names[i], &r));
        assert_int_equal(r, i);
        assert_string_equal(access_role_name(r), names[i]);
    }
    access_role r = ROLE_ADMIN;
    assert_false(access_role_parse("Manager", &r));
    assert_false(access_role_parse("", &r));
    assert_false(access_role_parse(NULL, &r));
    assert_int_equal(r, ROLE_ADMIN);
}

static void only_managers_decide_approvals(void **state)
{
    (void)state;
    for (int i = 0; i < ROLE_COUNT; i++) {
        bool m = i == ROLE_MANAGER || i == ROLE_ADMIN;
        assert_int_equal(access_may((access_role)i, ACCESS_DECIDE_APPROVALS), m);
        assert_int_equal(access_may((access_role)i, ACCESS_EDIT_SETTINGS), m);
        assert_int_equal(access_may((access_role)i, ACCESS_EDIT_PLAYBOOKS), i == ROLE_ADMIN);
        assert_int_equal(access_may((access_role)i, ACCESS_EDIT_APPROVAL_RULES), i == ROLE_ADMIN);
        assert_int_equal(access_may((access_role)i, ACCESS_MANAGE_USERS), i == ROLE_ADMIN);
        assert_int_equal(access_may((access_role)i, ACCESS_MANAGE_WEBHOOKS), i == ROLE_ADMIN);
        assert_int_equal(access_may((access_role)i, ACCESS_SEE_INTERNAL), i != ROLE_PARTNER);
        assert_int_equal(access_may((access_role)i, ACCESS_MOVE_DEALS),
                         i != ROLE_PARTNER && i != ROLE_IMPLEMENTATION);
    }
}

static void who_writes_what(void **state)
{
    (void)state;
    /* The directory is admin's. */
    for (int i = 0; i < ROLE_COUNT; i++)
        assert_int_equal(access_may_write((access_role)i, &resource_users, ACCESS_CREATE),
                         i == ROLE_ADMIN);
    /* A partner works contacts and activities, never deals or accounts. */
    assert_false(access_may_write(ROLE_PARTNER, &resource_opportunities, ACCESS_UPDATE));
    assert_false(access_may_write(ROLE_PARTNER, &resource_accounts, ACCESS_CREATE));
    assert_true(access_may_write(ROLE_PARTNER, &resource_contacts, ACCESS_CREATE));
    assert_false(access_may_write(ROLE_PARTNER, &resource_contacts, ACCESS_DELETE));
    assert_true(access_may_write(ROLE_PARTNER, &resource_activities, ACCESS_DELETE));
    /* Implementation logs activities only. */
    assert_true(access_may_write(ROLE_IMPLEMENTATION, &resource_activities, ACCESS_CREATE));
    assert_false(access_may_write(ROLE_IMPLEMENTATION, &resource_opportunities, ACCESS_UPDATE));
    assert_true(access_may_write(ROLE_SALES, &resource_opportunities, ACCESS_DELETE));
}

static void the_owner_or_a_manager_staffs_a_deal(void **state)
{
    (void)state;
    /* The owner is a user id: a name that happens to match is no owner. */
    viewer s = {.role = ROLE_SALES, .user_id = "usr_zhangwei", .name = "张伟"};
    assert_true(access_may_staff_deal(&s, "usr_zhangwei"));
    assert_false(access_may_staff_deal(&s, "张伟"));
    assert_false(access_may_staff_deal(&s, "usr_lina"));
    assert_false(access_may_staff_deal(&s, NULL));
    viewer c = {.role = ROLE_CONSULTANT, .user_id = "usr_zhoumin", .name = "周敏"};
    assert_false(access_may_staff_deal(&c, "usr_zhoumin"));
    viewer m = {.role = ROLE_MANAGER, .user_id = "usr_sunli", .name = "孙丽"};
    assert_true(access_may_staff_deal(&m, "usr_zhangwei"));
    viewer p = {.role = ROLE_PARTNER, .user_id = "usr_qianwei", .name = "钱伟"};
    assert_false(access_may_staff_deal(&p, "usr_qianwei"));
}

static void only_staff_own_deals(void **state)
{
    (void)state;
    assert_true(access_may_own_deals(ROLE_SALES));
    assert_true(access_may_own_deals(ROLE_CONSULTANT));
    assert_true(access_may_own_deals(ROLE_MANAGER));
    assert_true(access_may_own_deals(ROLE_ADMIN));
    assert_false(access_may_own_deals(ROLE_PARTNER));
    assert_false(access_may_own_deals(ROLE_IMPLEMENTATION));
}

static void internal_fields_are_hidden_from_partners_only(void **state)
{
    (void)state;
    const resource_spec *spec = &resource_opportunities;
    int margin = resource_field_index(spec, "margin");
    int notes = resource_field_index(spec, "internal_notes");
    int amount = resource_field_index(spec, "amount");
    assert_true(margin >= 0 && notes >= 0 && amount >= 0);
    assert_true(access_field_hidden(&(viewer){.role = ROLE_PARTNER}, &spec->fields[margin]));
    assert_true(access_field_hidden(&(viewer){.role = ROLE_PARTNER}, &spec->fields[notes]));
    assert_false(access_field_hidden(&(viewer){.role = ROLE_PARTNER}, &spec->fields[amount]));
    assert_false(access_field_hidden(&(viewer){.role = ROLE_SALES}, &spec->fields[margin]));
    int cnotes = resource_field_index(&resource_contacts, "notes");
    assert_true(
        access_field_hidden(&(viewer){.role = ROLE_PARTNER}, &resource_contacts.fields[cnotes]));
    assert_false(access_field_hidden(&(viewer){.role = ROLE_IMPLEMENTATION},
                                     &resource_contacts.fields[cnotes]));
}

/* The actions a record offers follow the write rules: a partner logs
 * activities and adds contacts on a deal, never moves or closes it. */
static void a_records_actions_follow_the_write_rules(void **state)
{
    (void)state;
    access_record deal = {
        .spec = &resource_opportunities, .owner_id = "usr_zhangwei", .open = true};
    viewer p = {.role = ROLE_PARTNER, .user_id = "usr_qianwei"};
    for (int a = 0; a < ACTION_COUNT; a++)
        assert_int_equal(access_record_may(&p, &deal, (access_record_action)a),
                         a == ACTION_ADD_ACTIVITY || a == ACTION_ADD_CONTACT);
    viewer owner = {.role = ROLE_SALES, .user_id = "usr_zhangwei"};
    viewer other = {.role = ROLE_SALES, .user_id = "usr_lina"};
    assert_true(access_record_may(&owner, &deal, ACTION_STAFF));
    assert_false(access_record_may(&other, &deal, ACTION_STAFF));
    assert_true(access_record_may(&other, &deal, ACTION_EDIT));
    assert_false(access_record_may(&owner, &deal, ACTION_TRANSFER));
    assert_true(access_record_may(&owner, &deal, ACTION_ADVANCE));
    assert_false(access_record_may(&owner, &deal, ACTION_WIN));
    assert_false(access_record_may(&owner, &deal, ACTION_REOPEN));
    deal.at_winning_stage = true;
    assert_true(access_record_may(&owner, &deal, ACTION_WIN));
    deal.open = false;
    assert_false(access_record_may(&owner, &deal, ACTION_ADVANCE));
    assert_false(access_record_may(&owner, &deal, ACTION_LOSE));
    assert_true(access_record_may(&owner, &deal, ACTION_REOPEN));
    assert_false(access_record_may(&p, &deal, ACTION_REOPEN));
    /* a manager transfers what an owner of the team tree owns; an admin anything */
    viewer m = {.role = ROLE_MANAGER, .user_id = "usr_sunli"};
    assert_false(access_record_may(&m, &deal, ACTION_TRANSFER));
    deal.owner_in_tree = true;
    assert_true(access_record_may(&m, &deal, ACTION_TRANSFER));
    assert_true(access_record_may(&(viewer){.role = ROLE_ADMIN},
                                  &(access_record){.spec = &resource_accounts}, ACTION_TRANSFER));
    /* contacts and activities: edit and delete only */
    access_record contact = {.spec = &resource_contacts};
    assert_true(access_record_may(&p, &contact, ACTION_EDIT));
    assert_false(access_record_may(&p, &contact, ACTION_DELETE));
    assert_false(access_record_may(&(viewer){.role = ROLE_ADMIN}, &contact, ACTION_TRANSFER));
    access_record act = {.spec = &resource_activities};
    viewer impl = {.role = ROLE_IMPLEMENTATION};
    assert_true(access_record_may(&impl, &act, ACTION_DELETE));
    assert_false(access_record_may(&impl, &deal, ACTION_EDIT));
    assert_string_equal(access_record_action_name(ACTION_ADD_ACTIVITY), "add_activity");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(roles_parse_and_name),
        cmocka_unit_test(only_managers_decide_approvals),
        cmocka_unit_test(who_writes_what),
        cmocka_unit_test(the_owner_or_a_manager_staffs_a_deal),
        cmocka_unit_test(only_staff_own_deals),
        cmocka_unit_test(internal_fields_are_hidden_from_partners_only),
        cmocka_unit_test(a_records_actions_follow_the_write_rules),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* Unit tests of src/core/playbook.c, src/core/playbook_parse.c,
 * src/core/stage.c and src/core/opportunity.c: the methodology as data and its gate. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "core/opportunity.h"
#include "core/playbook.h"
#include "core/stage.h"

/* The test playbook: every kind of part once (tests/fixtures/unit). */
static char small[8192];

static int load_small(void **state)
{
    (void)state;
    FILE *f = fopen(FIXTURES "/unit/mini-playbook.json", "rb");
    if (f == NULL)
        return -1;
    size_t n = fread(small, 1, sizeof(small) - 1, f);
    fclose(f);
    small[n] = '\0';
    return n > 0 && n < sizeof(small) - 1 ? 0 : -1;
}

static playbook *parse_ok(const char *text)
{
    playbook *pb = NULL;
    bf_error err = {0};
    bf_result r = playbook_parse(text, strlen(text), &pb, NULL, &err);
    if (r != BF_OK)
        fprintf(stderr, "unexpected: %s\n", err.message);
    assert_int_equal(r, BF_OK);
    return pb;
}

/* Parses text with one substitution and expects the error to name path. */
static void expect_invalid(const char *from, const char *to, const char *path)
{
    char text[sizeof(small) + 256];
    const char *at = strstr(small, from);
    assert_non_null(at);
    size_t head = (size_t)(at - small);
    snprintf(text, sizeof(text), "%.*s%s%s", (int)head, small, to, at + strlen(from));
    playbook *pb = NULL;
    bf_error err = {0};
    assert_int_equal(playbook_parse(text, strlen(text), &pb, NULL, &err), BF_ERR_INVALID);
    assert_null(pb);
    assert_string_equal(err.field, path);
}

static void parses_stages_and_items(void **state)
{
    (void)state;
    playbook *pb = parse_ok(small);
    assert_string_equal(pb->id, "mini");
    assert_int_equal(pb->nstages, 3);
    assert_false(pb->stages[0].in_funnel);
    assert_true(pb->stages[1].in_funnel);
    /* criteria, then deliverables, then activities */
    assert_int_equal(pb->stages[0].nitems, 4);
    assert_int_equal(pb->stages[0].items[2].type, ITEM_DELIVERABLE);
    assert_string_equal(pb->stages[0].items[2].template_id, "visit-letter");
    assert_int_equal(pb->stages[0].items[3].type, ITEM_ACTIVITY);
    assert_false(checklist_def_gates(&pb->stages[0].items[3]));
    assert_int_equal(pb->stages[0].items[3].nsteps, 1);
    assert_int_equal(pb->stages[1].nitems, 0); /* no exit_criteria: no gate */
    assert_string_equal(pb->stages[0].items[0].owner, "S&C");
    assert_null(pb->stages[0].items[1].owner);
    assert_string_equal(pb->stages[0].milestone.en, "Met the customer");
    assert_int_equal(pb->stages[0].typical_days, 7);
    assert_int_equal(pb->ndecisions, 1);
    assert_int_equal(pb->decisions[0].stage, 1);
    assert_int_equal(pb->decisions[0].no_stage, 0);
    assert_false(pb->decisions[0].abandons); /* a turnaround unless it says "abandon" */
    assert_int_equal(pb->nclosing, 1);
    const mode_def *quick = playbook_mode(pb, "quick");
    assert_non_null(quick);
    assert_int_equal(quick->nvisits, 3);
    assert_int_equal(quick->benchmark_days, 7);
    assert_string_equal(i18n_pick(&quick->name, "en"), "Quick");
    assert_string_equal(i18n_pick(&quick->name, "zh"), "快刀");
    assert_string_equal(playbook_stage_by_probability(pb, 55)->id, "b");
    assert_string_equal(playbook_stage_by_probability(pb, 0)->id, "a");
    playbook_free(pb);
}

static void rejects_bad_documents_with_a_path(void **state)
{
    (void)state;
    expect_invalid("\"probability\":60", "\"probability\":5", "stages[1].probability");
    expect_invalid("\"probability\":100", "\"probability\":101", "stages[2].probability");
    expect_invalid("\"id\":\"b\"", "\"id\":\"a\"", "stages[1].id");
    expect_invalid("\"id\":\"y\"", "\"id\":\"x\"", "stages[0].exit_criteria[1].id");
    expect_invalid("\"kind\":\"deliverable\"", "\"kind\":\"wish\"",
                   "stages[0].exit_criteria[1].kind");
    expect_invalid("\"owner\":\"S&C\"", "\"owner\":\"S&&C\"", "stages[0].exit_criteria[0].owner");
    expect_invalid("\"in_funnel\":false", "\"in_funnel\":false,\"colour\":1", "stages[0].colour");
    expect_invalid("bingfa.playbook/1", "bingfa.playbook/9", "schema");
    expect_invalid("\"id\":\"mini\"", "\"id\":\"Mini\"", "id");
    expect_invalid("{\"zh\":\"甲\",\"en\":\"A\"}", "{\"en\":\"A\"}", "stages[0].name.zh");
    expect_invalid("{\"zh\":\"小方法\",\"en\":\"Mini method\"}", "{\"zh\":\"小方法\"}", "name.en");
    expect_invalid("\"version\":1,", "", "version");
    expect_invalid("[\"MAN\"]", "[\"MAN\",\"MAN\"]", "qualification[1]");
    expect_invalid("\"templates\":[\"visit-letter\"]", "\"templates\":[\"nope\"]",
                   "stages[0].activities[0].templates[0]");
    expect_invalid("\"template\":\"visit-letter\"", "\"template\":\"nope\"",
                   "stages[0].deliverables[0].template");
    expect_invalid("\"owner\":\"S&PM\"", "\"owner\":\"S&XX\"", "stages[0].activities[0].owner");
    /* A turnaround names the stage a no goes back to; an abandon needs none. */
    expect_invalid("\"no_stage\":\"a\"", "\"no_outcome\":\"turnaround\"",
                   "decision_points[0].no_stage");
    expect_invalid("\"no_stage\":\"a\"", "\"no_outcome\":\"maybe\"",
                   "decision_points[0].no_outcome");
    expect_invalid("\"audience\":\"customer\"", "\"audience\":\"everyone\"",
                   "stages[0].deliverables[0].audience");
    expect_invalid("\"no_stage\":\"a\"", "\"no_stage\":\"c\"", "decision_points[0].no_stage");
    expect_invalid("\"stage\":\"b\"", "\"stage\":\"zz\"", "decision_points[0].stage");
    expect_invalid("\"n\":2", "\"n\":5", "modes[0].visits[1].n");
    expect_invalid("\"day\":7", "\"day\":9", "modes[0].visits[2].day");
    expect_invalid("\"id\":\"quick\"", "\"id\":\"slow\"", "modes[0].id");
    expect_invalid("\"id\":\"letter\"", "\"id\":\"x\"", "stages[0].deliverables[0].id");
    expect_invalid("\"id\":\"c\"", "\"id\":\"won\"", "stages[2].id");
    expect_invalid("\"id\":\"vision\",\"stage\":\"b\"", "\"id\":\"x\",\"stage\":\"a\"",
                   "decision_points[0].id");
}

/* approvers names one known role per approval kind. */
static void approvers_name_one_known_role(void **state)
{
    (void)state;
#define SCHEMA_KEY "\"schema\":\"bingfa.playbook/1\""
    expect_invalid(SCHEMA_KEY, "\"approvers\":{\"proposal_release\":\"XX\"}," SCHEMA_KEY,
                   "approvers.proposal_release");
    expect_invalid(SCHEMA_KEY, "\"approvers\":{\"close\":\"S&PM\"}," SCHEMA_KEY, "approvers.close");
    expect_invalid(SCHEMA_KEY, "\"approvers\":{\"discount\":\"PM\"}," SCHEMA_KEY,
                   "approvers.discount");
    char text[sizeof(small) + 64];
    const char *at = strstr(small, SCHEMA_KEY);
    assert_non_null(at);
    snprintf(text, sizeof(text), "%.*s\"approvers\":{\"proposal_release\":\"PM\"},%s",
             (int)(at - small), small, at);
#undef SCHEMA_KEY
    playbook *pb = parse_ok(text);
    assert_string_equal(playbook_approver_role(pb, "proposal_release"), "PM");
    assert_null(playbook_approver_role(pb, "close"));
    assert_string_equal(i18n_pick(&playbook_role(pb, "PM")->name, "zh"), "项目经理");
    assert_null(playbook_role(pb, "S"));
    playbook_free(pb);
}

/* A go/no-go whose no abandons the deal names no stage to go back to. */
static void a_go_no_go_may_abandon(void **state)
{
    (void)state;
    char doc[sizeof(small)];
    const char *at = strstr(small, "\"no_stage\":\"a\"");
    assert_non_null(at);
    snprintf(doc, sizeof(doc), "%.*s\"no_outcome\":\"abandon\"%s", (int)(at - small), small,
             at + strlen("\"no_stage\":\"a\""));
    playbook *pb = parse_ok(doc);
    assert_true(pb->decisions[0].abandons);
    assert_int_equal(pb->decisions[0].no_stage, SIZE_MAX);
    playbook_free(pb);
}

static void every_problem_is_listed(void **state)
{
    (void)state;
    /* Three independent mistakes: all three are reported, in document order. */
    char text[sizeof(small)];
    snprintf(text, sizeof(text), "%s", small);
    const char *edits[][2] = {{"\"probability\":60", "\"probability\":5"},
                              {"\"owner\":\"S&PM\"", "\"owner\":\"Q&PM\""},
                              {"\"no_stage\":\"a\"", "\"no_stage\":\"c\""}};
    for (size_t i = 0; i < 3; i++) {
        char *at = strstr(text, edits[i][0]);
        assert_non_null(at);
        size_t from = strlen(edits[i][0]), to = strlen(edits[i][1]);
        memmove(at + to, at + from, strlen(at + from) + 1);
        memcpy(at, edits[i][1], to);
    }
    playbook *pb = NULL;
    playbook_problems pr;
    bf_error err = {0};
    assert_int_equal(playbook_parse(text, strlen(text), &pb, &pr, &err), BF_ERR_INVALID);
    assert_null(pb);
    assert_int_equal(pr.total, 3);
    assert_string_equal(pr.items[0].path, "stages[0].activities[0].owner");
    assert_string_equal(pr.items[1].path, "stages[1].probability");
    assert_string_equal(pr.items[2].path, "decision_points[0].no_stage");
    assert_string_equal(err.field, "stages[0].activities[0].owner");
}

static void builtin_ruijie_has_six_stages_and_mant_gate(void **state)
{
    (void)state;
    bf_error err = {0};
    playbook_set *set = playbook_set_new();
    assert_int_equal(playbook_set_add_builtin(set, &err), BF_OK);
    const playbook *pb = playbook_set_find(set, "ruijie-6");
    assert_non_null(pb);
    static const int probabilities[] = {10, 30, 50, 70, 90, 100};
    assert_int_equal(pb->nstages, 6);
    for (size_t i = 0; i < 6; i++)
        assert_int_equal(pb->stages[i].probability, probabilities[i]);
    /* MANT complete is the condition to leave stage 1 for the funnel. */
    static const char *const mant[] = {"mant-money", "mant-authority", "mant-need", "mant-time"};
    for (size_t k = 0; k < 4; k++) {
        bool found = false;
        for (size_t i = 0; i < pb->stages[0].nitems; i++)
            if (strcmp(pb->stages[0].items[i].id, mant[k]) == 0) {
                found = true;
                assert_string_equal(pb->stages[0].items[i].framework, "MANT");
            }
        assert_true(found);
    }
    assert_false(pb->stages[0].in_funnel);
    assert_true(pb->stages[1].in_funnel);
    playbook_set_free(set);
}

static void gate_lists_unmet_items_until_all_done(void **state)
{
    (void)state;
    playbook *pb = parse_ok(small);
    const checklist_def *unmet[4];
    const decision_def *unmet_decisions[1];
    stage_gate gate = {.unmet = unmet, .unmet_decisions = unmet_decisions};
    bf_error err = {0};

    /* x, y and the deliverable gate; the key activity does not. */
    assert_int_equal(stage_advance_check(pb, "a", NULL, 0, &gate, &err), BF_ERR_GATE_UNMET);
    assert_int_equal(gate.nunmet, 3);
    assert_string_equal(gate.unmet[0]->id, "x");
    assert_string_equal(gate.unmet[2]->id, "letter");

    checklist_state st[] = {{.item_id = "y", .done = true},
                            {.item_id = "x", .done = false},
                            {.item_id = "letter", .done = true}};
    assert_int_equal(stage_advance_check(pb, "a", st, 3, &gate, &err), BF_ERR_GATE_UNMET);
    assert_int_equal(gate.nunmet, 1);
    assert_string_equal(gate.unmet[0]->id, "x");

    st[1].done = true;
    assert_int_equal(stage_advance_check(pb, "a", st, 3, &gate, &err), BF_OK);
    assert_string_equal(gate.to->id, "b");
    assert_false(gate.wins);

    /* Stage b has no items but a decision point: it must be answered yes. */
    assert_int_equal(stage_advance_check(pb, "b", NULL, 0, &gate, &err), BF_ERR_GATE_UNMET);
    assert_int_equal(gate.nunmet, 0);
    assert_int_equal(gate.nunmet_decisions, 1);
    assert_string_equal(gate.unmet_decisions[0]->id, "vision");
    checklist_state no[] = {{.item_id = "vision", .done = false}};
    assert_int_equal(stage_advance_check(pb, "b", no, 1, &gate, &err), BF_ERR_GATE_UNMET);
    no[0].done = true;
    assert_int_equal(stage_advance_check(pb, "b", no, 1, &gate, &err), BF_OK);

    /* c is certain (100%): passing b's gate wins the deal and enters c. */
    assert_int_equal(playbook_winning_stage(pb), 1);
    assert_true(gate.wins);
    assert_string_equal(gate.to->id, "c");
    /* An open deal left in c (stored before) is won by c's gate. */
    assert_int_equal(stage_advance_check(pb, "c", NULL, 0, &gate, &err), BF_OK);
    assert_true(gate.wins);
    assert_null(gate.to);
    assert_int_equal(stage_advance_check(pb, "zz", NULL, 0, &gate, &err), BF_ERR_NOT_FOUND);
    playbook_free(pb);
}

static void opportunity_rules(void **state)
{
    (void)state;
    bf_error err = {0};
    playbook_set *set = playbook_set_new();
    assert_int_equal(playbook_set_add_builtin(set, &err), BF_OK);
    arena *a = arena_new(0);
    json_t *j =
        json_loads("{\"account_id\":\"acc_x1\",\"name\":\"a\",\"stage\":\"procure\"}", 0, NULL);
    record *opp;
    bool moved = false;
    assert_int_equal(record_from_json(a, &resource_opportunities, j, RECORD_CREATE, &opp, &err),
                     BF_OK);
    assert_int_equal(opportunity_prepare(opp, NULL, set, &moved, &err), BF_OK);
    assert_true(moved);
    assert_int_equal(record_field(opp, "probability")->i, 70);

    record_set_text(opp, "stage", "nowhere");
    record_set_text(opp, "stage", "procure");
    record_set_text(opp, "status", "lost");
    assert_int_equal(opportunity_prepare(opp, NULL, set, &moved, &err), BF_ERR_INVALID);
    assert_string_equal(err.field, "close_reason");
    record_set_text(opp, "close_reason", "价格");
    assert_int_equal(opportunity_prepare(opp, NULL, set, &moved, &err), BF_OK);
    assert_int_equal(record_field(opp, "probability")->i, 0); /* lost: certain */
    record_set_text(opp, "status", "won");
    assert_int_equal(opportunity_prepare(opp, NULL, set, &moved, &err), BF_OK);
    assert_int_equal(record_field(opp, "probability")->i, 100);
    record_set_text(opp, "status", "open");
    assert_int_equal(opportunity_prepare(opp, NULL, set, &moved, &err), BF_OK);
    assert_int_equal(record_field(opp, "probability")->i, 70); /* back to its stage */

    record_set_text(opp, "playbook", "no-such");
    assert_int_equal(opportunity_prepare(opp, NULL, set, &moved, &err), BF_ERR_INVALID);
    assert_string_equal(err.field, "playbook");
    record_set_text(opp, "playbook", "ruijie-6");
    record_set_text(opp, "currency", "rmb");
    assert_int_equal(opportunity_prepare(opp, NULL, set, &moved, &err), BF_ERR_INVALID);
    assert_string_equal(err.field, "currency");

    json_decref(j);
    j = json_loads("{\"account_id\":\"acc_x1\",\"name\":\"a\",\"stage\":\"nowhere\"}", 0, NULL);
    assert_int_equal(record_from_json(a, &resource_opportunities, j, RECORD_CREATE, &opp, &err),
                     BF_OK);
    assert_int_equal(opportunity_prepare(opp, NULL, set, &moved, &err), BF_ERR_INVALID);
    assert_string_equal(err.field, "stage");
    json_decref(j);
    arena_free(a);
    playbook_set_free(set);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(parses_stages_and_items, load_small),
        cmocka_unit_test_setup(rejects_bad_documents_with_a_path, load_small),
        cmocka_unit_test_setup(approvers_name_one_known_role, load_small),
        cmocka_unit_test_setup(every_problem_is_listed, load_small),
        cmocka_unit_test_setup(a_go_no_go_may_abandon, load_small),
        cmocka_unit_test(builtin_ruijie_has_six_stages_and_mant_gate),
        cmocka_unit_test_setup(gate_lists_unmet_items_until_all_done, load_small),
        cmocka_unit_test(opportunity_rules),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* Deal health (see health.h). */
#include "core/health.h"

#include <stdbool.h>
#include <stdio.h>

#define DEFAULT_CADENCE_DAYS 14

enum {
    W_GATE = 20,
    W_MANT = 20,
    W_CE = 10,
    W_COACH = 15,
    W_ACTIVITY = 15,
    W_STAGE_AGE = 10,
    W_COMPETITION = 10,
};

_Static_assert(W_GATE + W_MANT + W_CE + W_COACH + W_ACTIVITY + W_STAGE_AGE + W_COMPETITION == 100,
               "health weights must add up to 100");

/* One factor as it is being written. */
typedef struct factor {
    const char *id;
    int weight;
    int penalty;
    char detail_zh[200];
    char detail_en[200];
    const char *action_zh;
    const char *action_en;
} factor;

static int min_int(int a, int b)
{
    return a < b ? a : b;
}

static void eval_gate(const health_inputs *in, factor *f)
{
    int unmet = in->unmet_gate_items > 0 ? in->unmet_gate_items : 0;
    f->penalty = f->weight * min_int(unmet, 4) / 4;
    if (unmet == 0) {
        snprintf(f->detail_zh, sizeof(f->detail_zh), "本阶段出口条件均已满足");
        snprintf(f->detail_en, sizeof(f->detail_en), "every exit item of this stage is met");
        f->action_zh = "准备推进到下一阶段，并确认客户对下一步的承诺";
        f->action_en = "move to the next stage and confirm the customer's commitment to it";
    } else {
        snprintf(f->detail_zh, sizeof(f->detail_zh), "本阶段还有 %d 项出口条件、交付物或决策未完成",
                 unmet);
        snprintf(f->detail_en, sizeof(f->detail_en),
                 "%d exit item%s (criteria, deliverables, decisions) of this stage %s unmet", unmet,
                 unmet == 1 ? "" : "s", unmet == 1 ? "is" : "are");
        f->action_zh = "逐项完成本阶段未满足的出口条件、交付物和决策";
        f->action_en = "complete the unmet exit criteria, deliverables and decisions of this stage";
    }
}

static void eval_mant(const health_inputs *in, factor *f)
{
    if (in->mant_gaps < 0) {
        f->penalty = 0;
        snprintf(f->detail_zh, sizeof(f->detail_zh), "本打法不使用 MANT，不计分");
        snprintf(f->detail_en, sizeof(f->detail_en), "the playbook does not use MANT: not scored");
        f->action_zh = "无需处理";
        f->action_en = "nothing to do";
        return;
    }
    int gaps = min_int(in->mant_gaps, 4);
    f->penalty = f->weight * gaps / 4;
    if (gaps == 0) {
        snprintf(f->detail_zh, sizeof(f->detail_zh), "MANT 四项（资金、决策权、需求、时间表）齐全");
        snprintf(f->detail_en, sizeof(f->detail_en),
                 "all four MANT parts (money, authority, need, timescale) are complete");
        f->action_zh = "随项目进展复核资金、决策人和时间表是否变化";
        f->action_en = "recheck money, authority and timescale as the deal moves";
    } else {
        snprintf(f->detail_zh, sizeof(f->detail_zh), "MANT 有 %d 项未确认", gaps);
        snprintf(f->detail_en, sizeof(f->detail_en), "%d MANT part%s not confirmed", gaps,
                 gaps == 1 ? "" : "s");
        f->action_zh = "补齐 MANT：确认预算资金、找到有决策权的人、明确需求和采购时间表";
        f->action_en = "complete MANT: confirm the budget, reach the person with authority, pin "
                       "down the need and the timescale";
    }
}

static void eval_ce(const health_inputs *in, factor *f)
{
    f->penalty = in->has_compelling_event ? 0 : f->weight;
    if (in->has_compelling_event) {
        snprintf(f->detail_zh, sizeof(f->detail_zh), "已确认强迫事件");
        snprintf(f->detail_en, sizeof(f->detail_en), "a compelling event is confirmed");
        f->action_zh = "持续放大强迫事件的影响，把时间表与它挂钩";
        f->action_en = "keep the compelling event in view and tie the timetable to it";
    } else {
        snprintf(f->detail_zh, sizeof(f->detail_zh), "尚未确认强迫事件，客户没有必须现在买的理由");
        snprintf(f->detail_en, sizeof(f->detail_en),
                 "no compelling event yet: the customer has no reason to buy now");
        f->action_zh =
            "找出并确认强迫事件（如高速成长、新战略、原系统落后、搬迁新址），明确时间与影响";
        f->action_en = "find and confirm a compelling event (fast growth, a new strategy, an "
                       "outdated system, a move) with its date and impact";
    }
}

static void eval_coach(const health_inputs *in, factor *f)
{
    f->penalty = in->has_coach ? 0 : f->weight;
    if (in->has_coach) {
        snprintf(f->detail_zh, sizeof(f->detail_zh), "客户内部已有教练（内线）");
        snprintf(f->detail_en, sizeof(f->detail_en), "a coach inside the account");
        f->action_zh = "定期与教练沟通，核实决策流程和竞争动态";
        f->action_en = "check in with the coach regularly on the decision process and competitors";
    } else {
        snprintf(f->detail_zh, sizeof(f->detail_zh), "客户联系人中没有教练（内线）");
        snprintf(f->detail_en, sizeof(f->detail_en), "no coach among the account's contacts");
        f->action_zh = "在客户内部发展一名教练（内线），并在联系人中标记";
        f->action_en = "develop a coach inside the account and mark the contact as coach";
    }
}

static void eval_activity(const health_inputs *in, factor *f)
{
    int cadence = in->cadence_days > 0 ? in->cadence_days : DEFAULT_CADENCE_DAYS;
    int days = in->days_since_activity;
    if (days < 0) {
        f->penalty = f->weight;
        snprintf(f->detail_zh, sizeof(f->detail_zh), "还没有任何跟进活动");
        snprintf(f->detail_en, sizeof(f->detail_en), "no activity at all yet");
        f->action_zh = "安排第一次拜访或电话，确立跟进节奏";
        f->action_en = "book a first visit or call and set the rhythm of contact";
        return;
    }
    if (days <= cadence) {
        f->penalty = 0;
        snprintf(f->detail_zh, sizeof(f->detail_zh), "最近一次活动在 %d 天前，节奏为每 %d 天一次",
                 days, cadence);
        snprintf(f->detail_en, sizeof(f->detail_en),
                 "last activity %d day%s ago, within the %d-day rhythm", days, days == 1 ? "" : "s",
                 cadence);
        f->action_zh = "保持跟进节奏，下次接触前准备好问题和销售工具";
        f->action_en = "keep the rhythm; prepare questions and sales tools for the next touch";
        return;
    }
    /* Products stay far from overflow: days and cadence are int, w <= 100,
     * but compute in long long anyway. */
    long long p = (long long)f->weight * (days - cadence) / (2LL * cadence);
    /* A day over the rhythm is never free: the panel that says so costs. */
    f->penalty = p > f->weight ? f->weight : p < 1 ? 1 : (int)p;
    snprintf(f->detail_zh, sizeof(f->detail_zh), "已 %d 天没有活动，超出每 %d 天一次的节奏 %d 天",
             days, cadence, days - cadence);
    snprintf(f->detail_en, sizeof(f->detail_en),
             "no activity for %d days, %d over the %d-day rhythm", days, days - cadence, cadence);
    f->action_zh = "尽快安排拜访或电话，恢复跟进节奏";
    f->action_en = "book a visit or call soon to get back to the rhythm";
}

static void eval_stage_age(const health_inputs *in, factor *f)
{
    int days = in->days_in_stage > 0 ? in->days_in_stage : 0;
    int typical = in->typical_days;
    if (days > HEALTH_STALLED_DAYS && (typical <= 0 || typical >= HEALTH_STALLED_DAYS)) {
        /* Stalled, as the stalled report says, whatever the stage's typical time. */
        long long p = (long long)f->weight * (days - HEALTH_STALLED_DAYS) / HEALTH_STALLED_DAYS;
        f->penalty = p > f->weight ? f->weight : p < 1 ? 1 : (int)p;
        snprintf(f->detail_zh, sizeof(f->detail_zh), "本阶段已 %d 天没有推进，超过 %d 天即为停滞",
                 days, HEALTH_STALLED_DAYS);
        snprintf(f->detail_en, sizeof(f->detail_en),
                 "%d days without a stage change: stalled after %d", days, HEALTH_STALLED_DAYS);
        f->action_zh = "复盘停滞原因，向客户确认下一步承诺，必要时重新评估商机";
        f->action_en = "find out why it stalls, get the customer's next commitment, or requalify "
                       "the deal";
        return;
    }
    if (typical <= 0) {
        f->penalty = 0;
        snprintf(f->detail_zh, sizeof(f->detail_zh), "本阶段已 %d 天（无典型周期可比）", days);
        snprintf(f->detail_en, sizeof(f->detail_en),
                 "%d day%s in this stage (no typical duration to compare)", days,
                 days == 1 ? "" : "s");
        f->action_zh = "无需处理";
        f->action_en = "nothing to do";
        return;
    }
    if (days <= typical) {
        f->penalty = 0;
        snprintf(f->detail_zh, sizeof(f->detail_zh), "本阶段已 %d 天，典型周期 %d 天", days,
                 typical);
        snprintf(f->detail_en, sizeof(f->detail_en), "%d day%s in this stage, typical %d", days,
                 days == 1 ? "" : "s", typical);
        f->action_zh = "按计划推进，争取在典型周期内完成本阶段";
        f->action_en = "keep to plan and finish the stage within its typical time";
        return;
    }
    long long p = (long long)f->weight * (days - typical) / typical;
    f->penalty = p > f->weight ? f->weight : p < 1 ? 1 : (int)p;
    snprintf(f->detail_zh, sizeof(f->detail_zh), "本阶段已 %d 天，超出典型周期 %d 天 %d 天", days,
             typical, days - typical);
    snprintf(f->detail_en, sizeof(f->detail_en), "%d days in this stage, %d over the typical %d",
             days, days - typical, typical);
    f->action_zh = "复盘停滞原因，向客户确认下一步承诺，必要时重新评估商机";
    f->action_en = "find out why it stalls, get the customer's next commitment, or requalify "
                   "the deal";
}

static void eval_competition(const health_inputs *in, factor *f)
{
    f->penalty = in->competitor_ahead ? f->weight : 0;
    if (in->competitor_ahead) {
        snprintf(f->detail_zh, sizeof(f->detail_zh), "评分模拟或选型评分中有竞争对手排在我方之前");
        snprintf(f->detail_en, sizeof(f->detail_en),
                 "a competitor ranks above us in the bid simulation or selection scoring");
        f->action_zh = "针对领先对手调整策略：突出技术优势与差异化、逐项核对评分项的响应、用投标模"
                       "拟评估报价空间";
        f->action_en = "counter the leading competitor: stress our technical strengths and "
                       "differences, check our answer to every scored item, and use the bid "
                       "simulation to review the price";
    } else {
        snprintf(f->detail_zh, sizeof(f->detail_zh), "没有竞争对手排在我方之前");
        snprintf(f->detail_en, sizeof(f->detail_en), "no competitor ranks above us");
        f->action_zh = "盯紧竞争对手动向，防止新对手突然介入";
        f->action_en = "watch the competitors and guard against a newcomer";
    }
}

static json_t *factor_json(const factor *f)
{
    return json_pack("{s:s, s:i, s:i, s:b, s:{s:s, s:s}, s:{s:s, s:s}}", "id", f->id, "weight",
                     f->weight, "penalty", f->penalty, "ok", f->penalty == 0, "detail", "zh",
                     f->detail_zh, "en", f->detail_en, "action", "zh", f->action_zh, "en",
                     f->action_en);
}

json_t *health_evaluate(const health_inputs *in)
{
    static const struct {
        const char *id;
        int weight;
        void (*eval)(const health_inputs *, factor *);
    } table[] = {
        {"gate", W_GATE, eval_gate},
        {"mant", W_MANT, eval_mant},
        {"ce", W_CE, eval_ce},
        {"coach", W_COACH, eval_coach},
        {"activity", W_ACTIVITY, eval_activity},
        {"stage_age", W_STAGE_AGE, eval_stage_age},
        {"competition", W_COMPETITION, eval_competition},
    };
    json_t *list = json_array();
    bool ok = list != NULL;
    int score = 100;
    for (size_t i = 0; ok && i < sizeof(table) / sizeof(table[0]); i++) {
        factor f = {.id = table[i].id, .weight = table[i].weight};
        table[i].eval(in, &f);
        score -= f.penalty;
        ok = json_array_append_new(list, factor_json(&f)) == 0;
    }
    const char *level = score >= 75 ? "good" : score >= 50 ? "watch" : "at_risk";
    if (!ok) {
        json_decref(list);
        return NULL;
    }
    /* "o" steals list, even when packing fails. */
    return json_pack("{s:i, s:s, s:o}", "score", score, "level", level, "factors", list);
}

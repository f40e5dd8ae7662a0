-- bingfa schema version 25: the numbers a manager acts on (docs/reports.md).
--
-- A deal gains when it was closed, its forecast category (预测类别: the
-- stage's default or the owner's choice, with the reason) and the owner's
-- choice itself. Three summaries are kept per owner, in the writing
-- transaction, so that a report adds up a few rows per owner the viewer
-- sees instead of reading every deal or every stage change:
--
-- * forecast_cube: open deals by month of expected close and forecast
--   category (omitted: outside the funnel proper, or left out by the
--   owner) and won deals by month of closing (closed);
-- * outcome_cube: closed deals by month of closing, outcome, stage at
--   close, sales mode, amount band, reason and winning competitor, with
--   their days from creation to closing added up (the cycle);
-- * stage_flow: entries into and exits from each stage, by month, with the
--   whole days spent in the stage at each exit (advanced, back, won, lost,
--   abandoned), by bucket of days, and their exact sum;
-- * stage_outcomes: closed deals by each stage they passed through and
--   whether they were won (calibration).
--
-- A new deal and a new stage change are written into them by the store
-- (as migration 11 does for the funnel); changes, transfers, closing,
-- reopening and deletes by the triggers below. Figures follow the deal's
-- current owner. Targets per person and per team and quarter are kept too.

ALTER TABLE opportunities ADD COLUMN closed_at TEXT;
ALTER TABLE opportunities ADD COLUMN forecast_category TEXT NOT NULL DEFAULT 'pipeline';
ALTER TABLE opportunities ADD COLUMN forecast_override TEXT;
ALTER TABLE opportunities ADD COLUMN forecast_reason TEXT;

UPDATE opportunities SET closed_at = COALESCE(
        (SELECT MAX(changed_at) FROM stage_changes s
         WHERE s.opportunity_id = opportunities.id AND s.kind = 'won'), updated_at)
WHERE status <> 'open';
-- The stages' defaults as the built-in playbooks declare them (commit from
-- 75%, best case from 45%).
UPDATE opportunities SET forecast_category =
    CASE WHEN probability >= 75 THEN 'commit' WHEN probability >= 45 THEN 'best_case'
         ELSE 'pipeline' END;

CREATE TABLE forecast_cube (
    owner_id TEXT NOT NULL,
    currency TEXT NOT NULL,
    month    TEXT NOT NULL,          -- YYYY-MM; '' for an open deal without a close date
    playbook TEXT NOT NULL,
    category TEXT NOT NULL,          -- pipeline, best_case, commit, omitted, closed
    deals    INTEGER NOT NULL,
    amount   INTEGER NOT NULL,
    weighted INTEGER NOT NULL,       -- sum of amount x probability
    PRIMARY KEY (owner_id, currency, month, playbook, category)
) WITHOUT ROWID;

CREATE TABLE outcome_cube (
    owner_id   TEXT NOT NULL,
    currency   TEXT NOT NULL,
    month      TEXT NOT NULL,        -- YYYY-MM of closed_at
    playbook   TEXT NOT NULL,
    status     TEXT NOT NULL,        -- won, lost, abandoned
    stage      TEXT NOT NULL,        -- the stage it closed in (lost at)
    sales_mode TEXT NOT NULL,
    band       INTEGER NOT NULL,     -- 0: < 50万, 1: < 200万, 2: < 1000万, 3: more
    reason     TEXT NOT NULL,
    won_by     TEXT NOT NULL,
    deals      INTEGER NOT NULL,
    amount     INTEGER NOT NULL,
    total_days INTEGER NOT NULL,     -- whole days from creation to closing, added up (cycle)
    PRIMARY KEY (owner_id, currency, month, playbook, status, stage, sales_mode, band, reason,
                 won_by)
) WITHOUT ROWID;

CREATE TABLE stage_flow (
    owner_id TEXT NOT NULL,
    playbook TEXT NOT NULL,
    stage    TEXT NOT NULL,
    month    TEXT NOT NULL,          -- YYYY-MM of the entry or exit
    event    TEXT NOT NULL,          -- entered, advanced, back, won, lost, abandoned
    days     INTEGER NOT NULL,       -- whole days in the stage at an exit, as the bucket they
                                     -- fall in (0–6 each, then from 7, 10, 14, 21, 30, 45, 60,
                                     -- 90, 120, 180, 270, 365, 540, 730); 0 at an entry
    n        INTEGER NOT NULL,
    total_days INTEGER NOT NULL,     -- the exits' exact whole days added up (the mean)
    PRIMARY KEY (owner_id, playbook, stage, month, event, days)
) WITHOUT ROWID;

CREATE TABLE stage_outcomes (
    owner_id TEXT NOT NULL,
    playbook TEXT NOT NULL,
    stage    TEXT NOT NULL,
    month    TEXT NOT NULL,          -- YYYY-MM the deal closed
    won      INTEGER NOT NULL,       -- 1 won, 0 lost or abandoned
    n        INTEGER NOT NULL,
    PRIMARY KEY (owner_id, playbook, stage, month, won)
) WITHOUT ROWID;

CREATE TABLE targets (
    subject    TEXT NOT NULL,        -- 'u:<user id>' or 't:<team id>'
    quarter    TEXT NOT NULL,        -- YYYY-Qn
    currency   TEXT NOT NULL,
    amount     INTEGER NOT NULL CHECK (amount >= 0),
    updated_at TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    PRIMARY KEY (subject, quarter, currency)
) WITHOUT ROWID;
CREATE INDEX targets_quarter ON targets(quarter, currency);

-- The rows of each deal, as the store writes them and the triggers move them.
CREATE VIEW deal_forecast_rows AS
    SELECT id AS opportunity_id, COALESCE(owner_id, '') AS owner_id, currency,
           CASE WHEN status = 'won' THEN COALESCE(substr(closed_at, 1, 7), '')
                ELSE COALESCE(substr(expected_close, 1, 7), '') END AS month,
           playbook,
           CASE WHEN status = 'won' THEN 'closed' WHEN in_funnel = 0 THEN 'omitted'
                ELSE forecast_category END AS category,
           amount, amount * probability AS weighted
    FROM opportunities WHERE status IN ('open', 'won');

CREATE VIEW deal_outcome_rows AS
    SELECT id AS opportunity_id, COALESCE(owner_id, '') AS owner_id, currency,
           COALESCE(substr(closed_at, 1, 7), '') AS month, playbook, status, stage,
           COALESCE(sales_mode, '') AS sales_mode,
           CASE WHEN amount < 50000000 THEN 0 WHEN amount < 200000000 THEN 1
                WHEN amount < 1000000000 THEN 2 ELSE 3 END AS band,
           COALESCE(close_reason, '') AS reason, COALESCE(won_by, '') AS won_by, amount,
           COALESCE(MAX(0, CAST(julianday(closed_at) - julianday(created_at) AS INTEGER)), 0)
               AS cycle_days
    FROM opportunities WHERE status <> 'open';

-- Each stay of a deal in a stage: its entry, its exit by a later change,
-- and the exit of a deal closed lost or abandoned in its stage; its exact
-- whole days and the bucket they fall in.
CREATE VIEW deal_flow_rows AS
    SELECT opportunity_id, owner_id, playbook, stage, month, event,
           CASE WHEN exact_days < 7 THEN exact_days WHEN exact_days < 10 THEN 7 WHEN exact_days < 14 THEN 10 WHEN exact_days < 21 THEN 14 WHEN exact_days < 30 THEN 21 WHEN exact_days < 45 THEN 30 WHEN exact_days < 60 THEN 45 WHEN exact_days < 90 THEN 60 WHEN exact_days < 120 THEN 90 WHEN exact_days < 180 THEN 120 WHEN exact_days < 270 THEN 180 WHEN exact_days < 365 THEN 270 WHEN exact_days < 540 THEN 365 WHEN exact_days < 730 THEN 540 ELSE 730 END AS days,
           exact_days
    FROM (SELECT c.opportunity_id, COALESCE(o.owner_id, '') AS owner_id, c.playbook,
           c.to_stage AS stage, substr(c.changed_at, 1, 7) AS month, 'entered' AS event,
           0 AS exact_days
    FROM stage_changes c JOIN opportunities o ON o.id = c.opportunity_id
    WHERE c.from_stage IS NULL OR c.from_stage <> c.to_stage
    UNION ALL
    SELECT c.opportunity_id, COALESCE(o.owner_id, ''), c.playbook, c.from_stage,
           substr(c.changed_at, 1, 7),
           CASE WHEN c.kind = 'won' THEN 'won'
                WHEN c.to_probability >= c.from_probability THEN 'advanced' ELSE 'back' END,
           MAX(0, CAST(julianday(c.changed_at) - julianday(COALESCE(
               (SELECT MAX(p.changed_at) FROM stage_changes p
                WHERE p.opportunity_id = c.opportunity_id AND p.changed_at < c.changed_at),
               o.created_at)) AS INTEGER))
    FROM stage_changes c JOIN opportunities o ON o.id = c.opportunity_id
    WHERE c.from_stage IS NOT NULL AND (c.from_stage <> c.to_stage OR c.kind = 'won')
    UNION ALL
    SELECT o.id, COALESCE(o.owner_id, ''), o.playbook, o.stage, substr(o.closed_at, 1, 7),
           o.status,
           MAX(0, CAST(julianday(o.closed_at) -
                       julianday(COALESCE(o.stage_changed_at, o.created_at)) AS INTEGER))
    FROM opportunities o WHERE o.status IN ('lost', 'abandoned') AND o.closed_at IS NOT NULL) AS stays;

-- The stages a closed deal passed through: those its changes led into and
-- the one it closed in (a stage may come more than once: count deals, or
-- group a deal's rows).
CREATE VIEW deal_stage_outcome_rows AS
    SELECT o.id AS opportunity_id, COALESCE(o.owner_id, '') AS owner_id, o.playbook,
           c.to_stage AS stage, COALESCE(substr(o.closed_at, 1, 7), '') AS month,
           CASE WHEN o.status = 'won' THEN 1 ELSE 0 END AS won
    FROM opportunities o JOIN stage_changes c ON c.opportunity_id = o.id
    WHERE o.status <> 'open'
    UNION ALL
    SELECT o.id, COALESCE(o.owner_id, ''), o.playbook, o.stage,
           COALESCE(substr(o.closed_at, 1, 7), ''), CASE WHEN o.status = 'won' THEN 1 ELSE 0 END
    FROM opportunities o WHERE o.status <> 'open';

INSERT INTO forecast_cube
    SELECT owner_id, currency, month, playbook, category, COUNT(*), SUM(amount), SUM(weighted)
    FROM deal_forecast_rows GROUP BY 1, 2, 3, 4, 5;
INSERT INTO outcome_cube
    SELECT owner_id, currency, month, playbook, status, stage, sales_mode, band, reason, won_by,
           COUNT(*), SUM(amount), SUM(cycle_days)
    FROM deal_outcome_rows GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10;
INSERT INTO stage_flow
    SELECT owner_id, playbook, stage, month, event, days, COUNT(*), SUM(exact_days)
    FROM deal_flow_rows GROUP BY 1, 2, 3, 4, 5, 6;
INSERT INTO stage_outcomes
    SELECT owner_id, playbook, stage, month, won, COUNT(DISTINCT opportunity_id)
    FROM deal_stage_outcome_rows GROUP BY 1, 2, 3, 4, 5;

-- A deal changes: its old forecast and outcome rows leave, the new ones
-- join (upserts both ways, so that the order of the triggers does not matter).
CREATE TRIGGER opportunities_cube_old AFTER UPDATE OF status, currency, owner_id, playbook,
    amount, probability, expected_close, closed_at, in_funnel, forecast_category, stage,
    sales_mode, close_reason, won_by ON opportunities
BEGIN
    INSERT INTO forecast_cube
        SELECT COALESCE(OLD.owner_id, ''), OLD.currency,
               CASE WHEN OLD.status = 'won' THEN COALESCE(substr(OLD.closed_at, 1, 7), '')
                    ELSE COALESCE(substr(OLD.expected_close, 1, 7), '') END,
               OLD.playbook,
               CASE WHEN OLD.status = 'won' THEN 'closed' WHEN OLD.in_funnel = 0 THEN 'omitted'
                    ELSE OLD.forecast_category END,
               -1, -OLD.amount, -OLD.amount * OLD.probability
        WHERE OLD.status IN ('open', 'won')
    ON CONFLICT DO UPDATE SET deals = deals + excluded.deals,
        amount = amount + excluded.amount, weighted = weighted + excluded.weighted;
    INSERT INTO outcome_cube
        SELECT COALESCE(OLD.owner_id, ''), OLD.currency,
               COALESCE(substr(OLD.closed_at, 1, 7), ''), OLD.playbook, OLD.status, OLD.stage,
               COALESCE(OLD.sales_mode, ''),
               CASE WHEN OLD.amount < 50000000 THEN 0 WHEN OLD.amount < 200000000 THEN 1
                    WHEN OLD.amount < 1000000000 THEN 2 ELSE 3 END,
               COALESCE(OLD.close_reason, ''), COALESCE(OLD.won_by, ''), -1, -OLD.amount,
               -COALESCE(MAX(0, CAST(julianday(OLD.closed_at) - julianday(OLD.created_at)
                                     AS INTEGER)), 0)
        WHERE OLD.status <> 'open'
    ON CONFLICT DO UPDATE SET deals = deals + excluded.deals, amount = amount + excluded.amount,
        total_days = total_days + excluded.total_days;
END;

CREATE TRIGGER opportunities_cube_new AFTER UPDATE OF status, currency, owner_id, playbook,
    amount, probability, expected_close, closed_at, in_funnel, forecast_category, stage,
    sales_mode, close_reason, won_by ON opportunities
BEGIN
    INSERT INTO forecast_cube
        SELECT owner_id, currency, month, playbook, category, 1, amount, weighted
        FROM deal_forecast_rows WHERE opportunity_id = NEW.id
    ON CONFLICT DO UPDATE SET deals = deals + excluded.deals,
        amount = amount + excluded.amount, weighted = weighted + excluded.weighted;
    INSERT INTO outcome_cube
        SELECT owner_id, currency, month, playbook, status, stage, sales_mode, band, reason,
               won_by, 1, amount, cycle_days
        FROM deal_outcome_rows WHERE opportunity_id = NEW.id
    ON CONFLICT DO UPDATE SET deals = deals + excluded.deals, amount = amount + excluded.amount,
        total_days = total_days + excluded.total_days;
    DELETE FROM forecast_cube WHERE deals = 0 AND owner_id IN (COALESCE(OLD.owner_id, ''),
        COALESCE(NEW.owner_id, '')) AND currency IN (OLD.currency, NEW.currency);
    DELETE FROM outcome_cube WHERE deals = 0 AND owner_id IN (COALESCE(OLD.owner_id, ''),
        COALESCE(NEW.owner_id, '')) AND currency IN (OLD.currency, NEW.currency);
END;

-- Closing lost or abandoned adds the exit from the stage and the stages'
-- outcomes; reopening takes them away; a transfer moves all of the deal's
-- rows to its new owner. The deal's rows before the change are its rows
-- after it with OLD's values where they differ: computed from the views
-- with the changed columns put back.
CREATE TRIGGER opportunities_flow_old AFTER UPDATE OF status, owner_id, closed_at
    ON opportunities
WHEN OLD.status <> NEW.status OR OLD.owner_id IS NOT NEW.owner_id
BEGIN
    INSERT INTO stage_flow
        SELECT COALESCE(OLD.owner_id, ''), playbook, stage, month, event, days, -COUNT(*),
               -SUM(exact_days)
        FROM deal_flow_rows
        WHERE opportunity_id = OLD.id AND event NOT IN ('lost', 'abandoned')
          AND OLD.owner_id IS NOT NEW.owner_id
        GROUP BY playbook, stage, month, event, days
    ON CONFLICT DO UPDATE SET n = n + excluded.n, total_days = total_days + excluded.total_days;
    INSERT INTO stage_flow
        SELECT COALESCE(OLD.owner_id, ''), OLD.playbook, OLD.stage, substr(OLD.closed_at, 1, 7),
               OLD.status, CASE WHEN d < 7 THEN d WHEN d < 10 THEN 7 WHEN d < 14 THEN 10 WHEN d < 21 THEN 14 WHEN d < 30 THEN 21 WHEN d < 45 THEN 30 WHEN d < 60 THEN 45 WHEN d < 90 THEN 60 WHEN d < 120 THEN 90 WHEN d < 180 THEN 120 WHEN d < 270 THEN 180 WHEN d < 365 THEN 270 WHEN d < 540 THEN 365 WHEN d < 730 THEN 540 ELSE 730 END, -1, -d
        FROM (SELECT MAX(0, CAST(julianday(OLD.closed_at) -
                                 julianday(COALESCE(OLD.stage_changed_at, OLD.created_at))
                                 AS INTEGER)) AS d) AS stay
        WHERE OLD.status IN ('lost', 'abandoned') AND OLD.closed_at IS NOT NULL
    ON CONFLICT DO UPDATE SET n = n + excluded.n, total_days = total_days + excluded.total_days;
    INSERT INTO stage_outcomes
        SELECT COALESCE(OLD.owner_id, ''), OLD.playbook, s.stage,
               COALESCE(substr(OLD.closed_at, 1, 7), ''),
               CASE WHEN OLD.status = 'won' THEN 1 ELSE 0 END, -1
        FROM (SELECT to_stage AS stage FROM stage_changes WHERE opportunity_id = OLD.id
              UNION SELECT OLD.stage) s
        WHERE OLD.status <> 'open'
    ON CONFLICT DO UPDATE SET n = n + excluded.n;
END;

CREATE TRIGGER opportunities_flow_new AFTER UPDATE OF status, owner_id, closed_at
    ON opportunities
WHEN OLD.status <> NEW.status OR OLD.owner_id IS NOT NEW.owner_id
BEGIN
    INSERT INTO stage_flow
        SELECT owner_id, playbook, stage, month, event, days, COUNT(*), SUM(exact_days)
        FROM deal_flow_rows
        WHERE opportunity_id = NEW.id AND (OLD.owner_id IS NOT NEW.owner_id OR
                                           event IN ('lost', 'abandoned'))
        GROUP BY owner_id, playbook, stage, month, event, days
    ON CONFLICT DO UPDATE SET n = n + excluded.n, total_days = total_days + excluded.total_days;
    INSERT INTO stage_outcomes
        SELECT owner_id, playbook, stage, month, won, 1 FROM deal_stage_outcome_rows
        WHERE opportunity_id = NEW.id GROUP BY owner_id, playbook, stage, month, won
    ON CONFLICT DO UPDATE SET n = n + excluded.n;
    DELETE FROM stage_flow WHERE n = 0 AND owner_id IN (COALESCE(OLD.owner_id, ''),
        COALESCE(NEW.owner_id, '')) AND playbook = NEW.playbook;
    DELETE FROM stage_outcomes WHERE n = 0 AND owner_id IN (COALESCE(OLD.owner_id, ''),
        COALESCE(NEW.owner_id, '')) AND playbook = NEW.playbook;
END;

-- A deal deleted: all its rows leave (before its stage history goes with it).
CREATE TRIGGER opportunities_cube_delete BEFORE DELETE ON opportunities
BEGIN
    INSERT INTO forecast_cube
        SELECT owner_id, currency, month, playbook, category, -1, -amount, -weighted
        FROM deal_forecast_rows WHERE opportunity_id = OLD.id
    ON CONFLICT DO UPDATE SET deals = deals + excluded.deals,
        amount = amount + excluded.amount, weighted = weighted + excluded.weighted;
    INSERT INTO outcome_cube
        SELECT owner_id, currency, month, playbook, status, stage, sales_mode, band, reason,
               won_by, -1, -amount, -cycle_days
        FROM deal_outcome_rows WHERE opportunity_id = OLD.id
    ON CONFLICT DO UPDATE SET deals = deals + excluded.deals, amount = amount + excluded.amount,
        total_days = total_days + excluded.total_days;
    INSERT INTO stage_flow
        SELECT owner_id, playbook, stage, month, event, days, -COUNT(*), -SUM(exact_days)
        FROM deal_flow_rows WHERE opportunity_id = OLD.id
        GROUP BY owner_id, playbook, stage, month, event, days
    ON CONFLICT DO UPDATE SET n = n + excluded.n, total_days = total_days + excluded.total_days;
    INSERT INTO stage_outcomes
        SELECT owner_id, playbook, stage, month, won, -1 FROM deal_stage_outcome_rows
        WHERE opportunity_id = OLD.id GROUP BY owner_id, playbook, stage, month, won
    ON CONFLICT DO UPDATE SET n = n + excluded.n;
    DELETE FROM forecast_cube WHERE deals = 0 AND owner_id = COALESCE(OLD.owner_id, '');
    DELETE FROM outcome_cube WHERE deals = 0 AND owner_id = COALESCE(OLD.owner_id, '');
    DELETE FROM stage_flow WHERE n = 0 AND owner_id = COALESCE(OLD.owner_id, '');
    DELETE FROM stage_outcomes WHERE n = 0 AND owner_id = COALESCE(OLD.owner_id, '');
END;

-- What changed on each deal, for "what changed since last week": its
-- amount, expected close, forecast category, status and stage, old and new,
-- when. Written by the update (a new deal is read from its created_at).
CREATE TABLE deal_changes (
    opportunity_id TEXT NOT NULL REFERENCES opportunities(id) ON DELETE CASCADE,
    changed_at     TEXT NOT NULL,
    field          TEXT NOT NULL,
    old            TEXT,
    new            TEXT
);
CREATE INDEX deal_changes_at ON deal_changes(changed_at);
CREATE INDEX deal_changes_deal ON deal_changes(opportunity_id, field);

CREATE TRIGGER opportunities_changes AFTER UPDATE OF amount, expected_close, forecast_category,
    status, stage ON opportunities
BEGIN
    INSERT INTO deal_changes
        SELECT NEW.id, NEW.updated_at, 'amount', OLD.amount, NEW.amount
        WHERE OLD.amount IS NOT NEW.amount;
    INSERT INTO deal_changes
        SELECT NEW.id, NEW.updated_at, 'expected_close', OLD.expected_close, NEW.expected_close
        WHERE OLD.expected_close IS NOT NEW.expected_close;
    INSERT INTO deal_changes
        SELECT NEW.id, NEW.updated_at, 'forecast_category', OLD.forecast_category,
               NEW.forecast_category
        WHERE OLD.forecast_category IS NOT NEW.forecast_category;
    INSERT INTO deal_changes
        SELECT NEW.id, NEW.updated_at, 'status', OLD.status, NEW.status
        WHERE OLD.status IS NOT NEW.status;
    INSERT INTO deal_changes
        SELECT NEW.id, NEW.updated_at, 'stage', OLD.stage, NEW.stage
        WHERE OLD.stage IS NOT NEW.stage;
END;

-- 3E (everyone, every day, every thing): each person's activities done per
-- day (China time, UTC+8) and type; each open deal's last activity and,
-- where its sales mode has a visit plan, the plan's window (set by the
-- server when the mode is chosen), the visits it asks and those done in it.
-- idle_cube counts open deals per owner by the day of their last activity
-- (deals without any are the owner's open deals less these); plan_cube the
-- open deals with a plan by the day their window ends and whether it is met.
ALTER TABLE opportunities ADD COLUMN last_activity_at TEXT;
ALTER TABLE opportunities ADD COLUMN visit_window_end TEXT;
ALTER TABLE opportunities ADD COLUMN visit_benchmark INTEGER;
ALTER TABLE opportunities ADD COLUMN visits_in_window INTEGER NOT NULL DEFAULT 0;

UPDATE opportunities SET last_activity_at =
    (SELECT MAX(done_at) FROM activities a WHERE a.opportunity_id = opportunities.id);

CREATE TABLE activity_days (
    owner_id TEXT NOT NULL,
    day      TEXT NOT NULL,          -- YYYY-MM-DD, UTC+8
    type     TEXT NOT NULL,
    n        INTEGER NOT NULL,
    PRIMARY KEY (owner_id, day, type)
) WITHOUT ROWID;
CREATE INDEX activity_days_day ON activity_days(day);

CREATE TABLE idle_cube (
    owner_id TEXT NOT NULL,
    day      TEXT NOT NULL,          -- YYYY-MM-DD (UTC+8) of the last activity
    n        INTEGER NOT NULL,
    PRIMARY KEY (owner_id, day)
) WITHOUT ROWID;
CREATE INDEX idle_cube_day ON idle_cube(day);

CREATE TABLE plan_cube (
    owner_id TEXT NOT NULL,
    day      TEXT NOT NULL,          -- YYYY-MM-DD (UTC+8) the visit window ends
    met      INTEGER NOT NULL,
    n        INTEGER NOT NULL,
    PRIMARY KEY (owner_id, day, met)
) WITHOUT ROWID;
CREATE INDEX plan_cube_day ON plan_cube(day);

INSERT INTO activity_days
    SELECT COALESCE(owner_id, ''), date(done_at, '+8 hours'), type, COUNT(*)
    FROM activities WHERE done_at IS NOT NULL GROUP BY 1, 2, 3;
INSERT INTO idle_cube
    SELECT COALESCE(owner_id, ''), date(last_activity_at, '+8 hours'), COUNT(*)
    FROM opportunities WHERE status = 'open' AND last_activity_at IS NOT NULL GROUP BY 1, 2;

CREATE TRIGGER activities_days_insert AFTER INSERT ON activities
BEGIN
    INSERT INTO activity_days
        SELECT COALESCE(NEW.owner_id, ''), date(NEW.done_at, '+8 hours'), NEW.type, 1
        WHERE NEW.done_at IS NOT NULL
    ON CONFLICT DO UPDATE SET n = n + 1;
    UPDATE opportunities SET last_activity_at = NEW.done_at
    WHERE id = NEW.opportunity_id AND NEW.done_at IS NOT NULL
      AND (last_activity_at IS NULL OR last_activity_at < NEW.done_at);
    UPDATE opportunities SET visits_in_window = visits_in_window + 1
    WHERE id = NEW.opportunity_id AND NEW.type = 'visit' AND visit_window_end IS NOT NULL
      AND NEW.done_at >= sales_mode_since AND NEW.done_at <= visit_window_end;
END;

CREATE TRIGGER activities_days_delete AFTER DELETE ON activities
BEGIN
    UPDATE activity_days SET n = n - 1
    WHERE owner_id = COALESCE(OLD.owner_id, '') AND day = date(OLD.done_at, '+8 hours')
      AND type = OLD.type;
    DELETE FROM activity_days
    WHERE owner_id = COALESCE(OLD.owner_id, '') AND day = date(OLD.done_at, '+8 hours')
      AND type = OLD.type AND n = 0;
    UPDATE opportunities SET
        last_activity_at = (SELECT MAX(done_at) FROM activities a WHERE a.opportunity_id = OLD.opportunity_id),
        visits_in_window = (SELECT COUNT(*) FROM activities a
                            WHERE a.opportunity_id = OLD.opportunity_id AND a.type = 'visit'
                              AND a.done_at >= opportunities.sales_mode_since
                              AND a.done_at <= opportunities.visit_window_end)
    WHERE id = OLD.opportunity_id AND OLD.done_at IS NOT NULL;
END;

CREATE TRIGGER activities_days_update AFTER UPDATE OF done_at, type, owner_id, opportunity_id
    ON activities
BEGIN
    UPDATE activity_days SET n = n - 1
    WHERE owner_id = COALESCE(OLD.owner_id, '') AND day = date(OLD.done_at, '+8 hours')
      AND type = OLD.type;
    DELETE FROM activity_days
    WHERE owner_id = COALESCE(OLD.owner_id, '') AND day = date(OLD.done_at, '+8 hours')
      AND type = OLD.type AND n = 0;
    INSERT INTO activity_days
        SELECT COALESCE(NEW.owner_id, ''), date(NEW.done_at, '+8 hours'), NEW.type, 1
        WHERE NEW.done_at IS NOT NULL
    ON CONFLICT DO UPDATE SET n = n + 1;
    UPDATE opportunities SET
        last_activity_at = (SELECT MAX(done_at) FROM activities a WHERE a.opportunity_id = opportunities.id),
        visits_in_window = (SELECT COUNT(*) FROM activities a
                            WHERE a.opportunity_id = opportunities.id AND a.type = 'visit'
                              AND a.done_at >= opportunities.sales_mode_since
                              AND a.done_at <= opportunities.visit_window_end)
    WHERE id IN (OLD.opportunity_id, NEW.opportunity_id);
END;

-- A deal's visit window set anew: the visits done in it counted again.
CREATE TRIGGER opportunities_plan_window AFTER UPDATE OF visit_window_end, sales_mode_since
    ON opportunities
BEGIN
    UPDATE opportunities SET visits_in_window = (SELECT COUNT(*) FROM activities a
        WHERE a.opportunity_id = NEW.id AND a.type = 'visit'
          AND a.done_at >= NEW.sales_mode_since AND a.done_at <= NEW.visit_window_end)
    WHERE id = NEW.id;
END;

CREATE TRIGGER opportunities_idle_old AFTER UPDATE OF status, owner_id, last_activity_at,
    visit_window_end, visit_benchmark, visits_in_window ON opportunities
BEGIN
    INSERT INTO idle_cube
        SELECT COALESCE(OLD.owner_id, ''), date(OLD.last_activity_at, '+8 hours'), -1
        WHERE OLD.status = 'open' AND OLD.last_activity_at IS NOT NULL
    ON CONFLICT DO UPDATE SET n = n + excluded.n;
    INSERT INTO plan_cube
        SELECT COALESCE(OLD.owner_id, ''), date(OLD.visit_window_end, '+8 hours'),
               OLD.visits_in_window >= OLD.visit_benchmark, -1
        WHERE OLD.status = 'open' AND OLD.visit_window_end IS NOT NULL
    ON CONFLICT DO UPDATE SET n = n + excluded.n;
END;

CREATE TRIGGER opportunities_idle_new AFTER UPDATE OF status, owner_id, last_activity_at,
    visit_window_end, visit_benchmark, visits_in_window ON opportunities
BEGIN
    INSERT INTO idle_cube
        SELECT COALESCE(NEW.owner_id, ''), date(NEW.last_activity_at, '+8 hours'), 1
        WHERE NEW.status = 'open' AND NEW.last_activity_at IS NOT NULL
    ON CONFLICT DO UPDATE SET n = n + excluded.n;
    INSERT INTO plan_cube
        SELECT COALESCE(NEW.owner_id, ''), date(NEW.visit_window_end, '+8 hours'),
               NEW.visits_in_window >= NEW.visit_benchmark, 1
        WHERE NEW.status = 'open' AND NEW.visit_window_end IS NOT NULL
    ON CONFLICT DO UPDATE SET n = n + excluded.n;
    DELETE FROM idle_cube WHERE n = 0 AND owner_id IN (COALESCE(OLD.owner_id, ''),
        COALESCE(NEW.owner_id, ''));
    DELETE FROM plan_cube WHERE n = 0 AND owner_id IN (COALESCE(OLD.owner_id, ''),
        COALESCE(NEW.owner_id, ''));
END;

CREATE TRIGGER opportunities_idle_delete AFTER DELETE ON opportunities
BEGIN
    INSERT INTO idle_cube
        SELECT COALESCE(OLD.owner_id, ''), date(OLD.last_activity_at, '+8 hours'), -1
        WHERE OLD.status = 'open' AND OLD.last_activity_at IS NOT NULL
    ON CONFLICT DO UPDATE SET n = n + excluded.n;
    INSERT INTO plan_cube
        SELECT COALESCE(OLD.owner_id, ''), date(OLD.visit_window_end, '+8 hours'),
               OLD.visits_in_window >= OLD.visit_benchmark, -1
        WHERE OLD.status = 'open' AND OLD.visit_window_end IS NOT NULL
    ON CONFLICT DO UPDATE SET n = n + excluded.n;
END;

-- Each summary holds, beside the rows of each owner, rows of every owner
-- together (owner_id '*'), kept by the triggers below from the owners'
-- changes: what a report of everyone reads (an admin's), a few rows instead
-- of every owner's. The summaries need no index but their primary key, led
-- by the owner: a report reads '*' or each owner it counts.
INSERT INTO forecast_cube
    SELECT '*', currency, month, playbook, category, SUM(deals), SUM(amount), SUM(weighted)
    FROM forecast_cube GROUP BY 2, 3, 4, 5;
INSERT INTO outcome_cube
    SELECT '*', currency, month, playbook, status, stage, sales_mode, band, reason, won_by,
           SUM(deals), SUM(amount), SUM(total_days)
    FROM outcome_cube GROUP BY 2, 3, 4, 5, 6, 7, 8, 9, 10;
INSERT INTO stage_flow
    SELECT '*', playbook, stage, month, event, days, SUM(n), SUM(total_days)
    FROM stage_flow GROUP BY 2, 3, 4, 5, 6;
INSERT INTO stage_outcomes
    SELECT '*', playbook, stage, month, won, SUM(n)
    FROM stage_outcomes GROUP BY 2, 3, 4, 5;

CREATE TRIGGER forecast_cube_all_insert AFTER INSERT ON forecast_cube
WHEN NEW.owner_id <> '*'
BEGIN
    INSERT INTO forecast_cube VALUES ('*', NEW.currency, NEW.month, NEW.playbook, NEW.category,
        NEW.deals, NEW.amount, NEW.weighted)
    ON CONFLICT DO UPDATE SET deals = deals + excluded.deals,
        amount = amount + excluded.amount, weighted = weighted + excluded.weighted;
END;
CREATE TRIGGER forecast_cube_all_update AFTER UPDATE ON forecast_cube
WHEN NEW.owner_id <> '*'
BEGIN
    INSERT INTO forecast_cube VALUES ('*', NEW.currency, NEW.month, NEW.playbook, NEW.category,
        NEW.deals - OLD.deals, NEW.amount - OLD.amount, NEW.weighted - OLD.weighted)
    ON CONFLICT DO UPDATE SET deals = deals + excluded.deals,
        amount = amount + excluded.amount, weighted = weighted + excluded.weighted;
END;

CREATE TRIGGER outcome_cube_all_insert AFTER INSERT ON outcome_cube
WHEN NEW.owner_id <> '*'
BEGIN
    INSERT INTO outcome_cube VALUES ('*', NEW.currency, NEW.month, NEW.playbook, NEW.status,
        NEW.stage, NEW.sales_mode, NEW.band, NEW.reason, NEW.won_by, NEW.deals, NEW.amount,
        NEW.total_days)
    ON CONFLICT DO UPDATE SET deals = deals + excluded.deals, amount = amount + excluded.amount,
        total_days = total_days + excluded.total_days;
END;
CREATE TRIGGER outcome_cube_all_update AFTER UPDATE ON outcome_cube
WHEN NEW.owner_id <> '*'
BEGIN
    INSERT INTO outcome_cube VALUES ('*', NEW.currency, NEW.month, NEW.playbook, NEW.status,
        NEW.stage, NEW.sales_mode, NEW.band, NEW.reason, NEW.won_by, NEW.deals - OLD.deals,
        NEW.amount - OLD.amount, NEW.total_days - OLD.total_days)
    ON CONFLICT DO UPDATE SET deals = deals + excluded.deals, amount = amount + excluded.amount,
        total_days = total_days + excluded.total_days;
END;

CREATE TRIGGER stage_flow_all_insert AFTER INSERT ON stage_flow
WHEN NEW.owner_id <> '*'
BEGIN
    INSERT INTO stage_flow VALUES ('*', NEW.playbook, NEW.stage, NEW.month, NEW.event, NEW.days,
        NEW.n, NEW.total_days)
    ON CONFLICT DO UPDATE SET n = n + excluded.n, total_days = total_days + excluded.total_days;
END;
CREATE TRIGGER stage_flow_all_update AFTER UPDATE ON stage_flow
WHEN NEW.owner_id <> '*'
BEGIN
    INSERT INTO stage_flow VALUES ('*', NEW.playbook, NEW.stage, NEW.month, NEW.event, NEW.days,
        NEW.n - OLD.n, NEW.total_days - OLD.total_days)
    ON CONFLICT DO UPDATE SET n = n + excluded.n, total_days = total_days + excluded.total_days;
END;

CREATE TRIGGER stage_outcomes_all_insert AFTER INSERT ON stage_outcomes
WHEN NEW.owner_id <> '*'
BEGIN
    INSERT INTO stage_outcomes VALUES ('*', NEW.playbook, NEW.stage, NEW.month, NEW.won, NEW.n)
    ON CONFLICT DO UPDATE SET n = n + excluded.n;
END;
CREATE TRIGGER stage_outcomes_all_update AFTER UPDATE ON stage_outcomes
WHEN NEW.owner_id <> '*'
BEGIN
    INSERT INTO stage_outcomes VALUES ('*', NEW.playbook, NEW.stage, NEW.month, NEW.won,
        NEW.n - OLD.n)
    ON CONFLICT DO UPDATE SET n = n + excluded.n;
END;

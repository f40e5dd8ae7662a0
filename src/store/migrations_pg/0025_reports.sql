-- bingfa schema version 25 (PostgreSQL): the numbers a manager acts on, as
-- src/store/migrations/0025_reports.sql (which explains the columns and the
-- summaries; docs/reports.md): when a deal was closed, its forecast category
-- with the owner's choice and reason; forecast_cube, outcome_cube,
-- stage_flow and stage_outcomes per owner, kept in the writing transaction
-- (a new deal and a new stage change by the store, the rest by the
-- triggers below); targets per person and per team and quarter; what
-- changed on each deal (deal_changes); activities per person and day, each
-- open deal's last activity and visit plan (activity_days, idle_cube,
-- plan_cube).
--
-- The triggers are PL/pgSQL functions doing what the SQLite triggers do,
-- under the same names, so that they fire in the same order: a pair's _new
-- before its _old, opportunities_plan_window after opportunities_idle_*
-- (PostgreSQL fires them by name, SQLite the newest first). The summaries
-- then hold the same rows in both databases, down to those left at zero.
-- Where a deal can give several rows of one key (its stays in stages), they
-- are added up before the upsert, which may touch a row only once here.

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

-- The whole days from b to a, both timestamps as the API writes them (UTC,
-- ISO 8601), as SQLite's MAX(0, CAST(julianday(a) - julianday(b) AS INTEGER)):
-- each instant taken to the millisecond (rounded, as julianday does), a
-- string without a zone read as UTC, 0 when a is before b, NULL when either
-- is NULL. Used by the views and triggers below and by the store
-- (sqlite_cubes.c) for a new stage change.
CREATE FUNCTION bf_whole_days(a TEXT, b TEXT) RETURNS BIGINT
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE SET TimeZone = 'UTC' AS $$
    SELECT GREATEST(0, FLOOR(
        (FLOOR(EXTRACT(EPOCH FROM CAST(a AS TIMESTAMPTZ)) * 1000 + 0.5) -
         FLOOR(EXTRACT(EPOCH FROM CAST(b AS TIMESTAMPTZ)) * 1000 + 0.5)) / 86400000))::BIGINT
$$;

-- The bucket of whole days d falls in, as stage_flow keeps days.
CREATE FUNCTION bf_day_bucket(d BIGINT) RETURNS BIGINT
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT CASE WHEN d < 7 THEN d WHEN d < 10 THEN 7 WHEN d < 14 THEN 10 WHEN d < 21 THEN 14 WHEN d < 30 THEN 21 WHEN d < 45 THEN 30 WHEN d < 60 THEN 45 WHEN d < 90 THEN 60 WHEN d < 120 THEN 90 WHEN d < 180 THEN 120 WHEN d < 270 THEN 180 WHEN d < 365 THEN 270 WHEN d < 540 THEN 365 WHEN d < 730 THEN 540 ELSE 730 END
$$;

CREATE TABLE forecast_cube (
    owner_id TEXT NOT NULL,
    currency TEXT NOT NULL,
    month    TEXT NOT NULL,          -- YYYY-MM; '' for an open deal without a close date
    playbook TEXT NOT NULL,
    category TEXT NOT NULL,          -- pipeline, best_case, commit, omitted, closed
    deals    BIGINT NOT NULL,
    amount   BIGINT NOT NULL,
    weighted BIGINT NOT NULL,        -- sum of amount x probability
    PRIMARY KEY (owner_id, currency, month, playbook, category)
);

CREATE TABLE outcome_cube (
    owner_id   TEXT NOT NULL,
    currency   TEXT NOT NULL,
    month      TEXT NOT NULL,        -- YYYY-MM of closed_at
    playbook   TEXT NOT NULL,
    status     TEXT NOT NULL,        -- won, lost, abandoned
    stage      TEXT NOT NULL,        -- the stage it closed in (lost at)
    sales_mode TEXT NOT NULL,
    band       BIGINT NOT NULL,      -- 0: < 50万, 1: < 200万, 2: < 1000万, 3: more
    reason     TEXT NOT NULL,
    won_by     TEXT NOT NULL,
    deals      BIGINT NOT NULL,
    amount     BIGINT NOT NULL,
    total_days BIGINT NOT NULL,      -- whole days from creation to closing, added up (cycle)
    PRIMARY KEY (owner_id, currency, month, playbook, status, stage, sales_mode, band, reason,
                 won_by)
);

CREATE TABLE stage_flow (
    owner_id TEXT NOT NULL,
    playbook TEXT NOT NULL,
    stage    TEXT NOT NULL,
    month    TEXT NOT NULL,          -- YYYY-MM of the entry or exit
    event    TEXT NOT NULL,          -- entered, advanced, back, won, lost, abandoned
    days     BIGINT NOT NULL,        -- whole days in the stage at an exit, as the bucket they
                                     -- fall in (0-6 each, then from 7, 10, 14, 21, 30, 45, 60,
                                     -- 90, 120, 180, 270, 365, 540, 730); 0 at an entry
    n        BIGINT NOT NULL,
    total_days BIGINT NOT NULL,      -- the exits' exact whole days added up (the mean)
    PRIMARY KEY (owner_id, playbook, stage, month, event, days)
);

CREATE TABLE stage_outcomes (
    owner_id TEXT NOT NULL,
    playbook TEXT NOT NULL,
    stage    TEXT NOT NULL,
    month    TEXT NOT NULL,          -- YYYY-MM the deal closed
    won      BIGINT NOT NULL,        -- 1 won, 0 lost or abandoned
    n        BIGINT NOT NULL,
    PRIMARY KEY (owner_id, playbook, stage, month, won)
);

CREATE TABLE targets (
    subject    TEXT NOT NULL,        -- 'u:<user id>' or 't:<team id>'
    quarter    TEXT NOT NULL,        -- YYYY-Qn
    currency   TEXT NOT NULL,
    amount     BIGINT NOT NULL CHECK (amount >= 0),
    updated_at TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    PRIMARY KEY (subject, quarter, currency)
);
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
           CAST(CASE WHEN amount < 50000000 THEN 0 WHEN amount < 200000000 THEN 1
                     WHEN amount < 1000000000 THEN 2 ELSE 3 END AS BIGINT) AS band,
           COALESCE(close_reason, '') AS reason, COALESCE(won_by, '') AS won_by, amount,
           COALESCE(bf_whole_days(closed_at, created_at), 0) AS cycle_days
    FROM opportunities WHERE status <> 'open';

-- Each stay of a deal in a stage: its entry, its exit by a later change,
-- and the exit of a deal closed lost or abandoned in its stage.
CREATE VIEW deal_flow_rows AS
    SELECT opportunity_id, owner_id, playbook, stage, month, event,
           bf_day_bucket(exact_days) AS days, exact_days
    FROM (SELECT c.opportunity_id, COALESCE(o.owner_id, '') AS owner_id, c.playbook,
           c.to_stage AS stage, substr(c.changed_at, 1, 7) AS month,
           CAST('entered' AS TEXT) AS event, CAST(0 AS BIGINT) AS exact_days
    FROM stage_changes c JOIN opportunities o ON o.id = c.opportunity_id
    WHERE c.from_stage IS NULL OR c.from_stage <> c.to_stage
    UNION ALL
    SELECT c.opportunity_id, COALESCE(o.owner_id, ''), c.playbook, c.from_stage,
           substr(c.changed_at, 1, 7),
           CASE WHEN c.kind = 'won' THEN 'won'
                WHEN c.to_probability >= c.from_probability THEN 'advanced' ELSE 'back' END,
           bf_whole_days(c.changed_at, COALESCE(
               (SELECT MAX(p.changed_at) FROM stage_changes p
                WHERE p.opportunity_id = c.opportunity_id AND p.changed_at < c.changed_at),
               o.created_at))
    FROM stage_changes c JOIN opportunities o ON o.id = c.opportunity_id
    WHERE c.from_stage IS NOT NULL AND (c.from_stage <> c.to_stage OR c.kind = 'won')
    UNION ALL
    SELECT o.id, COALESCE(o.owner_id, ''), o.playbook, o.stage, substr(o.closed_at, 1, 7),
           o.status, bf_whole_days(o.closed_at, COALESCE(o.stage_changed_at, o.created_at))
    FROM opportunities o WHERE o.status IN ('lost', 'abandoned') AND o.closed_at IS NOT NULL) AS stays;

-- The stages a closed deal passed through: those its changes led into and
-- the one it closed in (a stage may come more than once: count deals, or
-- group a deal's rows).
CREATE VIEW deal_stage_outcome_rows AS
    SELECT o.id AS opportunity_id, COALESCE(o.owner_id, '') AS owner_id, o.playbook,
           c.to_stage AS stage, COALESCE(substr(o.closed_at, 1, 7), '') AS month,
           CAST(CASE WHEN o.status = 'won' THEN 1 ELSE 0 END AS BIGINT) AS won
    FROM opportunities o JOIN stage_changes c ON c.opportunity_id = o.id
    WHERE o.status <> 'open'
    UNION ALL
    SELECT o.id, COALESCE(o.owner_id, ''), o.playbook, o.stage,
           COALESCE(substr(o.closed_at, 1, 7), ''),
           CAST(CASE WHEN o.status = 'won' THEN 1 ELSE 0 END AS BIGINT)
    FROM opportunities o WHERE o.status <> 'open';

INSERT INTO forecast_cube (owner_id, currency, month, playbook, category, deals, amount, weighted)
    SELECT owner_id, currency, month, playbook, category, COUNT(*), SUM(amount), SUM(weighted)
    FROM deal_forecast_rows GROUP BY 1, 2, 3, 4, 5;
INSERT INTO outcome_cube (owner_id, currency, month, playbook, status, stage, sales_mode, band,
                          reason, won_by, deals, amount, total_days)
    SELECT owner_id, currency, month, playbook, status, stage, sales_mode, band, reason, won_by,
           COUNT(*), SUM(amount), SUM(cycle_days)
    FROM deal_outcome_rows GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10;
INSERT INTO stage_flow (owner_id, playbook, stage, month, event, days, n, total_days)
    SELECT owner_id, playbook, stage, month, event, days, COUNT(*), SUM(exact_days)
    FROM deal_flow_rows GROUP BY 1, 2, 3, 4, 5, 6;
INSERT INTO stage_outcomes (owner_id, playbook, stage, month, won, n)
    SELECT owner_id, playbook, stage, month, won, COUNT(DISTINCT opportunity_id)
    FROM deal_stage_outcome_rows GROUP BY 1, 2, 3, 4, 5;

-- A deal changes: its old forecast and outcome rows leave, the new ones
-- join (upserts both ways, so that the order of the triggers does not matter).
CREATE FUNCTION opportunities_cube_old() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.status IN ('open', 'won') THEN
        INSERT INTO forecast_cube AS t (owner_id, currency, month, playbook, category, deals,
                                        amount, weighted)
        VALUES (COALESCE(OLD.owner_id, ''), OLD.currency,
                CASE WHEN OLD.status = 'won' THEN COALESCE(substr(OLD.closed_at, 1, 7), '')
                     ELSE COALESCE(substr(OLD.expected_close, 1, 7), '') END,
                OLD.playbook,
                CASE WHEN OLD.status = 'won' THEN 'closed' WHEN OLD.in_funnel = 0 THEN 'omitted'
                     ELSE OLD.forecast_category END,
                -1, -OLD.amount, -OLD.amount * OLD.probability)
        ON CONFLICT (owner_id, currency, month, playbook, category) DO UPDATE SET
            deals = t.deals + excluded.deals, amount = t.amount + excluded.amount,
            weighted = t.weighted + excluded.weighted;
    END IF;
    IF OLD.status <> 'open' THEN
        INSERT INTO outcome_cube AS t (owner_id, currency, month, playbook, status, stage,
                                       sales_mode, band, reason, won_by, deals, amount,
                                       total_days)
        VALUES (COALESCE(OLD.owner_id, ''), OLD.currency,
                COALESCE(substr(OLD.closed_at, 1, 7), ''), OLD.playbook, OLD.status, OLD.stage,
                COALESCE(OLD.sales_mode, ''),
                CASE WHEN OLD.amount < 50000000 THEN 0 WHEN OLD.amount < 200000000 THEN 1
                     WHEN OLD.amount < 1000000000 THEN 2 ELSE 3 END,
                COALESCE(OLD.close_reason, ''), COALESCE(OLD.won_by, ''), -1, -OLD.amount,
                -COALESCE(bf_whole_days(OLD.closed_at, OLD.created_at), 0))
        ON CONFLICT (owner_id, currency, month, playbook, status, stage, sales_mode, band,
                     reason, won_by) DO UPDATE SET
            deals = t.deals + excluded.deals, amount = t.amount + excluded.amount,
            total_days = t.total_days + excluded.total_days;
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER opportunities_cube_old AFTER UPDATE OF status, currency, owner_id, playbook,
    amount, probability, expected_close, closed_at, in_funnel, forecast_category, stage,
    sales_mode, close_reason, won_by ON opportunities
    FOR EACH ROW EXECUTE FUNCTION opportunities_cube_old();

CREATE FUNCTION opportunities_cube_new() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO forecast_cube AS t (owner_id, currency, month, playbook, category, deals, amount,
                                    weighted)
        SELECT owner_id, currency, month, playbook, category, 1, amount, weighted
        FROM deal_forecast_rows WHERE opportunity_id = NEW.id
    ON CONFLICT (owner_id, currency, month, playbook, category) DO UPDATE SET
        deals = t.deals + excluded.deals, amount = t.amount + excluded.amount,
        weighted = t.weighted + excluded.weighted;
    INSERT INTO outcome_cube AS t (owner_id, currency, month, playbook, status, stage,
                                   sales_mode, band, reason, won_by, deals, amount, total_days)
        SELECT owner_id, currency, month, playbook, status, stage, sales_mode, band, reason,
               won_by, 1, amount, cycle_days
        FROM deal_outcome_rows WHERE opportunity_id = NEW.id
    ON CONFLICT (owner_id, currency, month, playbook, status, stage, sales_mode, band, reason,
                 won_by) DO UPDATE SET
        deals = t.deals + excluded.deals, amount = t.amount + excluded.amount,
        total_days = t.total_days + excluded.total_days;
    DELETE FROM forecast_cube WHERE deals = 0 AND owner_id IN (COALESCE(OLD.owner_id, ''),
        COALESCE(NEW.owner_id, '')) AND currency IN (OLD.currency, NEW.currency);
    DELETE FROM outcome_cube WHERE deals = 0 AND owner_id IN (COALESCE(OLD.owner_id, ''),
        COALESCE(NEW.owner_id, '')) AND currency IN (OLD.currency, NEW.currency);
    RETURN NULL;
END
$$;
CREATE TRIGGER opportunities_cube_new AFTER UPDATE OF status, currency, owner_id, playbook,
    amount, probability, expected_close, closed_at, in_funnel, forecast_category, stage,
    sales_mode, close_reason, won_by ON opportunities
    FOR EACH ROW EXECUTE FUNCTION opportunities_cube_new();

-- Closing lost or abandoned adds the exit from the stage and the stages'
-- outcomes; reopening takes them away; a transfer moves all of the deal's
-- rows to its new owner. The deal's rows before the change are its rows
-- after it with OLD's values where they differ: computed from the views
-- with the changed columns put back.
CREATE FUNCTION opportunities_flow_old() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.owner_id IS DISTINCT FROM NEW.owner_id THEN
        INSERT INTO stage_flow AS t (owner_id, playbook, stage, month, event, days, n,
                                     total_days)
            SELECT COALESCE(OLD.owner_id, ''), playbook, stage, month, event, days, -COUNT(*),
                   -SUM(exact_days)
            FROM deal_flow_rows
            WHERE opportunity_id = OLD.id AND event NOT IN ('lost', 'abandoned')
            GROUP BY 1, 2, 3, 4, 5, 6
        ON CONFLICT (owner_id, playbook, stage, month, event, days) DO UPDATE SET
            n = t.n + excluded.n, total_days = t.total_days + excluded.total_days;
    END IF;
    IF OLD.status IN ('lost', 'abandoned') AND OLD.closed_at IS NOT NULL THEN
        INSERT INTO stage_flow AS t (owner_id, playbook, stage, month, event, days, n,
                                     total_days)
        VALUES (COALESCE(OLD.owner_id, ''), OLD.playbook, OLD.stage,
                substr(OLD.closed_at, 1, 7), OLD.status,
                bf_day_bucket(bf_whole_days(OLD.closed_at,
                                            COALESCE(OLD.stage_changed_at, OLD.created_at))),
                -1,
                -bf_whole_days(OLD.closed_at, COALESCE(OLD.stage_changed_at, OLD.created_at)))
        ON CONFLICT (owner_id, playbook, stage, month, event, days) DO UPDATE SET
            n = t.n + excluded.n, total_days = t.total_days + excluded.total_days;
    END IF;
    IF OLD.status <> 'open' THEN
        INSERT INTO stage_outcomes AS t (owner_id, playbook, stage, month, won, n)
            SELECT COALESCE(OLD.owner_id, ''), OLD.playbook, s.stage,
                   COALESCE(substr(OLD.closed_at, 1, 7), ''),
                   CASE WHEN OLD.status = 'won' THEN 1 ELSE 0 END, -1
            FROM (SELECT to_stage AS stage FROM stage_changes WHERE opportunity_id = OLD.id
                  UNION SELECT OLD.stage) AS s
        ON CONFLICT (owner_id, playbook, stage, month, won) DO UPDATE SET n = t.n + excluded.n;
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER opportunities_flow_old AFTER UPDATE OF status, owner_id, closed_at
    ON opportunities FOR EACH ROW
    WHEN (OLD.status <> NEW.status OR OLD.owner_id IS DISTINCT FROM NEW.owner_id)
    EXECUTE FUNCTION opportunities_flow_old();

CREATE FUNCTION opportunities_flow_new() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO stage_flow AS t (owner_id, playbook, stage, month, event, days, n, total_days)
        SELECT owner_id, playbook, stage, month, event, days, COUNT(*), SUM(exact_days)
        FROM deal_flow_rows
        WHERE opportunity_id = NEW.id AND (OLD.owner_id IS DISTINCT FROM NEW.owner_id OR
                                           event IN ('lost', 'abandoned'))
        GROUP BY 1, 2, 3, 4, 5, 6
    ON CONFLICT (owner_id, playbook, stage, month, event, days) DO UPDATE SET
        n = t.n + excluded.n, total_days = t.total_days + excluded.total_days;
    INSERT INTO stage_outcomes AS t (owner_id, playbook, stage, month, won, n)
        SELECT owner_id, playbook, stage, month, won, 1 FROM deal_stage_outcome_rows
        WHERE opportunity_id = NEW.id GROUP BY owner_id, playbook, stage, month, won
    ON CONFLICT (owner_id, playbook, stage, month, won) DO UPDATE SET n = t.n + excluded.n;
    DELETE FROM stage_flow WHERE n = 0 AND owner_id IN (COALESCE(OLD.owner_id, ''),
        COALESCE(NEW.owner_id, '')) AND playbook = NEW.playbook;
    DELETE FROM stage_outcomes WHERE n = 0 AND owner_id IN (COALESCE(OLD.owner_id, ''),
        COALESCE(NEW.owner_id, '')) AND playbook = NEW.playbook;
    RETURN NULL;
END
$$;
CREATE TRIGGER opportunities_flow_new AFTER UPDATE OF status, owner_id, closed_at
    ON opportunities FOR EACH ROW
    WHEN (OLD.status <> NEW.status OR OLD.owner_id IS DISTINCT FROM NEW.owner_id)
    EXECUTE FUNCTION opportunities_flow_new();

-- A deal deleted: all its rows leave (before its stage history goes with it,
-- by the cascade that runs after the row is gone).
CREATE FUNCTION opportunities_cube_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO forecast_cube AS t (owner_id, currency, month, playbook, category, deals, amount,
                                    weighted)
        SELECT owner_id, currency, month, playbook, category, -1, -amount, -weighted
        FROM deal_forecast_rows WHERE opportunity_id = OLD.id
    ON CONFLICT (owner_id, currency, month, playbook, category) DO UPDATE SET
        deals = t.deals + excluded.deals, amount = t.amount + excluded.amount,
        weighted = t.weighted + excluded.weighted;
    INSERT INTO outcome_cube AS t (owner_id, currency, month, playbook, status, stage,
                                   sales_mode, band, reason, won_by, deals, amount, total_days)
        SELECT owner_id, currency, month, playbook, status, stage, sales_mode, band, reason,
               won_by, -1, -amount, -cycle_days
        FROM deal_outcome_rows WHERE opportunity_id = OLD.id
    ON CONFLICT (owner_id, currency, month, playbook, status, stage, sales_mode, band, reason,
                 won_by) DO UPDATE SET
        deals = t.deals + excluded.deals, amount = t.amount + excluded.amount,
        total_days = t.total_days + excluded.total_days;
    INSERT INTO stage_flow AS t (owner_id, playbook, stage, month, event, days, n, total_days)
        SELECT owner_id, playbook, stage, month, event, days, -COUNT(*), -SUM(exact_days)
        FROM deal_flow_rows WHERE opportunity_id = OLD.id
        GROUP BY 1, 2, 3, 4, 5, 6
    ON CONFLICT (owner_id, playbook, stage, month, event, days) DO UPDATE SET
        n = t.n + excluded.n, total_days = t.total_days + excluded.total_days;
    INSERT INTO stage_outcomes AS t (owner_id, playbook, stage, month, won, n)
        SELECT owner_id, playbook, stage, month, won, -1 FROM deal_stage_outcome_rows
        WHERE opportunity_id = OLD.id GROUP BY owner_id, playbook, stage, month, won
    ON CONFLICT (owner_id, playbook, stage, month, won) DO UPDATE SET n = t.n + excluded.n;
    DELETE FROM forecast_cube WHERE deals = 0 AND owner_id = COALESCE(OLD.owner_id, '');
    DELETE FROM outcome_cube WHERE deals = 0 AND owner_id = COALESCE(OLD.owner_id, '');
    DELETE FROM stage_flow WHERE n = 0 AND owner_id = COALESCE(OLD.owner_id, '');
    DELETE FROM stage_outcomes WHERE n = 0 AND owner_id = COALESCE(OLD.owner_id, '');
    RETURN OLD;
END
$$;
CREATE TRIGGER opportunities_cube_delete BEFORE DELETE ON opportunities
    FOR EACH ROW EXECUTE FUNCTION opportunities_cube_delete();

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

CREATE FUNCTION opportunities_changes() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.amount IS DISTINCT FROM NEW.amount THEN
        INSERT INTO deal_changes VALUES (NEW.id, NEW.updated_at, 'amount',
            CAST(OLD.amount AS TEXT), CAST(NEW.amount AS TEXT));
    END IF;
    IF OLD.expected_close IS DISTINCT FROM NEW.expected_close THEN
        INSERT INTO deal_changes VALUES (NEW.id, NEW.updated_at, 'expected_close',
            OLD.expected_close, NEW.expected_close);
    END IF;
    IF OLD.forecast_category IS DISTINCT FROM NEW.forecast_category THEN
        INSERT INTO deal_changes VALUES (NEW.id, NEW.updated_at, 'forecast_category',
            OLD.forecast_category, NEW.forecast_category);
    END IF;
    IF OLD.status IS DISTINCT FROM NEW.status THEN
        INSERT INTO deal_changes VALUES (NEW.id, NEW.updated_at, 'status', OLD.status,
            NEW.status);
    END IF;
    IF OLD.stage IS DISTINCT FROM NEW.stage THEN
        INSERT INTO deal_changes VALUES (NEW.id, NEW.updated_at, 'stage', OLD.stage, NEW.stage);
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER opportunities_changes AFTER UPDATE OF amount, expected_close, forecast_category,
    status, stage ON opportunities FOR EACH ROW EXECUTE FUNCTION opportunities_changes();

-- 3E (everyone, every day, every thing): each person's activities done per
-- day (China time, UTC+8) and type; each open deal's last activity and,
-- where its sales mode has a visit plan, the plan's window (set by the
-- server when the mode is chosen), the visits it asks and those done in it.
-- idle_cube counts open deals per owner by the day of their last activity
-- (deals without any are the owner's open deals less these); plan_cube the
-- open deals with a plan by the day their window ends and whether it is met.
ALTER TABLE opportunities ADD COLUMN last_activity_at TEXT;
ALTER TABLE opportunities ADD COLUMN visit_window_end TEXT;
ALTER TABLE opportunities ADD COLUMN visit_benchmark BIGINT;
ALTER TABLE opportunities ADD COLUMN visits_in_window BIGINT NOT NULL DEFAULT 0;

UPDATE opportunities SET last_activity_at =
    (SELECT MAX(done_at) FROM activities a WHERE a.opportunity_id = opportunities.id);

-- The day (YYYY-MM-DD) of a timestamp in China time, as SQLite's
-- date(t, '+8 hours'): the instant taken to the millisecond, a string
-- without a zone read as UTC, NULL when t is NULL.
CREATE FUNCTION bf_date_utc8(t TEXT) RETURNS TEXT
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE SET TimeZone = 'UTC' AS $$
    SELECT to_char(to_timestamp(FLOOR(EXTRACT(EPOCH FROM CAST(t AS TIMESTAMPTZ)) * 1000 + 0.5)
                                / 1000) + INTERVAL '8 hours', 'YYYY-MM-DD')
$$;

CREATE TABLE activity_days (
    owner_id TEXT NOT NULL,
    day      TEXT NOT NULL,          -- YYYY-MM-DD, UTC+8
    type     TEXT NOT NULL,
    n        BIGINT NOT NULL,
    PRIMARY KEY (owner_id, day, type)
);
CREATE INDEX activity_days_day ON activity_days(day);

CREATE TABLE idle_cube (
    owner_id TEXT NOT NULL,
    day      TEXT NOT NULL,          -- YYYY-MM-DD (UTC+8) of the last activity
    n        BIGINT NOT NULL,
    PRIMARY KEY (owner_id, day)
);
CREATE INDEX idle_cube_day ON idle_cube(day);

CREATE TABLE plan_cube (
    owner_id TEXT NOT NULL,
    day      TEXT NOT NULL,          -- YYYY-MM-DD (UTC+8) the visit window ends
    met      BIGINT NOT NULL,
    n        BIGINT NOT NULL,
    PRIMARY KEY (owner_id, day, met)
);
CREATE INDEX plan_cube_day ON plan_cube(day);

INSERT INTO activity_days (owner_id, day, type, n)
    SELECT COALESCE(owner_id, ''), bf_date_utc8(done_at), type, COUNT(*)
    FROM activities WHERE done_at IS NOT NULL GROUP BY 1, 2, 3;
INSERT INTO idle_cube (owner_id, day, n)
    SELECT COALESCE(owner_id, ''), bf_date_utc8(last_activity_at), COUNT(*)
    FROM opportunities WHERE status = 'open' AND last_activity_at IS NOT NULL GROUP BY 1, 2;

CREATE FUNCTION activities_days_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.done_at IS NOT NULL THEN
        INSERT INTO activity_days AS t (owner_id, day, type, n)
        VALUES (COALESCE(NEW.owner_id, ''), bf_date_utc8(NEW.done_at), NEW.type, 1)
        ON CONFLICT (owner_id, day, type) DO UPDATE SET n = t.n + 1;
    END IF;
    UPDATE opportunities SET last_activity_at = NEW.done_at
    WHERE id = NEW.opportunity_id AND NEW.done_at IS NOT NULL
      AND (last_activity_at IS NULL OR last_activity_at < NEW.done_at);
    UPDATE opportunities SET visits_in_window = visits_in_window + 1
    WHERE id = NEW.opportunity_id AND NEW.type = 'visit' AND visit_window_end IS NOT NULL
      AND NEW.done_at >= sales_mode_since AND NEW.done_at <= visit_window_end;
    RETURN NULL;
END
$$;
CREATE TRIGGER activities_days_insert AFTER INSERT ON activities
    FOR EACH ROW EXECUTE FUNCTION activities_days_insert();

CREATE FUNCTION activities_days_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE activity_days SET n = n - 1
    WHERE owner_id = COALESCE(OLD.owner_id, '') AND day = bf_date_utc8(OLD.done_at)
      AND type = OLD.type;
    DELETE FROM activity_days
    WHERE owner_id = COALESCE(OLD.owner_id, '') AND day = bf_date_utc8(OLD.done_at)
      AND type = OLD.type AND n = 0;
    UPDATE opportunities SET
        last_activity_at = (SELECT MAX(done_at) FROM activities a
                            WHERE a.opportunity_id = OLD.opportunity_id),
        visits_in_window = (SELECT COUNT(*) FROM activities a
                            WHERE a.opportunity_id = OLD.opportunity_id AND a.type = 'visit'
                              AND a.done_at >= opportunities.sales_mode_since
                              AND a.done_at <= opportunities.visit_window_end)
    WHERE id = OLD.opportunity_id AND OLD.done_at IS NOT NULL;
    RETURN NULL;
END
$$;
CREATE TRIGGER activities_days_delete AFTER DELETE ON activities
    FOR EACH ROW EXECUTE FUNCTION activities_days_delete();

-- The deals the activity left and joined are updated one at a time, in the
-- order of their ids, as SQLite's UPDATE ... WHERE id IN (...) does, so that
-- each one's idle triggers run before the next (as there, row by row).
CREATE FUNCTION activities_days_update() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    deal TEXT;
BEGIN
    UPDATE activity_days SET n = n - 1
    WHERE owner_id = COALESCE(OLD.owner_id, '') AND day = bf_date_utc8(OLD.done_at)
      AND type = OLD.type;
    DELETE FROM activity_days
    WHERE owner_id = COALESCE(OLD.owner_id, '') AND day = bf_date_utc8(OLD.done_at)
      AND type = OLD.type AND n = 0;
    IF NEW.done_at IS NOT NULL THEN
        INSERT INTO activity_days AS t (owner_id, day, type, n)
        VALUES (COALESCE(NEW.owner_id, ''), bf_date_utc8(NEW.done_at), NEW.type, 1)
        ON CONFLICT (owner_id, day, type) DO UPDATE SET n = t.n + 1;
    END IF;
    FOR deal IN SELECT d FROM (SELECT DISTINCT d FROM unnest(ARRAY[OLD.opportunity_id,
                                   NEW.opportunity_id]) AS u(d) WHERE d IS NOT NULL) AS s
                ORDER BY d COLLATE "C" LOOP
        UPDATE opportunities SET
            last_activity_at = (SELECT MAX(done_at) FROM activities a
                                WHERE a.opportunity_id = opportunities.id),
            visits_in_window = (SELECT COUNT(*) FROM activities a
                                WHERE a.opportunity_id = opportunities.id AND a.type = 'visit'
                                  AND a.done_at >= opportunities.sales_mode_since
                                  AND a.done_at <= opportunities.visit_window_end)
        WHERE id = deal;
    END LOOP;
    RETURN NULL;
END
$$;
CREATE TRIGGER activities_days_update AFTER UPDATE OF done_at, type, owner_id, opportunity_id
    ON activities FOR EACH ROW EXECUTE FUNCTION activities_days_update();

-- A deal's visit window set anew: the visits done in it counted again
-- (after opportunities_idle_new and _old, by name here as by age in SQLite).
CREATE FUNCTION opportunities_plan_window() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE opportunities SET visits_in_window = (SELECT COUNT(*) FROM activities a
        WHERE a.opportunity_id = NEW.id AND a.type = 'visit'
          AND a.done_at >= NEW.sales_mode_since AND a.done_at <= NEW.visit_window_end)
    WHERE id = NEW.id;
    RETURN NULL;
END
$$;
CREATE TRIGGER opportunities_plan_window AFTER UPDATE OF visit_window_end, sales_mode_since
    ON opportunities FOR EACH ROW EXECUTE FUNCTION opportunities_plan_window();

-- A deal's idle and plan rows: OLD's leave (sign -1), NEW's join (1).
CREATE FUNCTION opportunities_idle_add(o opportunities, p_sign BIGINT)
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF o.status = 'open' AND o.last_activity_at IS NOT NULL THEN
        INSERT INTO idle_cube AS t (owner_id, day, n)
        VALUES (COALESCE(o.owner_id, ''), bf_date_utc8(o.last_activity_at), p_sign)
        ON CONFLICT (owner_id, day) DO UPDATE SET n = t.n + excluded.n;
    END IF;
    IF o.status = 'open' AND o.visit_window_end IS NOT NULL THEN
        INSERT INTO plan_cube AS t (owner_id, day, met, n)
        VALUES (COALESCE(o.owner_id, ''), bf_date_utc8(o.visit_window_end),
                CAST(o.visits_in_window >= o.visit_benchmark AS INTEGER), p_sign)
        ON CONFLICT (owner_id, day, met) DO UPDATE SET n = t.n + excluded.n;
    END IF;
END
$$;

CREATE FUNCTION opportunities_idle_old() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM opportunities_idle_add(OLD, -1);
    RETURN NULL;
END
$$;
CREATE TRIGGER opportunities_idle_old AFTER UPDATE OF status, owner_id, last_activity_at,
    visit_window_end, visit_benchmark, visits_in_window ON opportunities
    FOR EACH ROW EXECUTE FUNCTION opportunities_idle_old();

CREATE FUNCTION opportunities_idle_new() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM opportunities_idle_add(NEW, 1);
    DELETE FROM idle_cube WHERE n = 0 AND owner_id IN (COALESCE(OLD.owner_id, ''),
        COALESCE(NEW.owner_id, ''));
    DELETE FROM plan_cube WHERE n = 0 AND owner_id IN (COALESCE(OLD.owner_id, ''),
        COALESCE(NEW.owner_id, ''));
    RETURN NULL;
END
$$;
CREATE TRIGGER opportunities_idle_new AFTER UPDATE OF status, owner_id, last_activity_at,
    visit_window_end, visit_benchmark, visits_in_window ON opportunities
    FOR EACH ROW EXECUTE FUNCTION opportunities_idle_new();

CREATE FUNCTION opportunities_idle_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM opportunities_idle_add(OLD, -1);
    RETURN NULL;
END
$$;
CREATE TRIGGER opportunities_idle_delete AFTER DELETE ON opportunities
    FOR EACH ROW EXECUTE FUNCTION opportunities_idle_delete();

-- Each summary holds, beside the rows of each owner, rows of every owner
-- together (owner_id '*'), kept by the triggers below from the owners'
-- changes: what a report of everyone reads (an admin's).
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

-- An owner's row added or changed: the difference goes to everyone's.
CREATE FUNCTION forecast_cube_all() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    d BIGINT := NEW.deals; a BIGINT := NEW.amount; w BIGINT := NEW.weighted;
BEGIN
    IF TG_OP = 'UPDATE' THEN
        d := d - OLD.deals; a := a - OLD.amount; w := w - OLD.weighted;
    END IF;
    INSERT INTO forecast_cube AS t VALUES ('*', NEW.currency, NEW.month, NEW.playbook,
        NEW.category, d, a, w)
    ON CONFLICT (owner_id, currency, month, playbook, category) DO UPDATE SET
        deals = t.deals + excluded.deals, amount = t.amount + excluded.amount,
        weighted = t.weighted + excluded.weighted;
    RETURN NULL;
END
$$;
CREATE TRIGGER forecast_cube_all AFTER INSERT OR UPDATE ON forecast_cube
    FOR EACH ROW WHEN (NEW.owner_id <> '*') EXECUTE FUNCTION forecast_cube_all();

CREATE FUNCTION outcome_cube_all() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    d BIGINT := NEW.deals; a BIGINT := NEW.amount; c BIGINT := NEW.total_days;
BEGIN
    IF TG_OP = 'UPDATE' THEN
        d := d - OLD.deals; a := a - OLD.amount; c := c - OLD.total_days;
    END IF;
    INSERT INTO outcome_cube AS t VALUES ('*', NEW.currency, NEW.month, NEW.playbook,
        NEW.status, NEW.stage, NEW.sales_mode, NEW.band, NEW.reason, NEW.won_by, d, a, c)
    ON CONFLICT (owner_id, currency, month, playbook, status, stage, sales_mode, band, reason,
                 won_by) DO UPDATE SET
        deals = t.deals + excluded.deals, amount = t.amount + excluded.amount,
        total_days = t.total_days + excluded.total_days;
    RETURN NULL;
END
$$;
CREATE TRIGGER outcome_cube_all AFTER INSERT OR UPDATE ON outcome_cube
    FOR EACH ROW WHEN (NEW.owner_id <> '*') EXECUTE FUNCTION outcome_cube_all();

CREATE FUNCTION stage_flow_all() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    k BIGINT := NEW.n; d BIGINT := NEW.total_days;
BEGIN
    IF TG_OP = 'UPDATE' THEN
        k := k - OLD.n; d := d - OLD.total_days;
    END IF;
    INSERT INTO stage_flow AS t VALUES ('*', NEW.playbook, NEW.stage, NEW.month, NEW.event,
        NEW.days, k, d)
    ON CONFLICT (owner_id, playbook, stage, month, event, days) DO UPDATE SET
        n = t.n + excluded.n, total_days = t.total_days + excluded.total_days;
    RETURN NULL;
END
$$;
CREATE TRIGGER stage_flow_all AFTER INSERT OR UPDATE ON stage_flow
    FOR EACH ROW WHEN (NEW.owner_id <> '*') EXECUTE FUNCTION stage_flow_all();

CREATE FUNCTION stage_outcomes_all() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    k BIGINT := NEW.n;
BEGIN
    IF TG_OP = 'UPDATE' THEN
        k := k - OLD.n;
    END IF;
    INSERT INTO stage_outcomes AS t VALUES ('*', NEW.playbook, NEW.stage, NEW.month, NEW.won, k)
    ON CONFLICT (owner_id, playbook, stage, month, won) DO UPDATE SET n = t.n + excluded.n;
    RETURN NULL;
END
$$;
CREATE TRIGGER stage_outcomes_all AFTER INSERT OR UPDATE ON stage_outcomes
    FOR EACH ROW WHEN (NEW.owner_id <> '*') EXECUTE FUNCTION stage_outcomes_all();

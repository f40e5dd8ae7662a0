-- bingfa schema version 27 (PostgreSQL): how long open deals have stood in
-- their stage, per owner (ageing and stalled by owner, docs/reports.md).
--
-- Each open deal is counted by the day (China time, UTC+8) it entered its
-- current stage, in age_days, and by that day's month, in age_months: a
-- report reads an owner's days of the last few months and the months before
-- them, a few rows per owner, and buckets them by their age today (days that
-- pass change no row). Kept by the triggers below as deals are made, move,
-- close, reopen, change owner or are deleted.

CREATE TABLE age_days (
    owner_id TEXT NOT NULL,
    currency TEXT NOT NULL,
    day      TEXT NOT NULL,          -- YYYY-MM-DD the deal entered its stage (UTC+8)
    deals    BIGINT NOT NULL,
    amount   BIGINT NOT NULL,
    PRIMARY KEY (owner_id, day, currency)
);

CREATE TABLE age_months (
    owner_id TEXT NOT NULL,
    currency TEXT NOT NULL,
    month    TEXT NOT NULL,          -- YYYY-MM of that day
    deals    BIGINT NOT NULL,
    amount   BIGINT NOT NULL,
    PRIMARY KEY (owner_id, month, currency)
);

CREATE VIEW deal_age_rows AS
    SELECT id AS opportunity_id, COALESCE(owner_id, '') AS owner_id, currency,
           bf_date_utc8(COALESCE(stage_changed_at, created_at)) AS day,
           substr(bf_date_utc8(COALESCE(stage_changed_at, created_at)), 1, 7) AS month,
           COALESCE(amount, 0) AS amount
    FROM opportunities WHERE status = 'open';

INSERT INTO age_days
    SELECT owner_id, currency, day, COUNT(*), SUM(amount) FROM deal_age_rows GROUP BY 1, 2, 3;
INSERT INTO age_months
    SELECT owner_id, currency, month, COUNT(*), SUM(amount) FROM deal_age_rows GROUP BY 1, 2, 3;

-- A deal's rows: OLD's leave (sign -1), NEW's join (1).
CREATE FUNCTION opportunities_age_add(o opportunities, p_sign BIGINT)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    d TEXT := bf_date_utc8(COALESCE(o.stage_changed_at, o.created_at));
BEGIN
    IF o.status = 'open' THEN
        INSERT INTO age_days AS t VALUES (COALESCE(o.owner_id, ''), o.currency, d, p_sign,
            p_sign * COALESCE(o.amount, 0))
        ON CONFLICT (owner_id, day, currency) DO UPDATE SET deals = t.deals + excluded.deals,
            amount = t.amount + excluded.amount;
        INSERT INTO age_months AS t VALUES (COALESCE(o.owner_id, ''), o.currency,
            substr(d, 1, 7), p_sign, p_sign * COALESCE(o.amount, 0))
        ON CONFLICT (owner_id, month, currency) DO UPDATE SET deals = t.deals + excluded.deals,
            amount = t.amount + excluded.amount;
    END IF;
END
$$;

CREATE FUNCTION opportunities_age() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        PERFORM opportunities_age_add(OLD, -1);
    END IF;
    IF TG_OP <> 'DELETE' THEN
        PERFORM opportunities_age_add(NEW, 1);
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER opportunities_age_insert AFTER INSERT ON opportunities
    FOR EACH ROW WHEN (NEW.status = 'open') EXECUTE FUNCTION opportunities_age();
CREATE TRIGGER opportunities_age_update AFTER UPDATE OF status, owner_id, currency, amount,
    stage_changed_at, created_at ON opportunities
    FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status
        OR OLD.owner_id IS DISTINCT FROM NEW.owner_id OR OLD.currency IS DISTINCT FROM NEW.currency
        OR OLD.amount IS DISTINCT FROM NEW.amount
        OR OLD.stage_changed_at IS DISTINCT FROM NEW.stage_changed_at
        OR OLD.created_at IS DISTINCT FROM NEW.created_at)
    EXECUTE FUNCTION opportunities_age();
CREATE TRIGGER opportunities_age_delete AFTER DELETE ON opportunities
    FOR EACH ROW WHEN (OLD.status = 'open') EXECUTE FUNCTION opportunities_age();

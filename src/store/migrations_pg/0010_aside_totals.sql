-- bingfa schema version 10 (PostgreSQL): the totals of the deals seen aside,
-- per scope of people, as src/store/migrations/0010_aside_totals.sql (which
-- explains the tables). The triggers are PL/pgSQL functions doing what the
-- SQLite triggers do.
CREATE TABLE team_scopes (
    team_id TEXT NOT NULL,
    scope   TEXT NOT NULL,
    PRIMARY KEY (team_id, scope)
);
CREATE INDEX team_scopes_scope ON team_scopes(scope, team_id);

CREATE TABLE deal_scopes (
    scope          TEXT NOT NULL,
    opportunity_id TEXT NOT NULL,
    n              BIGINT NOT NULL,
    PRIMARY KEY (scope, opportunity_id)
);
CREATE INDEX deal_scopes_deal ON deal_scopes(opportunity_id, scope);

CREATE TABLE aside_funnel_totals (
    scope         TEXT NOT NULL,
    playbook      TEXT NOT NULL,
    currency      TEXT NOT NULL,
    owner_id      TEXT NOT NULL,
    owner         TEXT NOT NULL,
    stage         TEXT NOT NULL,
    mant_complete BIGINT NOT NULL,
    deals         BIGINT NOT NULL,
    amount        BIGINT NOT NULL,
    weighted      BIGINT NOT NULL,
    PRIMARY KEY (scope, playbook, currency, owner_id, owner, stage, mant_complete)
);

CREATE TABLE aside_forecast_totals (
    scope    TEXT NOT NULL,
    currency TEXT NOT NULL,
    owner_id TEXT NOT NULL,
    month    TEXT NOT NULL,
    deals    BIGINT NOT NULL,
    amount   BIGINT NOT NULL,
    weighted BIGINT NOT NULL,
    PRIMARY KEY (scope, currency, owner_id, month)
);

CREATE TABLE aside_counts (
    scope    TEXT NOT NULL,
    owner_id TEXT NOT NULL,
    deals    BIGINT NOT NULL,
    PRIMARY KEY (scope, owner_id)
);

-- Every deal per owner, any status (see the SQLite migration).
CREATE TABLE owner_counts (
    owner_id TEXT NOT NULL PRIMARY KEY,
    deals    BIGINT NOT NULL
);
INSERT INTO owner_counts
    SELECT COALESCE(owner_id, ''), COUNT(*) FROM opportunities GROUP BY 1;

CREATE FUNCTION opportunities_owner_counts() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.owner_id IS NOT DISTINCT FROM NEW.owner_id THEN
        RETURN NULL;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        UPDATE owner_counts SET deals = deals - 1 WHERE owner_id = COALESCE(OLD.owner_id, '');
        DELETE FROM owner_counts WHERE owner_id = COALESCE(OLD.owner_id, '') AND deals = 0;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO owner_counts AS t VALUES (COALESCE(NEW.owner_id, ''), 1)
        ON CONFLICT (owner_id) DO UPDATE SET deals = t.deals + 1;
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER opportunities_owner_counts AFTER INSERT OR DELETE OR UPDATE OF owner_id
    ON opportunities FOR EACH ROW EXECUTE FUNCTION opportunities_owner_counts();

INSERT INTO team_scopes
    WITH RECURSIVE above(team_id, ancestor) AS (
        SELECT id, id FROM teams
        UNION ALL
        SELECT a.team_id, t.parent_id FROM above a JOIN teams t ON t.id = a.ancestor
        WHERE t.parent_id IS NOT NULL)
    SELECT team_id, 's:' || ancestor FROM above
    UNION
    SELECT id, 't:' || id FROM teams;

INSERT INTO deal_scopes
    SELECT scope, opportunity_id, COUNT(*) FROM (
        SELECT 'u:' || m.user_id AS scope, m.opportunity_id FROM opportunity_members m
        UNION ALL
        SELECT ts.scope, m.opportunity_id FROM opportunity_members m
        JOIN users u ON u.id = m.user_id JOIN team_scopes ts ON ts.team_id = u.team_id) AS s
    GROUP BY 1, 2;

INSERT INTO aside_funnel_totals
    SELECT ds.scope, o.playbook, o.currency, COALESCE(o.owner_id, ''), COALESCE(o.owner, ''),
           o.stage, o.mant_complete, COUNT(*), SUM(o.amount), SUM(o.amount * o.probability)
    FROM deal_scopes ds JOIN opportunities o ON o.id = ds.opportunity_id
    WHERE o.status = 'open'
    GROUP BY 1, 2, 3, 4, 5, 6, 7;
INSERT INTO aside_forecast_totals
    SELECT ds.scope, o.currency, COALESCE(o.owner_id, ''),
           COALESCE(substr(o.expected_close, 1, 7), ''), COUNT(*), SUM(o.amount),
           SUM(o.amount * o.probability)
    FROM deal_scopes ds JOIN opportunities o ON o.id = ds.opportunity_id
    WHERE o.status = 'open'
    GROUP BY 1, 2, 3, 4;

INSERT INTO aside_counts
    SELECT ds.scope, COALESCE(o.owner_id, ''), COUNT(*)
    FROM deal_scopes ds JOIN opportunities o ON o.id = ds.opportunity_id
    GROUP BY 1, 2;

-- A deal joins (p_sign 1) or leaves (-1) the count of a scope's deals of its
-- owner, whatever its status.
CREATE FUNCTION aside_counts_add(p_scope TEXT, p_owner_id TEXT, p_sign BIGINT)
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO aside_counts AS t VALUES (p_scope, COALESCE(p_owner_id, ''), p_sign)
    ON CONFLICT (scope, owner_id) DO UPDATE SET deals = t.deals + excluded.deals;
    IF p_sign < 0 THEN
        DELETE FROM aside_counts
        WHERE scope = p_scope AND owner_id = COALESCE(p_owner_id, '') AND deals = 0;
    END IF;
END
$$;

-- A deal's figures join (sign 1) or leave (sign -1) the totals of a scope
-- (an open deal only); a total that reaches no deal goes.
CREATE FUNCTION aside_totals_add(p_scope TEXT, o opportunities, p_sign BIGINT)
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF o.status IS DISTINCT FROM 'open' THEN
        RETURN;
    END IF;
    INSERT INTO aside_funnel_totals AS t VALUES (p_scope, o.playbook, o.currency,
        COALESCE(o.owner_id, ''), COALESCE(o.owner, ''), o.stage, o.mant_complete, p_sign,
        p_sign * o.amount, p_sign * o.amount * o.probability)
    ON CONFLICT (scope, playbook, currency, owner_id, owner, stage, mant_complete) DO UPDATE SET
        deals = t.deals + excluded.deals, amount = t.amount + excluded.amount,
        weighted = t.weighted + excluded.weighted;
    INSERT INTO aside_forecast_totals AS t VALUES (p_scope, o.currency, COALESCE(o.owner_id, ''),
        COALESCE(substr(o.expected_close, 1, 7), ''), p_sign, p_sign * o.amount,
        p_sign * o.amount * o.probability)
    ON CONFLICT (scope, currency, owner_id, month) DO UPDATE SET
        deals = t.deals + excluded.deals, amount = t.amount + excluded.amount,
        weighted = t.weighted + excluded.weighted;
    IF p_sign < 0 THEN
        DELETE FROM aside_funnel_totals
        WHERE scope = p_scope AND playbook = o.playbook AND currency = o.currency
          AND owner_id = COALESCE(o.owner_id, '') AND owner = COALESCE(o.owner, '')
          AND stage = o.stage AND mant_complete = o.mant_complete AND deals = 0;
        DELETE FROM aside_forecast_totals
        WHERE scope = p_scope AND currency = o.currency AND owner_id = COALESCE(o.owner_id, '')
          AND month = COALESCE(substr(o.expected_close, 1, 7), '') AND deals = 0;
    END IF;
END
$$;

-- A scope row comes or goes: the deal joins or leaves the scope's totals.
CREATE FUNCTION deal_scopes_totals() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    o opportunities;
BEGIN
    IF TG_OP = 'INSERT' THEN
        SELECT * INTO o FROM opportunities WHERE id = NEW.opportunity_id;
        IF FOUND THEN
            PERFORM aside_totals_add(NEW.scope, o, 1);
            PERFORM aside_counts_add(NEW.scope, o.owner_id, 1);
        END IF;
    ELSE
        SELECT * INTO o FROM opportunities WHERE id = OLD.opportunity_id;
        IF FOUND THEN
            PERFORM aside_totals_add(OLD.scope, o, -1);
            PERFORM aside_counts_add(OLD.scope, o.owner_id, -1);
        END IF;
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER deal_scopes_totals AFTER INSERT OR DELETE ON deal_scopes
    FOR EACH ROW EXECUTE FUNCTION deal_scopes_totals();

-- A deal that changes: its old figures leave every scope it is in, the new
-- ones join.
CREATE FUNCTION opportunities_aside_update() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    s TEXT;
BEGIN
    FOR s IN SELECT scope FROM deal_scopes WHERE opportunity_id = NEW.id LOOP
        PERFORM aside_totals_add(s, OLD, -1);
        PERFORM aside_totals_add(s, NEW, 1);
        IF OLD.owner_id IS DISTINCT FROM NEW.owner_id THEN
            PERFORM aside_counts_add(s, OLD.owner_id, -1);
            PERFORM aside_counts_add(s, NEW.owner_id, 1);
        END IF;
    END LOOP;
    RETURN NULL;
END
$$;
CREATE TRIGGER opportunities_aside_update AFTER UPDATE OF status, playbook, currency, owner_id,
    owner, stage, mant_complete, amount, probability, expected_close
    ON opportunities FOR EACH ROW EXECUTE FUNCTION opportunities_aside_update();

-- Before a deal goes (its deal team goes with it, by cascade): its scope
-- rows go first, while the deal is still there to subtract.
CREATE FUNCTION opportunities_aside_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM deal_scopes WHERE opportunity_id = OLD.id;
    RETURN OLD;
END
$$;
CREATE TRIGGER opportunities_aside_delete BEFORE DELETE ON opportunities
    FOR EACH ROW EXECUTE FUNCTION opportunities_aside_delete();

-- Someone joins or leaves a deal team: the deal joins or leaves each scope
-- of theirs (when they are the first, or the last, of that scope on it).
CREATE FUNCTION opportunity_members_scopes() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO deal_scopes AS d
            SELECT s.scope, NEW.opportunity_id, 1 FROM (
                SELECT 'u:' || NEW.user_id AS scope
                UNION ALL
                SELECT ts.scope FROM users u JOIN team_scopes ts ON ts.team_id = u.team_id
                WHERE u.id = NEW.user_id) AS s
        ON CONFLICT (scope, opportunity_id) DO UPDATE SET n = d.n + 1;
    ELSE
        UPDATE deal_scopes SET n = n - 1
        WHERE opportunity_id = OLD.opportunity_id AND scope IN (
            SELECT 'u:' || OLD.user_id
            UNION ALL
            SELECT ts.scope FROM users u JOIN team_scopes ts ON ts.team_id = u.team_id
            WHERE u.id = OLD.user_id);
        DELETE FROM deal_scopes WHERE opportunity_id = OLD.opportunity_id AND n <= 0;
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER opportunity_members_scopes AFTER INSERT OR DELETE ON opportunity_members
    FOR EACH ROW EXECUTE FUNCTION opportunity_members_scopes();

-- A user changes team: their deals leave the scopes they are no longer in
-- and join the new ones.
CREATE FUNCTION users_scopes_move() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.team_id IS NOT DISTINCT FROM NEW.team_id THEN
        RETURN NULL;
    END IF;
    UPDATE deal_scopes SET n = n - 1
    WHERE opportunity_id IN (SELECT opportunity_id FROM opportunity_members
                             WHERE user_id = NEW.id)
      AND scope IN (SELECT scope FROM team_scopes WHERE team_id = OLD.team_id
                    EXCEPT SELECT scope FROM team_scopes WHERE team_id = NEW.team_id);
    DELETE FROM deal_scopes
    WHERE opportunity_id IN (SELECT opportunity_id FROM opportunity_members
                             WHERE user_id = NEW.id)
      AND scope IN (SELECT scope FROM team_scopes WHERE team_id = OLD.team_id)
      AND n <= 0;
    INSERT INTO deal_scopes AS d
        SELECT g.scope, m.opportunity_id, 1
        FROM (SELECT scope FROM team_scopes WHERE team_id = NEW.team_id
              EXCEPT SELECT scope FROM team_scopes WHERE team_id = OLD.team_id) AS g,
             opportunity_members m
        WHERE m.user_id = NEW.id
    ON CONFLICT (scope, opportunity_id) DO UPDATE SET n = d.n + 1;
    RETURN NULL;
END
$$;
CREATE TRIGGER users_scopes_move AFTER UPDATE OF team_id ON users
    FOR EACH ROW EXECUTE FUNCTION users_scopes_move();

-- Teams: a new team's scopes are its own and those above it; a team moved
-- under another parent takes its whole subtree, with their users' deals,
-- out of the scopes above it that it leaves and into those it joins.
CREATE FUNCTION teams_scopes() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO team_scopes VALUES (NEW.id, 't:' || NEW.id), (NEW.id, 's:' || NEW.id);
        INSERT INTO team_scopes
            SELECT NEW.id, scope FROM team_scopes
            WHERE team_id = NEW.parent_id AND scope LIKE 's:%';
        RETURN NULL;
    END IF;
    IF TG_OP = 'DELETE' THEN
        DELETE FROM deal_scopes WHERE scope IN ('t:' || OLD.id, 's:' || OLD.id);
        DELETE FROM team_scopes WHERE team_id = OLD.id;
        RETURN NULL;
    END IF;
    IF OLD.parent_id IS NOT DISTINCT FROM NEW.parent_id THEN
        RETURN NULL;
    END IF;
    WITH lost AS (
            SELECT scope FROM team_scopes WHERE team_id = OLD.parent_id AND scope LIKE 's:%'
            EXCEPT SELECT scope FROM team_scopes
            WHERE team_id = NEW.parent_id AND scope LIKE 's:%'),
         moved AS (
            SELECT m.opportunity_id, COUNT(*) AS k FROM team_scopes d
            JOIN users u ON u.team_id = d.team_id
            JOIN opportunity_members m ON m.user_id = u.id
            WHERE d.scope = 's:' || NEW.id GROUP BY m.opportunity_id)
    UPDATE deal_scopes ds SET n = ds.n - x.k FROM moved x, lost g
    WHERE ds.opportunity_id = x.opportunity_id AND ds.scope = g.scope;
    DELETE FROM deal_scopes
    WHERE scope IN (SELECT scope FROM team_scopes
                    WHERE team_id = OLD.parent_id AND scope LIKE 's:%')
      AND opportunity_id IN (SELECT m.opportunity_id FROM team_scopes d
                             JOIN users u ON u.team_id = d.team_id
                             JOIN opportunity_members m ON m.user_id = u.id
                             WHERE d.scope = 's:' || NEW.id)
      AND n <= 0;
    WITH gained AS (
            SELECT scope FROM team_scopes WHERE team_id = NEW.parent_id AND scope LIKE 's:%'
            EXCEPT SELECT scope FROM team_scopes
            WHERE team_id = OLD.parent_id AND scope LIKE 's:%'),
         moved AS (
            SELECT m.opportunity_id, COUNT(*) AS k FROM team_scopes d
            JOIN users u ON u.team_id = d.team_id
            JOIN opportunity_members m ON m.user_id = u.id
            WHERE d.scope = 's:' || NEW.id GROUP BY m.opportunity_id)
    INSERT INTO deal_scopes AS d
        SELECT g.scope, x.opportunity_id, x.k FROM gained g, moved x
    ON CONFLICT (scope, opportunity_id) DO UPDATE SET n = d.n + excluded.n;
    DELETE FROM team_scopes
    WHERE team_id IN (SELECT team_id FROM team_scopes WHERE scope = 's:' || NEW.id)
      AND scope IN (SELECT scope FROM team_scopes
                    WHERE team_id = OLD.parent_id AND scope LIKE 's:%'
                    EXCEPT SELECT scope FROM team_scopes
                    WHERE team_id = NEW.parent_id AND scope LIKE 's:%');
    INSERT INTO team_scopes
        SELECT d.team_id, a.scope FROM team_scopes d, team_scopes a
        WHERE d.scope = 's:' || NEW.id AND a.team_id = NEW.parent_id AND a.scope LIKE 's:%'
    ON CONFLICT DO NOTHING;
    RETURN NULL;
END
$$;
CREATE TRIGGER teams_scopes AFTER INSERT OR DELETE OR UPDATE OF parent_id ON teams
    FOR EACH ROW EXECUTE FUNCTION teams_scopes();

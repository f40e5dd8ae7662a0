-- Deals seen aside: a salesperson, consultant or manager sees the deals of
-- their people (the totals of migration 7, per owner) and, besides, the deals
-- on whose deal team one of their people is. Those are summed here too, so
-- that a report never reads them deal by deal.
--
-- A viewer's people are one of three groups, each named by a scope:
--   'u:<user>'  the user alone;
--   't:<team>'  the users of one team (a team that shares its deals);
--   's:<team>'  the users of a team and of every team below it (a manager).
-- deal_scopes holds, for each scope and deal, how many of the scope's users
-- are on the deal's team (n, at least 1): a deal is counted once per scope
-- however many of its people are on it. aside_funnel_totals and
-- aside_forecast_totals add up the open deals of each scope, per owner, so
-- that a report leaves out the owners it already counts (its people);
-- aside_counts counts them all (any status), and owner_counts every deal
-- per owner, so that a list knows how many deals it sees, its own people's
-- and aside, before it chooses how to read them.
-- Everything is kept by the triggers below, in the writing transaction.

-- The scopes each team's users belong to: its own ('t:' and 's:') and the
-- 's:' scope of every team above it.
CREATE TABLE team_scopes (
    team_id TEXT NOT NULL,
    scope   TEXT NOT NULL,
    PRIMARY KEY (team_id, scope)
) WITHOUT ROWID;
CREATE INDEX team_scopes_scope ON team_scopes(scope, team_id);

CREATE TABLE deal_scopes (
    scope          TEXT NOT NULL,
    opportunity_id TEXT NOT NULL,
    n              INTEGER NOT NULL,
    PRIMARY KEY (scope, opportunity_id)
) WITHOUT ROWID;
CREATE INDEX deal_scopes_deal ON deal_scopes(opportunity_id, scope);

CREATE TABLE aside_funnel_totals (
    scope         TEXT NOT NULL,
    playbook      TEXT NOT NULL,
    currency      TEXT NOT NULL,
    owner_id      TEXT NOT NULL,
    owner         TEXT NOT NULL,
    stage         TEXT NOT NULL,
    mant_complete INTEGER NOT NULL,
    deals         INTEGER NOT NULL,
    amount        INTEGER NOT NULL,
    weighted      INTEGER NOT NULL,
    PRIMARY KEY (scope, playbook, currency, owner_id, owner, stage, mant_complete)
) WITHOUT ROWID;

CREATE TABLE aside_forecast_totals (
    scope    TEXT NOT NULL,
    currency TEXT NOT NULL,
    owner_id TEXT NOT NULL,
    month    TEXT NOT NULL,
    deals    INTEGER NOT NULL,
    amount   INTEGER NOT NULL,
    weighted INTEGER NOT NULL,
    PRIMARY KEY (scope, currency, owner_id, month)
) WITHOUT ROWID;

CREATE TABLE aside_counts (
    scope    TEXT NOT NULL,
    owner_id TEXT NOT NULL,
    deals    INTEGER NOT NULL,
    PRIMARY KEY (scope, owner_id)
) WITHOUT ROWID;

CREATE TABLE owner_counts (
    owner_id TEXT NOT NULL PRIMARY KEY,
    deals    INTEGER NOT NULL
) WITHOUT ROWID;
INSERT INTO owner_counts
    SELECT COALESCE(owner_id, ''), COUNT(*) FROM opportunities GROUP BY 1;

CREATE TRIGGER opportunities_owner_counts_insert AFTER INSERT ON opportunities
BEGIN
    INSERT INTO owner_counts VALUES (COALESCE(NEW.owner_id, ''), 1)
    ON CONFLICT (owner_id) DO UPDATE SET deals = deals + 1;
END;

CREATE TRIGGER opportunities_owner_counts_delete AFTER DELETE ON opportunities
BEGIN
    UPDATE owner_counts SET deals = deals - 1 WHERE owner_id = COALESCE(OLD.owner_id, '');
    DELETE FROM owner_counts WHERE owner_id = COALESCE(OLD.owner_id, '') AND deals = 0;
END;

CREATE TRIGGER opportunities_owner_counts_update AFTER UPDATE OF owner_id ON opportunities
WHEN OLD.owner_id IS NOT NEW.owner_id
BEGIN
    UPDATE owner_counts SET deals = deals - 1 WHERE owner_id = COALESCE(OLD.owner_id, '');
    DELETE FROM owner_counts WHERE owner_id = COALESCE(OLD.owner_id, '') AND deals = 0;
    INSERT INTO owner_counts VALUES (COALESCE(NEW.owner_id, ''), 1)
    ON CONFLICT (owner_id) DO UPDATE SET deals = deals + 1;
END;

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
        JOIN users u ON u.id = m.user_id JOIN team_scopes ts ON ts.team_id = u.team_id)
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

-- A scope row comes or goes: the deal's figures join or leave the scope's
-- totals (an open deal only; when the deal itself is being deleted its row
-- is still there: see opportunities_aside_delete).
CREATE TRIGGER deal_scopes_totals_insert AFTER INSERT ON deal_scopes
BEGIN
    INSERT INTO aside_funnel_totals
        SELECT NEW.scope, o.playbook, o.currency, COALESCE(o.owner_id, ''),
               COALESCE(o.owner, ''), o.stage, o.mant_complete, 1, o.amount,
               o.amount * o.probability
        FROM opportunities o WHERE o.id = NEW.opportunity_id AND o.status = 'open'
    ON CONFLICT (scope, playbook, currency, owner_id, owner, stage, mant_complete) DO UPDATE SET
        deals = deals + 1, amount = amount + excluded.amount,
        weighted = weighted + excluded.weighted;
    INSERT INTO aside_forecast_totals
        SELECT NEW.scope, o.currency, COALESCE(o.owner_id, ''),
               COALESCE(substr(o.expected_close, 1, 7), ''), 1, o.amount,
               o.amount * o.probability
        FROM opportunities o WHERE o.id = NEW.opportunity_id AND o.status = 'open'
    ON CONFLICT (scope, currency, owner_id, month) DO UPDATE SET
        deals = deals + 1, amount = amount + excluded.amount,
        weighted = weighted + excluded.weighted;
    INSERT INTO aside_counts
        SELECT NEW.scope, COALESCE(o.owner_id, ''), 1
        FROM opportunities o WHERE o.id = NEW.opportunity_id
    ON CONFLICT (scope, owner_id) DO UPDATE SET deals = deals + 1;
END;

CREATE TRIGGER deal_scopes_totals_delete AFTER DELETE ON deal_scopes
BEGIN
    UPDATE aside_funnel_totals SET deals = deals - 1,
        amount = amount - (SELECT amount FROM opportunities WHERE id = OLD.opportunity_id),
        weighted = weighted - (SELECT amount * probability FROM opportunities
                               WHERE id = OLD.opportunity_id)
    WHERE scope = OLD.scope
      AND (playbook, currency, owner_id, owner, stage, mant_complete) IN (
        SELECT playbook, currency, COALESCE(owner_id, ''), COALESCE(owner, ''), stage,
               mant_complete
        FROM opportunities WHERE id = OLD.opportunity_id AND status = 'open');
    DELETE FROM aside_funnel_totals
    WHERE scope = OLD.scope AND deals = 0
      AND (playbook, currency, owner_id, owner, stage, mant_complete) IN (
        SELECT playbook, currency, COALESCE(owner_id, ''), COALESCE(owner, ''), stage,
               mant_complete
        FROM opportunities WHERE id = OLD.opportunity_id AND status = 'open');
    UPDATE aside_forecast_totals SET deals = deals - 1,
        amount = amount - (SELECT amount FROM opportunities WHERE id = OLD.opportunity_id),
        weighted = weighted - (SELECT amount * probability FROM opportunities
                               WHERE id = OLD.opportunity_id)
    WHERE scope = OLD.scope
      AND (currency, owner_id, month) IN (
        SELECT currency, COALESCE(owner_id, ''), COALESCE(substr(expected_close, 1, 7), '')
        FROM opportunities WHERE id = OLD.opportunity_id AND status = 'open');
    DELETE FROM aside_forecast_totals
    WHERE scope = OLD.scope AND deals = 0
      AND (currency, owner_id, month) IN (
        SELECT currency, COALESCE(owner_id, ''), COALESCE(substr(expected_close, 1, 7), '')
        FROM opportunities WHERE id = OLD.opportunity_id AND status = 'open');
    UPDATE aside_counts SET deals = deals - 1
    WHERE scope = OLD.scope AND owner_id = (SELECT COALESCE(owner_id, '') FROM opportunities
                                            WHERE id = OLD.opportunity_id);
    DELETE FROM aside_counts
    WHERE scope = OLD.scope AND owner_id = (SELECT COALESCE(owner_id, '') FROM opportunities
                                            WHERE id = OLD.opportunity_id) AND deals = 0;
END;

-- A deal that changes: its old figures leave every scope it is in, the new
-- ones join.
CREATE TRIGGER opportunities_aside_update_old AFTER UPDATE OF status, playbook, currency,
    owner_id, owner, stage, mant_complete, amount, probability, expected_close ON opportunities
WHEN OLD.status = 'open'
BEGIN
    UPDATE aside_funnel_totals SET deals = deals - 1, amount = amount - OLD.amount,
        weighted = weighted - OLD.amount * OLD.probability
    WHERE scope IN (SELECT scope FROM deal_scopes WHERE opportunity_id = OLD.id)
      AND playbook = OLD.playbook AND currency = OLD.currency
      AND owner_id = COALESCE(OLD.owner_id, '') AND owner = COALESCE(OLD.owner, '')
      AND stage = OLD.stage AND mant_complete = OLD.mant_complete;
    DELETE FROM aside_funnel_totals
    WHERE scope IN (SELECT scope FROM deal_scopes WHERE opportunity_id = OLD.id)
      AND playbook = OLD.playbook AND currency = OLD.currency
      AND owner_id = COALESCE(OLD.owner_id, '') AND owner = COALESCE(OLD.owner, '')
      AND stage = OLD.stage AND mant_complete = OLD.mant_complete AND deals = 0;
    UPDATE aside_forecast_totals SET deals = deals - 1, amount = amount - OLD.amount,
        weighted = weighted - OLD.amount * OLD.probability
    WHERE scope IN (SELECT scope FROM deal_scopes WHERE opportunity_id = OLD.id)
      AND currency = OLD.currency AND owner_id = COALESCE(OLD.owner_id, '')
      AND month = COALESCE(substr(OLD.expected_close, 1, 7), '');
    DELETE FROM aside_forecast_totals
    WHERE scope IN (SELECT scope FROM deal_scopes WHERE opportunity_id = OLD.id)
      AND currency = OLD.currency AND owner_id = COALESCE(OLD.owner_id, '')
      AND month = COALESCE(substr(OLD.expected_close, 1, 7), '') AND deals = 0;
END;

CREATE TRIGGER opportunities_aside_update_new AFTER UPDATE OF status, playbook, currency,
    owner_id, owner, stage, mant_complete, amount, probability, expected_close ON opportunities
WHEN NEW.status = 'open'
BEGIN
    INSERT INTO aside_funnel_totals
        SELECT ds.scope, NEW.playbook, NEW.currency, COALESCE(NEW.owner_id, ''),
               COALESCE(NEW.owner, ''), NEW.stage, NEW.mant_complete, 1, NEW.amount,
               NEW.amount * NEW.probability
        FROM deal_scopes ds WHERE ds.opportunity_id = NEW.id
    ON CONFLICT (scope, playbook, currency, owner_id, owner, stage, mant_complete) DO UPDATE SET
        deals = deals + 1, amount = amount + excluded.amount,
        weighted = weighted + excluded.weighted;
    INSERT INTO aside_forecast_totals
        SELECT ds.scope, NEW.currency, COALESCE(NEW.owner_id, ''),
               COALESCE(substr(NEW.expected_close, 1, 7), ''), 1, NEW.amount,
               NEW.amount * NEW.probability
        FROM deal_scopes ds WHERE ds.opportunity_id = NEW.id
    ON CONFLICT (scope, currency, owner_id, month) DO UPDATE SET
        deals = deals + 1, amount = amount + excluded.amount,
        weighted = weighted + excluded.weighted;
END;

CREATE TRIGGER opportunities_aside_owner AFTER UPDATE OF owner_id ON opportunities
WHEN OLD.owner_id IS NOT NEW.owner_id
BEGIN
    UPDATE aside_counts SET deals = deals - 1
    WHERE scope IN (SELECT scope FROM deal_scopes WHERE opportunity_id = OLD.id)
      AND owner_id = COALESCE(OLD.owner_id, '');
    DELETE FROM aside_counts
    WHERE scope IN (SELECT scope FROM deal_scopes WHERE opportunity_id = OLD.id)
      AND owner_id = COALESCE(OLD.owner_id, '') AND deals = 0;
    INSERT INTO aside_counts
        SELECT ds.scope, COALESCE(NEW.owner_id, ''), 1
        FROM deal_scopes ds WHERE ds.opportunity_id = NEW.id
    ON CONFLICT (scope, owner_id) DO UPDATE SET deals = deals + 1;
END;

-- Before a deal goes (its deal team goes with it, by cascade): its scope
-- rows go first, while the deal is still there to subtract.
CREATE TRIGGER opportunities_aside_delete BEFORE DELETE ON opportunities
BEGIN
    DELETE FROM deal_scopes WHERE opportunity_id = OLD.id;
END;

-- Someone joins or leaves a deal team: the deal joins or leaves each scope
-- of theirs (when they are the first, or the last, of that scope on it).
CREATE TRIGGER opportunity_members_scopes_insert AFTER INSERT ON opportunity_members
BEGIN
    INSERT INTO deal_scopes
        SELECT s.scope, NEW.opportunity_id, 1 FROM (
            SELECT 'u:' || NEW.user_id AS scope
            UNION ALL
            SELECT ts.scope FROM users u JOIN team_scopes ts ON ts.team_id = u.team_id
            WHERE u.id = NEW.user_id) AS s
        WHERE true
    ON CONFLICT (scope, opportunity_id) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER opportunity_members_scopes_delete AFTER DELETE ON opportunity_members
BEGIN
    UPDATE deal_scopes SET n = n - 1
    WHERE opportunity_id = OLD.opportunity_id AND scope IN (
        SELECT 'u:' || OLD.user_id
        UNION ALL
        SELECT ts.scope FROM users u JOIN team_scopes ts ON ts.team_id = u.team_id
        WHERE u.id = OLD.user_id);
    DELETE FROM deal_scopes WHERE opportunity_id = OLD.opportunity_id AND n <= 0;
END;

-- A user changes team: their deals leave the scopes they are no longer in
-- and join the new ones.
CREATE TRIGGER users_scopes_move AFTER UPDATE OF team_id ON users
WHEN OLD.team_id IS NOT NEW.team_id
BEGIN
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
    INSERT INTO deal_scopes
        SELECT g.scope, m.opportunity_id, 1
        FROM (SELECT scope FROM team_scopes WHERE team_id = NEW.team_id
              EXCEPT SELECT scope FROM team_scopes WHERE team_id = OLD.team_id) AS g,
             opportunity_members m
        WHERE m.user_id = NEW.id
    ON CONFLICT (scope, opportunity_id) DO UPDATE SET n = n + 1;
END;

-- Teams: a new team's scopes are its own and those above it; a team moved
-- under another parent takes its whole subtree, with their users' deals,
-- out of the scopes above it that it leaves and into those it joins.
CREATE TRIGGER teams_scopes_insert AFTER INSERT ON teams
BEGIN
    INSERT INTO team_scopes VALUES (NEW.id, 't:' || NEW.id), (NEW.id, 's:' || NEW.id);
    INSERT INTO team_scopes
        SELECT NEW.id, scope FROM team_scopes
        WHERE team_id = NEW.parent_id AND scope LIKE 's:%';
END;

CREATE TRIGGER teams_scopes_move AFTER UPDATE OF parent_id ON teams
WHEN OLD.parent_id IS NOT NEW.parent_id
BEGIN
    UPDATE deal_scopes SET n = n - (
        SELECT COUNT(*) FROM team_scopes d JOIN users u ON u.team_id = d.team_id
        JOIN opportunity_members m ON m.user_id = u.id
        WHERE d.scope = 's:' || NEW.id AND m.opportunity_id = deal_scopes.opportunity_id)
    WHERE scope IN (SELECT scope FROM team_scopes
                    WHERE team_id = OLD.parent_id AND scope LIKE 's:%'
                    EXCEPT SELECT scope FROM team_scopes
                    WHERE team_id = NEW.parent_id AND scope LIKE 's:%')
      AND opportunity_id IN (SELECT m.opportunity_id FROM team_scopes d
                             JOIN users u ON u.team_id = d.team_id
                             JOIN opportunity_members m ON m.user_id = u.id
                             WHERE d.scope = 's:' || NEW.id);
    DELETE FROM deal_scopes
    WHERE scope IN (SELECT scope FROM team_scopes
                    WHERE team_id = OLD.parent_id AND scope LIKE 's:%')
      AND opportunity_id IN (SELECT m.opportunity_id FROM team_scopes d
                             JOIN users u ON u.team_id = d.team_id
                             JOIN opportunity_members m ON m.user_id = u.id
                             WHERE d.scope = 's:' || NEW.id)
      AND n <= 0;
    INSERT INTO deal_scopes
        SELECT g.scope, x.opportunity_id, x.k
        FROM (SELECT scope FROM team_scopes WHERE team_id = NEW.parent_id AND scope LIKE 's:%'
              EXCEPT SELECT scope FROM team_scopes
              WHERE team_id = OLD.parent_id AND scope LIKE 's:%') AS g,
             (SELECT m.opportunity_id, COUNT(*) AS k FROM team_scopes d
              JOIN users u ON u.team_id = d.team_id
              JOIN opportunity_members m ON m.user_id = u.id
              WHERE d.scope = 's:' || NEW.id GROUP BY m.opportunity_id) AS x
        WHERE true
    ON CONFLICT (scope, opportunity_id) DO UPDATE SET n = n + excluded.n;
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
END;

CREATE TRIGGER teams_scopes_delete AFTER DELETE ON teams
BEGIN
    DELETE FROM deal_scopes WHERE scope IN ('t:' || OLD.id, 's:' || OLD.id);
    DELETE FROM team_scopes WHERE team_id = OLD.id;
END;

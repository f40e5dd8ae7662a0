-- bingfa schema version 26: the summaries of migration 25 per team and tree.
--
-- A manager sees the deals of their team and of every team below it (the
-- scope 's:<team>' of migration 10), a salesperson of a team that shares
-- its deals those of the team (the scope 't:<team>'). Beside each owner's
-- rows and everyone's ('*'), each summary now keeps the rows of every such
-- scope added up (owner_id 's:<team>' or 't:<team>'), so that such a
-- viewer's report reads one scope's rows instead of each of their people's:
-- an owner's rows go to '*' and to the scopes of the owner's team; a user
-- who changes team takes their rows out of the scopes they leave and into
-- those they join; a team that is made, moved or deleted (team_scopes gains
-- or loses rows) takes its users' rows along. The rows are made before the
-- triggers that keep them.

DROP TRIGGER forecast_cube_all_insert;
DROP TRIGGER forecast_cube_all_update;
DROP TRIGGER outcome_cube_all_insert;
DROP TRIGGER outcome_cube_all_update;
DROP TRIGGER stage_flow_all_insert;
DROP TRIGGER stage_flow_all_update;
DROP TRIGGER stage_outcomes_all_insert;
DROP TRIGGER stage_outcomes_all_update;

INSERT INTO forecast_cube
    SELECT ts.scope, c.currency, c.month, c.playbook, c.category, SUM(c.deals), SUM(c.amount),
        SUM(c.weighted)
    FROM forecast_cube c JOIN users u ON u.id = c.owner_id
    JOIN team_scopes ts ON ts.team_id = u.team_id AND substr(ts.scope, 1, 2) IN ('s:', 't:')
    GROUP BY ts.scope, c.currency, c.month, c.playbook, c.category;
INSERT INTO outcome_cube
    SELECT ts.scope, c.currency, c.month, c.playbook, c.status, c.stage, c.sales_mode, c.band,
        c.reason, c.won_by, SUM(c.deals), SUM(c.amount), SUM(c.total_days)
    FROM outcome_cube c JOIN users u ON u.id = c.owner_id
    JOIN team_scopes ts ON ts.team_id = u.team_id AND substr(ts.scope, 1, 2) IN ('s:', 't:')
    GROUP BY ts.scope, c.currency, c.month, c.playbook, c.status, c.stage, c.sales_mode, c.band,
        c.reason, c.won_by;
INSERT INTO stage_flow
    SELECT ts.scope, c.playbook, c.stage, c.month, c.event, c.days, SUM(c.n), SUM(c.total_days)
    FROM stage_flow c JOIN users u ON u.id = c.owner_id
    JOIN team_scopes ts ON ts.team_id = u.team_id AND substr(ts.scope, 1, 2) IN ('s:', 't:')
    GROUP BY ts.scope, c.playbook, c.stage, c.month, c.event, c.days;
INSERT INTO stage_outcomes
    SELECT ts.scope, c.playbook, c.stage, c.month, c.won, SUM(c.n)
    FROM stage_outcomes c JOIN users u ON u.id = c.owner_id
    JOIN team_scopes ts ON ts.team_id = u.team_id AND substr(ts.scope, 1, 2) IN ('s:', 't:')
    GROUP BY ts.scope, c.playbook, c.stage, c.month, c.won;

-- An owner's row added or changed: the difference goes to everyone's and to
-- each team and tree the owner is in.
CREATE TRIGGER forecast_cube_all_insert AFTER INSERT ON forecast_cube
WHEN NEW.owner_id <> '*' AND substr(NEW.owner_id, 1, 2) NOT IN ('s:', 't:')
BEGIN
    INSERT INTO forecast_cube
        SELECT k.id, NEW.currency, NEW.month, NEW.playbook, NEW.category, NEW.deals, NEW.amount,
            NEW.weighted
        FROM (SELECT '*' AS id UNION ALL SELECT ts.scope FROM users u JOIN team_scopes ts
              ON ts.team_id = u.team_id AND substr(ts.scope, 1, 2) IN ('s:', 't:')
              WHERE u.id = NEW.owner_id) AS k
        WHERE true
    ON CONFLICT DO UPDATE SET deals = deals + excluded.deals, amount = amount + excluded.amount,
        weighted = weighted + excluded.weighted;
END;
CREATE TRIGGER forecast_cube_all_update AFTER UPDATE ON forecast_cube
WHEN NEW.owner_id <> '*' AND substr(NEW.owner_id, 1, 2) NOT IN ('s:', 't:')
BEGIN
    INSERT INTO forecast_cube
        SELECT k.id, NEW.currency, NEW.month, NEW.playbook, NEW.category, NEW.deals - OLD.deals,
            NEW.amount - OLD.amount, NEW.weighted - OLD.weighted
        FROM (SELECT '*' AS id UNION ALL SELECT ts.scope FROM users u JOIN team_scopes ts
              ON ts.team_id = u.team_id AND substr(ts.scope, 1, 2) IN ('s:', 't:')
              WHERE u.id = NEW.owner_id) AS k
        WHERE true
    ON CONFLICT DO UPDATE SET deals = deals + excluded.deals, amount = amount + excluded.amount,
        weighted = weighted + excluded.weighted;
END;
CREATE TRIGGER outcome_cube_all_insert AFTER INSERT ON outcome_cube
WHEN NEW.owner_id <> '*' AND substr(NEW.owner_id, 1, 2) NOT IN ('s:', 't:')
BEGIN
    INSERT INTO outcome_cube
        SELECT k.id, NEW.currency, NEW.month, NEW.playbook, NEW.status, NEW.stage, NEW.sales_mode,
            NEW.band, NEW.reason, NEW.won_by, NEW.deals, NEW.amount, NEW.total_days
        FROM (SELECT '*' AS id UNION ALL SELECT ts.scope FROM users u JOIN team_scopes ts
              ON ts.team_id = u.team_id AND substr(ts.scope, 1, 2) IN ('s:', 't:')
              WHERE u.id = NEW.owner_id) AS k
        WHERE true
    ON CONFLICT DO UPDATE SET deals = deals + excluded.deals, amount = amount + excluded.amount,
        total_days = total_days + excluded.total_days;
END;
CREATE TRIGGER outcome_cube_all_update AFTER UPDATE ON outcome_cube
WHEN NEW.owner_id <> '*' AND substr(NEW.owner_id, 1, 2) NOT IN ('s:', 't:')
BEGIN
    INSERT INTO outcome_cube
        SELECT k.id, NEW.currency, NEW.month, NEW.playbook, NEW.status, NEW.stage, NEW.sales_mode,
            NEW.band, NEW.reason, NEW.won_by, NEW.deals - OLD.deals, NEW.amount - OLD.amount,
            NEW.total_days - OLD.total_days
        FROM (SELECT '*' AS id UNION ALL SELECT ts.scope FROM users u JOIN team_scopes ts
              ON ts.team_id = u.team_id AND substr(ts.scope, 1, 2) IN ('s:', 't:')
              WHERE u.id = NEW.owner_id) AS k
        WHERE true
    ON CONFLICT DO UPDATE SET deals = deals + excluded.deals, amount = amount + excluded.amount,
        total_days = total_days + excluded.total_days;
END;
CREATE TRIGGER stage_flow_all_insert AFTER INSERT ON stage_flow
WHEN NEW.owner_id <> '*' AND substr(NEW.owner_id, 1, 2) NOT IN ('s:', 't:')
BEGIN
    INSERT INTO stage_flow
        SELECT k.id, NEW.playbook, NEW.stage, NEW.month, NEW.event, NEW.days, NEW.n, NEW.total_days
        FROM (SELECT '*' AS id UNION ALL SELECT ts.scope FROM users u JOIN team_scopes ts
              ON ts.team_id = u.team_id AND substr(ts.scope, 1, 2) IN ('s:', 't:')
              WHERE u.id = NEW.owner_id) AS k
        WHERE true
    ON CONFLICT DO UPDATE SET n = n + excluded.n, total_days = total_days + excluded.total_days;
END;
CREATE TRIGGER stage_flow_all_update AFTER UPDATE ON stage_flow
WHEN NEW.owner_id <> '*' AND substr(NEW.owner_id, 1, 2) NOT IN ('s:', 't:')
BEGIN
    INSERT INTO stage_flow
        SELECT k.id, NEW.playbook, NEW.stage, NEW.month, NEW.event, NEW.days, NEW.n - OLD.n,
            NEW.total_days - OLD.total_days
        FROM (SELECT '*' AS id UNION ALL SELECT ts.scope FROM users u JOIN team_scopes ts
              ON ts.team_id = u.team_id AND substr(ts.scope, 1, 2) IN ('s:', 't:')
              WHERE u.id = NEW.owner_id) AS k
        WHERE true
    ON CONFLICT DO UPDATE SET n = n + excluded.n, total_days = total_days + excluded.total_days;
END;
CREATE TRIGGER stage_outcomes_all_insert AFTER INSERT ON stage_outcomes
WHEN NEW.owner_id <> '*' AND substr(NEW.owner_id, 1, 2) NOT IN ('s:', 't:')
BEGIN
    INSERT INTO stage_outcomes
        SELECT k.id, NEW.playbook, NEW.stage, NEW.month, NEW.won, NEW.n
        FROM (SELECT '*' AS id UNION ALL SELECT ts.scope FROM users u JOIN team_scopes ts
              ON ts.team_id = u.team_id AND substr(ts.scope, 1, 2) IN ('s:', 't:')
              WHERE u.id = NEW.owner_id) AS k
        WHERE true
    ON CONFLICT DO UPDATE SET n = n + excluded.n;
END;
CREATE TRIGGER stage_outcomes_all_update AFTER UPDATE ON stage_outcomes
WHEN NEW.owner_id <> '*' AND substr(NEW.owner_id, 1, 2) NOT IN ('s:', 't:')
BEGIN
    INSERT INTO stage_outcomes
        SELECT k.id, NEW.playbook, NEW.stage, NEW.month, NEW.won, NEW.n - OLD.n
        FROM (SELECT '*' AS id UNION ALL SELECT ts.scope FROM users u JOIN team_scopes ts
              ON ts.team_id = u.team_id AND substr(ts.scope, 1, 2) IN ('s:', 't:')
              WHERE u.id = NEW.owner_id) AS k
        WHERE true
    ON CONFLICT DO UPDATE SET n = n + excluded.n;
END;

-- A user changes team: their rows leave the trees they are no longer in and
-- join the new ones.
CREATE TRIGGER users_rollups_move AFTER UPDATE OF team_id ON users
WHEN OLD.team_id IS NOT NEW.team_id
BEGIN
    INSERT INTO forecast_cube
        SELECT g.scope, c.currency, c.month, c.playbook, c.category, g.k * c.deals, g.k * c.amount,
            g.k * c.weighted
        FROM forecast_cube c, (SELECT scope, -1 AS k FROM team_scopes WHERE team_id = OLD.team_id
              AND substr(scope, 1, 2) IN ('s:', 't:') AND scope NOT IN
              (SELECT scope FROM team_scopes WHERE team_id = NEW.team_id)
              UNION ALL
              SELECT scope, 1 FROM team_scopes WHERE team_id = NEW.team_id
              AND substr(scope, 1, 2) IN ('s:', 't:') AND scope NOT IN
              (SELECT scope FROM team_scopes WHERE team_id = OLD.team_id)) AS g
        WHERE c.owner_id = NEW.id
    ON CONFLICT DO UPDATE SET deals = deals + excluded.deals, amount = amount + excluded.amount,
        weighted = weighted + excluded.weighted;
    INSERT INTO outcome_cube
        SELECT g.scope, c.currency, c.month, c.playbook, c.status, c.stage, c.sales_mode, c.band,
            c.reason, c.won_by, g.k * c.deals, g.k * c.amount, g.k * c.total_days
        FROM outcome_cube c, (SELECT scope, -1 AS k FROM team_scopes WHERE team_id = OLD.team_id
              AND substr(scope, 1, 2) IN ('s:', 't:') AND scope NOT IN
              (SELECT scope FROM team_scopes WHERE team_id = NEW.team_id)
              UNION ALL
              SELECT scope, 1 FROM team_scopes WHERE team_id = NEW.team_id
              AND substr(scope, 1, 2) IN ('s:', 't:') AND scope NOT IN
              (SELECT scope FROM team_scopes WHERE team_id = OLD.team_id)) AS g
        WHERE c.owner_id = NEW.id
    ON CONFLICT DO UPDATE SET deals = deals + excluded.deals, amount = amount + excluded.amount,
        total_days = total_days + excluded.total_days;
    INSERT INTO stage_flow
        SELECT g.scope, c.playbook, c.stage, c.month, c.event, c.days, g.k * c.n, g.k * c.total_days
        FROM stage_flow c, (SELECT scope, -1 AS k FROM team_scopes WHERE team_id = OLD.team_id
              AND substr(scope, 1, 2) IN ('s:', 't:') AND scope NOT IN
              (SELECT scope FROM team_scopes WHERE team_id = NEW.team_id)
              UNION ALL
              SELECT scope, 1 FROM team_scopes WHERE team_id = NEW.team_id
              AND substr(scope, 1, 2) IN ('s:', 't:') AND scope NOT IN
              (SELECT scope FROM team_scopes WHERE team_id = OLD.team_id)) AS g
        WHERE c.owner_id = NEW.id
    ON CONFLICT DO UPDATE SET n = n + excluded.n, total_days = total_days + excluded.total_days;
    INSERT INTO stage_outcomes
        SELECT g.scope, c.playbook, c.stage, c.month, c.won, g.k * c.n
        FROM stage_outcomes c, (SELECT scope, -1 AS k FROM team_scopes WHERE team_id = OLD.team_id
              AND substr(scope, 1, 2) IN ('s:', 't:') AND scope NOT IN
              (SELECT scope FROM team_scopes WHERE team_id = NEW.team_id)
              UNION ALL
              SELECT scope, 1 FROM team_scopes WHERE team_id = NEW.team_id
              AND substr(scope, 1, 2) IN ('s:', 't:') AND scope NOT IN
              (SELECT scope FROM team_scopes WHERE team_id = OLD.team_id)) AS g
        WHERE c.owner_id = NEW.id
    ON CONFLICT DO UPDATE SET n = n + excluded.n;
END;

-- A team joins or leaves a tree (or is made or deleted): its users' rows
-- join or leave the tree's.
CREATE TRIGGER team_scopes_rollups_insert AFTER INSERT ON team_scopes
WHEN substr(NEW.scope, 1, 2) IN ('s:', 't:')
BEGIN
    INSERT INTO forecast_cube
        SELECT NEW.scope, c.currency, c.month, c.playbook, c.category, SUM(c.deals), SUM(c.amount),
            SUM(c.weighted)
        FROM users u JOIN forecast_cube c ON c.owner_id = u.id
        WHERE u.team_id = NEW.team_id
        GROUP BY c.currency, c.month, c.playbook, c.category
    ON CONFLICT DO UPDATE SET deals = deals + excluded.deals, amount = amount + excluded.amount,
        weighted = weighted + excluded.weighted;
    INSERT INTO outcome_cube
        SELECT NEW.scope, c.currency, c.month, c.playbook, c.status, c.stage, c.sales_mode, c.band,
            c.reason, c.won_by, SUM(c.deals), SUM(c.amount), SUM(c.total_days)
        FROM users u JOIN outcome_cube c ON c.owner_id = u.id
        WHERE u.team_id = NEW.team_id
        GROUP BY c.currency, c.month, c.playbook, c.status, c.stage, c.sales_mode, c.band, c.reason,
            c.won_by
    ON CONFLICT DO UPDATE SET deals = deals + excluded.deals, amount = amount + excluded.amount,
        total_days = total_days + excluded.total_days;
    INSERT INTO stage_flow
        SELECT NEW.scope, c.playbook, c.stage, c.month, c.event, c.days, SUM(c.n), SUM(c.total_days)
        FROM users u JOIN stage_flow c ON c.owner_id = u.id
        WHERE u.team_id = NEW.team_id
        GROUP BY c.playbook, c.stage, c.month, c.event, c.days
    ON CONFLICT DO UPDATE SET n = n + excluded.n, total_days = total_days + excluded.total_days;
    INSERT INTO stage_outcomes
        SELECT NEW.scope, c.playbook, c.stage, c.month, c.won, SUM(c.n)
        FROM users u JOIN stage_outcomes c ON c.owner_id = u.id
        WHERE u.team_id = NEW.team_id
        GROUP BY c.playbook, c.stage, c.month, c.won
    ON CONFLICT DO UPDATE SET n = n + excluded.n;
END;
CREATE TRIGGER team_scopes_rollups_delete AFTER DELETE ON team_scopes
WHEN substr(OLD.scope, 1, 2) IN ('s:', 't:')
BEGIN
    INSERT INTO forecast_cube
        SELECT OLD.scope, c.currency, c.month, c.playbook, c.category, -SUM(c.deals),
            -SUM(c.amount), -SUM(c.weighted)
        FROM users u JOIN forecast_cube c ON c.owner_id = u.id
        WHERE u.team_id = OLD.team_id
        GROUP BY c.currency, c.month, c.playbook, c.category
    ON CONFLICT DO UPDATE SET deals = deals + excluded.deals, amount = amount + excluded.amount,
        weighted = weighted + excluded.weighted;
    INSERT INTO outcome_cube
        SELECT OLD.scope, c.currency, c.month, c.playbook, c.status, c.stage, c.sales_mode, c.band,
            c.reason, c.won_by, -SUM(c.deals), -SUM(c.amount), -SUM(c.total_days)
        FROM users u JOIN outcome_cube c ON c.owner_id = u.id
        WHERE u.team_id = OLD.team_id
        GROUP BY c.currency, c.month, c.playbook, c.status, c.stage, c.sales_mode, c.band, c.reason,
            c.won_by
    ON CONFLICT DO UPDATE SET deals = deals + excluded.deals, amount = amount + excluded.amount,
        total_days = total_days + excluded.total_days;
    INSERT INTO stage_flow
        SELECT OLD.scope, c.playbook, c.stage, c.month, c.event, c.days, -SUM(c.n),
            -SUM(c.total_days)
        FROM users u JOIN stage_flow c ON c.owner_id = u.id
        WHERE u.team_id = OLD.team_id
        GROUP BY c.playbook, c.stage, c.month, c.event, c.days
    ON CONFLICT DO UPDATE SET n = n + excluded.n, total_days = total_days + excluded.total_days;
    INSERT INTO stage_outcomes
        SELECT OLD.scope, c.playbook, c.stage, c.month, c.won, -SUM(c.n)
        FROM users u JOIN stage_outcomes c ON c.owner_id = u.id
        WHERE u.team_id = OLD.team_id
        GROUP BY c.playbook, c.stage, c.month, c.won
    ON CONFLICT DO UPDATE SET n = n + excluded.n;
END;

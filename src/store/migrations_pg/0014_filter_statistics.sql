-- bingfa schema version 14 (PostgreSQL): statistics of the expressions a list
-- checks its category filters with. A list filtered on a status, a stage, a
-- currency, a playbook, a sales mode or a turnaround wraps the column
-- ((status || '') = ?, (turnaround + 0) = ?) so that the planner walks the
-- sort's index and checks the filter on each deal it passes, never picking
-- the deals by the filter and sorting them all. Without statistics of the
-- expression PostgreSQL guesses it keeps one deal in 200, so a page of 50
-- open deals seemed to need a walk of some 14,000 of 300,000 deals: its cost
-- passed jit_above_cost, and each such list was JIT-compiled, 20-30 ms for a
-- read of 0.3 ms. With these it knows that most deals are open. Expression
-- statistics came with PostgreSQL 14; an older server goes without them.
-- SQLite's twin (src/store/migrations/0014_filter_statistics.sql) has nothing
-- to do.
DO $$
BEGIN
    IF current_setting('server_version_num')::int >= 140000 THEN
        EXECUTE 'CREATE STATISTICS opportunities_filter_status ON (status || '''') '
                'FROM opportunities';
        EXECUTE 'CREATE STATISTICS opportunities_filter_stage ON (stage || '''') '
                'FROM opportunities';
        EXECUTE 'CREATE STATISTICS opportunities_filter_currency ON (currency || '''') '
                'FROM opportunities';
        EXECUTE 'CREATE STATISTICS opportunities_filter_playbook ON (playbook || '''') '
                'FROM opportunities';
        EXECUTE 'CREATE STATISTICS opportunities_filter_sales_mode ON (sales_mode || '''') '
                'FROM opportunities';
        EXECUTE 'CREATE STATISTICS opportunities_filter_turnaround ON (turnaround + 0) '
                'FROM opportunities';
    END IF;
END
$$;
ANALYZE opportunities;

-- bingfa schema version 14: statistics of the expressions a list checks its
-- category filters with, for PostgreSQL's planner
-- (src/store/migrations_pg/0014_filter_statistics.sql). SQLite plans these
-- lists by their indexes alone: nothing to do here; the version keeps both
-- stores at the same schema.
SELECT 1;

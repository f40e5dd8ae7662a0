-- bingfa schema version 18 (PostgreSQL): nothing. SQLite's twin keeps the
-- definitions of the indexes a bulk load into an empty database builds at
-- its end; PostgreSQL's import writes through its indexes.
SELECT 1;

-- bingfa schema version 30 (PostgreSQL): no change.
SELECT 1;

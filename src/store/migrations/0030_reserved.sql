-- bingfa schema version 30: no change.
SELECT 1;

-- bingfa schema version 35: one home for each shared fact of a deal
-- (docs/playbook-schema.md, "Where a deal's facts live"). The budget's home
-- is the deal's budget; MANT's form kept a copy of its own (money.budget).
-- A deal without a budget takes its MANT's; where both were given the deal's
-- own budget is kept (the header is what the deal's lists and reports
-- showed). MANT's copy is then dropped: MANT reads and writes the deal's.
UPDATE opportunities
   SET budget = (SELECT json_extract(f.data, '$.money.budget') FROM forms f
                  WHERE f.owner_kind = 'opportunity' AND f.owner_id = opportunities.id
                    AND f.form = 'mant'),
       version = version + 1
 WHERE budget IS NULL
   AND EXISTS (SELECT 1 FROM forms f
                WHERE f.owner_kind = 'opportunity' AND f.owner_id = opportunities.id
                  AND f.form = 'mant'
                  AND json_type(f.data, '$.money.budget') = 'integer');
UPDATE forms
   SET data = json_remove(data, '$.money.budget')
 WHERE owner_kind = 'opportunity' AND form = 'mant'
   AND json_type(data, '$.money.budget') IS NOT NULL;

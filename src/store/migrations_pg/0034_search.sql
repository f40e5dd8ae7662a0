-- bingfa schema version 34 (PostgreSQL): the global search (docs/search.md). Each
-- account, contact, deal and activity keeps its words (search_docs: the
-- title's and the body's, normalized, separated by single spaces; core/
-- search.h) and their grams (search_grams): a Latin word's prefixes of 1 to
-- 12 letters, another word's characters and pairs of adjacent characters,
-- weighted 3 in the title and 1 in the body. The grams are read in the
-- order a search wants them (the title's first, the newest first), and by
-- owner for the records of a viewer's people. The store keeps both in the
-- transaction that writes a record (store/sqlite_search.c); this fills
-- them for the records there are.
CREATE TABLE search_docs (
    kind      BIGINT NOT NULL,  -- 1 accounts, 2 contacts, 3 opportunities, 4 activities
    record_id TEXT NOT NULL,
    seq       BIGINT NOT NULL,  -- its creation, in milliseconds: the newest first
    owner_id  TEXT,             -- its owner (a contact's: its account's)
    title     TEXT NOT NULL,
    body      TEXT NOT NULL,
    PRIMARY KEY (kind, record_id)
);
CREATE TABLE search_grams (
    gram      TEXT NOT NULL,
    kind      BIGINT NOT NULL,
    weight    BIGINT NOT NULL,
    seq       BIGINT NOT NULL,
    record_id TEXT NOT NULL,
    owner_id  TEXT,
    PRIMARY KEY (gram, kind, weight, seq, record_id)
);
CREATE INDEX search_grams_owner ON search_grams(gram, kind, owner_id, weight, seq);

-- Each record's words, as search_doc_of makes them: its texts (part 0 its
-- title, the others its body; a contact's part 3 its phone) read a
-- character at a time, where f is the next character's code folded as
-- knowledge_normalize folds it (full-width letters and digits as ASCII,
-- capitals lowercase); a run of ASCII letters and digits (class 1) or of
-- other letters (class 2) is a word, the rest separates words. The body's
-- parts are joined by a space, the empty ones left out.
INSERT INTO search_docs (kind, record_id, seq, owner_id, title, body)
WITH RECURSIVE parts(kind, record_id, part, raw) AS (
    SELECT 1 AS kind, id AS record_id, 0 AS part, COALESCE(name, '') AS raw FROM accounts
    UNION ALL SELECT 2, id, 0, COALESCE(name, '') FROM contacts
    UNION ALL SELECT 2, id, 1, COALESCE(title, '') FROM contacts
    UNION ALL SELECT 2, id, 2, COALESCE(email, '') FROM contacts
    UNION ALL SELECT 2, id, 3, COALESCE(phone, '') FROM contacts
    UNION ALL SELECT 2, c.id, 4, COALESCE(a.name, '') FROM contacts c
        LEFT JOIN accounts a ON a.id = c.account_id
    UNION ALL SELECT 3, id, 0, COALESCE(name, '') FROM opportunities
    UNION ALL SELECT 3, o.id, 1, COALESCE(a.name, '') FROM opportunities o
        LEFT JOIN accounts a ON a.id = o.account_id
    UNION ALL SELECT 4, id, 0, COALESCE(subject, '') FROM activities
    UNION ALL SELECT 4, id, 1, substr(COALESCE(outcome, ''), 1, 300) FROM activities
), tok(kind, record_id, part, rest, f, words, digits, prev) AS (
    SELECT kind, record_id, part, CAST(raw AS TEXT),
           CASE WHEN ascii(raw) BETWEEN 65313 AND 65338 THEN ascii(raw) - 65216
                WHEN ascii(raw) BETWEEN 65281 AND 65374 THEN ascii(raw) - 65248
                WHEN ascii(raw) BETWEEN 65 AND 90 THEN ascii(raw) + 32
                ELSE ascii(raw) END,
           CAST('' AS TEXT), CAST('' AS TEXT), 0
    FROM parts
    UNION ALL
    SELECT kind, record_id, part, substr(rest, 2),
           CASE WHEN ascii(substr(rest, 2)) BETWEEN 65313 AND 65338
                    THEN ascii(substr(rest, 2)) - 65216
                WHEN ascii(substr(rest, 2)) BETWEEN 65281 AND 65374
                    THEN ascii(substr(rest, 2)) - 65248
                WHEN ascii(substr(rest, 2)) BETWEEN 65 AND 90 THEN ascii(substr(rest, 2)) + 32
                ELSE ascii(substr(rest, 2)) END,
           CASE WHEN (CASE WHEN f BETWEEN 97 AND 122 OR f BETWEEN 48 AND 57 THEN 1
                           WHEN f < 128 OR f BETWEEN 8192 AND 8303 OR f BETWEEN 12288 AND 12351
                                OR f BETWEEN 65280 AND 65312 OR f BETWEEN 65072 AND 65103
                                OR f = 160 THEN 0
                           ELSE 2 END) = 0 THEN words
                WHEN (CASE WHEN f BETWEEN 97 AND 122 OR f BETWEEN 48 AND 57 THEN 1
                           WHEN f < 128 OR f BETWEEN 8192 AND 8303 OR f BETWEEN 12288 AND 12351
                                OR f BETWEEN 65280 AND 65312 OR f BETWEEN 65072 AND 65103
                                OR f = 160 THEN 0
                           ELSE 2 END) <> prev AND words <> '' THEN words || ' ' || chr(f)
                ELSE words || chr(f) END,
           CASE WHEN f BETWEEN 48 AND 57 THEN digits || chr(f) ELSE digits END,
           CASE WHEN f BETWEEN 97 AND 122 OR f BETWEEN 48 AND 57 THEN 1
                WHEN f < 128 OR f BETWEEN 8192 AND 8303 OR f BETWEEN 12288 AND 12351
                     OR f BETWEEN 65280 AND 65312 OR f BETWEEN 65072 AND 65103 OR f = 160 THEN 0
                ELSE 2 END
    FROM tok WHERE rest <> ''
), tokens(kind, record_id, part, words) AS (
    SELECT kind, record_id, part,
           -- a phone adds all its digits and their last 11, 8 and 4 (search_doc_of)
           CASE WHEN kind = 2 AND part = 3 AND digits <> '' THEN
               words || ' ' || digits
               || CASE WHEN length(digits) > 11 THEN ' ' || right(digits, 11) ELSE '' END
               || CASE WHEN length(digits) > 8 THEN ' ' || right(digits, 8) ELSE '' END
               || CASE WHEN length(digits) > 4 THEN ' ' || right(digits, 4) ELSE '' END
           ELSE words END AS words
    FROM tok WHERE rest = ''
), docs(kind, record_id, title, body) AS (
    SELECT kind, record_id, MAX(CASE WHEN part = 0 THEN words END),
           trim(replace(replace(replace(replace(
               COALESCE(MAX(CASE WHEN part = 1 THEN words END), '') || ' ' ||
               COALESCE(MAX(CASE WHEN part = 2 THEN words END), '') || ' ' ||
               COALESCE(MAX(CASE WHEN part = 3 THEN words END), '') || ' ' ||
               COALESCE(MAX(CASE WHEN part = 4 THEN words END), ''),
               '  ', ' '), '  ', ' '), '  ', ' '), '  ', ' '))
    FROM tokens GROUP BY kind, record_id
)
SELECT s.kind, s.record_id,
       CAST(EXTRACT(EPOCH FROM CAST(s.created_at AS timestamptz)) * 1000 AS BIGINT),
       s.owner_id, COALESCE(d.title, ''), COALESCE(d.body, '')
FROM (SELECT 1 AS kind, id AS record_id, created_at, owner_id FROM accounts
      UNION ALL SELECT 2, c.id, c.created_at, a.owner_id FROM contacts c
          LEFT JOIN accounts a ON a.id = c.account_id
      UNION ALL SELECT 3, id, created_at, owner_id FROM opportunities
      UNION ALL SELECT 4, id, created_at, owner_id FROM activities) s
JOIN docs d ON d.kind = s.kind AND d.record_id = s.record_id;

-- Their grams (search_grams in core/search.c), walking the words a character
-- at a time: a Latin word gives each of its prefixes up to 12 letters,
-- another each character (g1) and each pair with the one before (g2).
INSERT INTO search_grams (gram, kind, weight, seq, record_id, owner_id)
WITH RECURSIVE walk(kind, record_id, weight, rest, word, latin, g1, g2) AS (
    SELECT kind, record_id, 3, title, CAST('' AS TEXT), 0, CAST(NULL AS TEXT),
           CAST(NULL AS TEXT) FROM search_docs
    UNION ALL
    SELECT kind, record_id, 1, body, '', 0, NULL, NULL FROM search_docs
    UNION ALL
    SELECT kind, record_id, weight, substr(rest, 2),
           CASE WHEN substr(rest, 1, 1) = ' ' THEN '' ELSE word || substr(rest, 1, 1) END,
           CASE WHEN substr(rest, 1, 1) = ' ' THEN 0
                WHEN word = '' THEN CASE WHEN ascii(rest) < 128 THEN 1 ELSE 0 END
                ELSE latin END,
           CASE WHEN substr(rest, 1, 1) = ' ' THEN NULL
                WHEN (word = '' AND ascii(rest) < 128) OR (word <> '' AND latin = 1) THEN
                    CASE WHEN length(word) < 12 THEN word || substr(rest, 1, 1) END
                ELSE substr(rest, 1, 1) END,
           CASE WHEN substr(rest, 1, 1) = ' ' OR word = '' OR latin = 1 THEN NULL
                ELSE right(word, 1) || substr(rest, 1, 1) END
    FROM walk WHERE rest <> ''
), grams(kind, record_id, weight, gram) AS (
    SELECT kind, record_id, weight, g1 FROM walk WHERE g1 IS NOT NULL
    UNION ALL
    SELECT kind, record_id, weight, g2 FROM walk WHERE g2 IS NOT NULL
)
SELECT g.gram, g.kind, MAX(g.weight), d.seq, g.record_id, d.owner_id
FROM grams g JOIN search_docs d ON d.kind = g.kind AND d.record_id = g.record_id
GROUP BY g.kind, g.record_id, g.gram, d.seq, d.owner_id;


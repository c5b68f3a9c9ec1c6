-- First of two runs on one database file: a table, an index, a trigger and 2000 rows in a
-- transaction, then a rolled-back change. persist_read.sql reads it back in a new process.
PRAGMA journal_mode = DELETE;
CREATE TABLE log(id INTEGER PRIMARY KEY, msg TEXT, n INTEGER);
CREATE TABLE stats(total INTEGER);
INSERT INTO stats VALUES (0);
CREATE TRIGGER count_rows AFTER INSERT ON log BEGIN UPDATE stats SET total = total + NEW.n; END;
BEGIN;
WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 2000)
INSERT INTO log(msg, n) SELECT 'message ' || x, x % 17 FROM c;
COMMIT;
CREATE INDEX log_n ON log(n);
BEGIN;
DELETE FROM log;
ROLLBACK;
SELECT count(*), (SELECT total FROM stats) FROM log;

SELECT count(*), sum(n), max(msg) FROM log;
SELECT total FROM stats;
SELECT count(*) FROM log WHERE n = 16;
PRAGMA integrity_check;
UPDATE log SET msg = upper(msg) WHERE id % 500 = 0;
SELECT group_concat(msg, ',') FROM (SELECT msg FROM log WHERE id % 500 = 0 ORDER BY id);
VACUUM;
PRAGMA integrity_check;

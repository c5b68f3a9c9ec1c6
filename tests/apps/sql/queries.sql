-- Known-answer queries: tables, joins, aggregates, NULLs, strings, dates with fixed inputs,
-- recursive CTEs, window functions, JSON, transactions.
CREATE TABLE dept(id INTEGER PRIMARY KEY, name TEXT NOT NULL);
CREATE TABLE emp(id INTEGER PRIMARY KEY, name TEXT, dept INTEGER REFERENCES dept(id), salary REAL, boss INTEGER);
INSERT INTO dept VALUES (1, 'eng'), (2, 'ops'), (3, 'empty');
INSERT INTO emp VALUES
  (1, 'ada', 1, 120.5, NULL), (2, 'bob', 1, 100, 1), (3, 'cy', 2, 90, 1),
  (4, 'di', 2, 95.25, 3), (5, 'ed', NULL, 50, 3), (6, 'flo', 1, 101, 2);
SELECT 'count', count(*), count(dept), sum(salary), round(avg(salary), 3), min(name), max(salary) FROM emp;
SELECT d.name, count(e.id), coalesce(sum(e.salary), 0) FROM dept d LEFT JOIN emp e ON e.dept = d.id GROUP BY d.id ORDER BY d.id;
SELECT name FROM emp WHERE dept IS NULL OR salary > 100 ORDER BY salary DESC;
SELECT e.name, b.name FROM emp e JOIN emp b ON e.boss = b.id ORDER BY e.id;
SELECT name, salary, rank() OVER (ORDER BY salary DESC), sum(salary) OVER (PARTITION BY dept ORDER BY id) FROM emp ORDER BY id;
WITH RECURSIVE chain(id, name, depth) AS (
  SELECT id, name, 0 FROM emp WHERE boss IS NULL
  UNION ALL SELECT e.id, e.name, c.depth + 1 FROM emp e JOIN chain c ON e.boss = c.id)
SELECT group_concat(name || ':' || depth, ' ') FROM (SELECT * FROM chain ORDER BY depth, id);
WITH RECURSIVE fib(n, a, b) AS (SELECT 1, 0, 1 UNION ALL SELECT n + 1, b, a + b FROM fib WHERE n < 60)
SELECT n, a FROM fib WHERE n IN (1, 10, 50, 60);
WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 100000)
SELECT count(*), sum(x), sum(x * x) % 1000003 FROM c;
SELECT upper('abc'), lower('ÀB'), length('héllo'), substr('abcdef', 2, 3), replace('a-b-c', '-', '+'),
  instr('hello', 'll'), trim('  x  '), hex('AB'), quote('it''s'), 'x' || NULL IS NULL;
SELECT printf('%5.2f|%-4s|%04d|%x|%e', 3.14159, 'ab', 42, 255, 12345.6789);
SELECT 'abc' LIKE 'A%', 'abc' GLOB 'A*', 'a_c' LIKE 'a\_c' ESCAPE '\', 10 / 3, 10 / 3.0, 7 % 3, -7 / 2, 1 << 40;
SELECT typeof(1), typeof(1.5), typeof('s'), typeof(x'00'), typeof(NULL), CAST('12abc' AS INTEGER), CAST(3.9 AS INTEGER);
SELECT date('2024-02-28', '+1 day'), date('2023-02-28', '+1 day'), datetime(1700000000, 'unixepoch'),
  strftime('%j %w %W', '2024-12-31'), julianday('2000-01-01 12:00:00'), unixepoch('2024-01-01');
SELECT json_object('a', 1, 'b', json_array(1, 2, 'x')), json_extract('{"k":{"n":[5,6]}}', '$.k.n[1]'),
  json_array_length('[1,2,3]');
SELECT key, value FROM json_each('{"x":1,"y":"two"}') ORDER BY key;
SELECT abs(-5), max(1, 7, 3), min('b', 'a'), nullif(2, 2), ifnull(NULL, 'dflt'), iif(1 > 2, 'y', 'n'),
  round(2.5), round(-2.5), round(1.005, 2);
SELECT total(salary), sum(CASE WHEN salary > 99 THEN 1 ELSE 0 END) FROM emp;
BEGIN;
UPDATE emp SET salary = salary * 2;
SELECT 'in transaction', sum(salary) FROM emp;
ROLLBACK;
SELECT 'after rollback', sum(salary) FROM emp;
CREATE INDEX emp_salary ON emp(salary);
SELECT name FROM emp WHERE salary BETWEEN 90 AND 101 ORDER BY salary;
CREATE VIEW rich AS SELECT name FROM emp WHERE salary >= 100;
SELECT group_concat(name, ',') FROM (SELECT name FROM rich ORDER BY name);
CREATE TABLE kv(k TEXT PRIMARY KEY, v) WITHOUT ROWID;
INSERT INTO kv VALUES ('b', 2), ('a', 1) ON CONFLICT DO NOTHING;
INSERT INTO kv VALUES ('a', 10) ON CONFLICT(k) DO UPDATE SET v = v + excluded.v;
SELECT * FROM kv ORDER BY k;
SELECT name, salary FROM emp ORDER BY salary DESC LIMIT 2 OFFSET 1;
SELECT dept, group_concat(name, '+') FROM (SELECT * FROM emp ORDER BY name) GROUP BY dept HAVING count(*) > 1 ORDER BY dept;
SELECT sqlite_version() >= '3.54';

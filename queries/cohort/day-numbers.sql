-- intent: day numbers (Julian day numbers) for every date the rules compare, so that no rule needs date arithmetic
-- inputs: trd:startDate, trd:endDate, trd:date, trd:onsetDate of any node; trd:asOfDate of the evaluation context; trd:ongoing trials (their end is the as-of date)
-- source: Fliegel & Van Flandern (1968), "A machine algorithm for processing calendar dates", Communications of the ACM 11(10):657
-- twin: queries/infer/day-numbers.rq (the same facts, set-at-a-time over the predicate tables)
WITH ev AS (SELECT dt FROM p_trd_asOfDate WHERE dt IS NOT NULL)
SELECT s, trd('startDay') AS p, CAST(jdn(dt) AS VARCHAR) AS o, 'L' AS k, xsd('integer') AS d FROM p_trd_startDate WHERE dt IS NOT NULL
UNION ALL SELECT s, trd('endDay'), CAST(jdn(dt) AS VARCHAR), 'L', xsd('integer') FROM p_trd_endDate WHERE dt IS NOT NULL
UNION ALL SELECT s, trd('dayNumber'), CAST(jdn(dt) AS VARCHAR), 'L', xsd('integer') FROM p_trd_date WHERE dt IS NOT NULL
UNION ALL SELECT s, trd('dayNumber'), CAST(jdn(dt) AS VARCHAR), 'L', xsd('integer') FROM p_trd_asOfDate WHERE dt IS NOT NULL
UNION ALL SELECT s, trd('onsetDay'), CAST(jdn(dt) AS VARCHAR), 'L', xsd('integer') FROM p_trd_onsetDate WHERE dt IS NOT NULL
-- an ongoing trial ends, for every computation, on the as-of date
UNION ALL SELECT g.s, trd('endDay'), CAST(jdn(ev.dt) AS VARCHAR), 'L', xsd('integer')
  FROM p_trd_ongoing g, ev
  WHERE g.b AND NOT EXISTS (SELECT 1 FROM p_trd_endDate e WHERE e.s = g.s)

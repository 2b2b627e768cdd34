-- intent: day numbers (Julian day numbers) for every date the rules compare, so that no rule needs date arithmetic
-- inputs: trd:startDate, trd:endDate, trd:date, trd:onsetDate of any node, and the other bounds of imprecise dates (trd:startDateLatest, trd:endDateEarliest, trd:dateLatest); trd:asOfDate of the evaluation context; trd:ongoing trials (their end is the as-of date)
-- source: Fliegel & Van Flandern (1968), "A machine algorithm for processing calendar dates", Communications of the ACM 11(10):657
-- twin: queries/infer/day-numbers.rq (the same facts, set-at-a-time over the predicate tables)
WITH dated AS (
  SELECT s, 'start' AS kind, o, d FROM p_trd_startDate
  UNION ALL SELECT s, 'end', o, d FROM p_trd_endDate
  UNION ALL SELECT s, 'day', o, d FROM p_trd_date
  UNION ALL SELECT s, 'day', o, d FROM p_trd_asOfDate
  UNION ALL SELECT s, 'onset', o, d FROM p_trd_onsetDate
  -- the other bound of an imprecise date (a partial date is the range of its days)
  UNION ALL SELECT s, 'startLatest', o, d FROM p_trd_startDateLatest
  UNION ALL SELECT s, 'endEarliest', o, d FROM p_trd_endDateEarliest
  UNION ALL SELECT s, 'dayLatest', o, d FROM p_trd_dateLatest
  -- an ongoing trial ends, for every computation, on the as-of date
  UNION ALL SELECT g.s, 'end', ev.o, ev.d FROM p_trd_ongoing g CROSS JOIN p_trd_asOfDate ev
    WHERE g.b IS TRUE AND NOT EXISTS (SELECT 1 FROM p_trd_endDate e WHERE e.s = g.s)
),
numbered AS (SELECT s, kind, CAST(jdn(xsd_day(o, d)) AS VARCHAR) AS day FROM dated)
SELECT s, CASE kind WHEN 'start' THEN trd('startDay') WHEN 'end' THEN trd('endDay') WHEN 'day' THEN trd('dayNumber')
                    WHEN 'onset' THEN trd('onsetDay') WHEN 'startLatest' THEN trd('startDayLatest')
                    WHEN 'endEarliest' THEN trd('endDayEarliest') ELSE trd('dayNumberLatest') END AS p, day AS o, 'L' AS k, xsd('integer') AS d
FROM numbered
-- a date that has no day number (an impossible date, another datatype) still binds its node: the engine
-- states the rule's provenance for every bound subject of the template
UNION ALL SELECT DISTINCT s, prov('wasGeneratedBy'), 'https://w3id.org/trd-reasoner/rule/day-numbers', 'I', NULL FROM dated

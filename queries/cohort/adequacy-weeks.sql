-- intent: weeks at adequate dose of a trial: the asserted shortcut when present, else the days of dose periods at or above the drug's minimum dose, else the trial's days when its dose reached the minimum (0 when it did not), divided by 7; with imprecise dates (a partial date is a range of days) the weeks are computed for the shortest and the longest reading, and given only when the policy's minimum is met by both or missed by both (otherwise unknown: docs/fhir-profile.md, a partial date is the range of its days)
-- inputs: trd:weeksAtAdequateDose asserted on the trial; trd:DosePeriod trd:dailyDoseMg/trd:startDay/trd:endDay (and trd:startDayLatest/trd:endDayEarliest of imprecise dates); trial trd:dailyDoseMg/trd:startDay/trd:endDay; the drug's trd:minimumAdequateDailyDoseMg; policy param-minimum-adequate-weeks (only to decide a range)
-- source: clinical-reference §2 (MGH-ATRQ time at or above the minimum dose [secondary]; merged statements: gap days do not count)
-- twin: queries/infer/adequacy-weeks.rq (the same facts, set-at-a-time over the predicate tables)
WITH trial AS (SELECT DISTINCT s AS trial FROM p_rdf_type WHERE o = trd('AntidepressantTrial')),
asserted_weeks AS (
  SELECT DISTINCT w.s AS trial FROM a_trd_weeksAtAdequateDose w
  JOIN a_rdf_type t ON t.s = w.s AND t.o = trd('AntidepressantTrial')
),
-- the policy's minimum weeks (OPTIONAL: NULL when the policy has none)
threshold AS (
  SELECT v.n AS thr FROM (SELECT 1) one
  LEFT JOIN (p_trd_parameter pr JOIN p_trd_value v ON v.s = pr.s) ON pr.o = trd('param-minimum-adequate-weeks')
),
branch1 AS (  -- 1. the asserted shortcut of hand-written or synthetic data wins (only a number)
  SELECT w.s AS trial, NULL AS drug, w.o AS weeks, w.d AS weeks_d FROM a_trd_weeksAtAdequateDose w
  JOIN a_rdf_type t ON t.s = w.s AND t.o = trd('AntidepressantTrial')
  WHERE w.n IS NOT NULL
),
-- a period's rows: cmp is NULL where SPARQL's ?pdose >= ?min is an error (a dose that is no number);
-- lstart/lend the shortest reading of imprecise dates
period_rows AS (
  SELECT tr.trial, dr.o AS drug, pd.n >= mn.n AS cmp, en.n - st.n AS span,
         CASE WHEN sl.s IS NULL THEN st.n ELSE sl.n END AS lstart,
         CASE WHEN ee.s IS NULL THEN en.n ELSE ee.n END AS lend
  FROM trial tr
  JOIN p_trd_trial pt ON pt.o = tr.trial
  JOIN p_trd_dailyDoseMg pd ON pd.s = pt.s
  JOIN r_trd_startDay st ON st.s = pt.s
  JOIN r_trd_endDay en ON en.s = pt.s
  LEFT JOIN r_trd_startDayLatest sl ON sl.s = pt.s
  LEFT JOIN r_trd_endDayEarliest ee ON ee.s = pt.s
  JOIN p_trd_drug dr ON dr.s = tr.trial
  JOIN p_trd_minimumAdequateDailyDoseMg mn ON mn.s = dr.o
),
-- SUM(IF(...)): an error in any row leaves the sum unbound (NULL); && is SQL's three-valued AND
period_days AS (
  SELECT trial, drug,
         CASE WHEN bool_and(cmp IS NOT NULL) THEN SUM(CASE WHEN cmp THEN span ELSE 0 END) END AS days,
         CASE WHEN bool_and((cmp AND lend > lstart) IS NOT NULL)
              THEN SUM(CASE WHEN cmp AND lend > lstart THEN lend - lstart ELSE 0 END) END AS least_days
  FROM period_rows GROUP BY trial, drug
),
branch2_range AS (  -- 2. dose periods: only the days at or above the minimum count
  SELECT trial, drug, ROUND(days * 1000 / 7) / 1000 AS most, ROUND(least_days * 1000 / 7) / 1000 AS least
  FROM period_days pdays
  WHERE trial NOT IN (SELECT trial FROM asserted_weeks)
    AND NOT EXISTS (
      SELECT 1 FROM p_trd_trial u WHERE u.o = pdays.trial
        AND NOT EXISTS (SELECT 1 FROM p_trd_dailyDoseMg x1 JOIN r_trd_startDay x2 ON x2.s = x1.s
                        JOIN r_trd_endDay x3 ON x3.s = x1.s WHERE x1.s = u.s))
),
trial_rows AS (  -- 3. trial-level dose only
  SELECT tr.trial, dr.o AS drug, ds.n >= mn.n AS cmp, en.n - st.n AS span,
         (CASE WHEN ee.s IS NULL THEN en.n ELSE ee.n END) - (CASE WHEN sl.s IS NULL THEN st.n ELSE sl.n END) AS shortest
  FROM trial tr
  JOIN p_trd_drug dr ON dr.s = tr.trial
  JOIN p_trd_dailyDoseMg ds ON ds.s = tr.trial
  JOIN r_trd_startDay st ON st.s = tr.trial
  JOIN r_trd_endDay en ON en.s = tr.trial
  JOIN p_trd_minimumAdequateDailyDoseMg mn ON mn.s = dr.o
  LEFT JOIN r_trd_startDayLatest sl ON sl.s = tr.trial
  LEFT JOIN r_trd_endDayEarliest ee ON ee.s = tr.trial
  WHERE tr.trial NOT IN (SELECT trial FROM asserted_weeks)
    AND NOT EXISTS (SELECT 1 FROM p_trd_trial u WHERE u.o = tr.trial)
),
branch3_range AS (
  SELECT trial, drug,
         CASE WHEN cmp IS NOT NULL THEN ROUND(CASE WHEN cmp THEN span ELSE 0 END * 1000 / 7) / 1000 END AS most,
         CASE WHEN (cmp AND shortest > 0) IS NOT NULL
              THEN ROUND(CASE WHEN cmp AND shortest > 0 THEN shortest ELSE 0 END * 1000 / 7) / 1000 END AS least
  FROM trial_rows
),
-- one reading: its weeks; a range: the weeks if every reading agrees on the criterion, else unknown
-- (IF(c, x, y) is an error, NULL, when c is: CASE would fall through to the next branch instead)
ranged AS (
  SELECT trial, drug,
         CASE WHEN (least = most OR least >= thr) IS NULL THEN NULL
              WHEN least = most OR least >= thr THEN least
              WHEN (most < thr) IS NULL THEN NULL
              WHEN most < thr THEN most END AS weeks
  FROM (SELECT * FROM branch2_range UNION ALL SELECT * FROM branch3_range) r CROSS JOIN threshold
),
found AS (
  SELECT af.o AS f, b.* FROM (SELECT * FROM branch1
                              UNION ALL SELECT trial, drug, CAST(weeks AS VARCHAR), xsd('decimal') FROM ranged) b
  JOIN p_trd_adequacyFinding af ON af.s = b.trial
  WHERE b.weeks IS NOT NULL
)
SELECT f AS s, trd('weeksAtAdequateDose') AS p, weeks AS o, 'L' AS k, weeks_d AS d FROM found
UNION ALL SELECT f, prov('wasDerivedFrom'), trial, 'I', NULL FROM found
UNION ALL SELECT f, prov('wasDerivedFrom'), drug, 'I', NULL FROM found

-- intent: weeks at adequate dose of a trial: the asserted shortcut when present, else the days of dose periods at or above the drug's minimum dose, else the trial's days when its dose reached the minimum (0 when it did not), divided by 7
-- inputs: trd:weeksAtAdequateDose asserted on the trial; trd:DosePeriod trd:dailyDoseMg/trd:startDay/trd:endDay; trial trd:dailyDoseMg/trd:startDay/trd:endDay; the drug's trd:minimumAdequateDailyDoseMg
-- source: clinical-reference §2 (MGH-ATRQ time at or above the minimum dose [secondary]; merged statements: gap days do not count)
-- twin: queries/infer/adequacy-weeks.rq (the same facts, set-at-a-time over the predicate tables)
WITH trial AS (SELECT DISTINCT s AS trial FROM p_rdf_type WHERE o = trd('AntidepressantTrial')),
asserted_weeks AS (
  SELECT DISTINCT w.s AS trial FROM a_trd_weeksAtAdequateDose w
  JOIN a_rdf_type t ON t.s = w.s AND t.o = trd('AntidepressantTrial')
),
branch1 AS (  -- 1. the asserted shortcut of hand-written or synthetic data wins
  SELECT w.s AS trial, NULL AS drug, w.o AS weeks, w.d AS weeks_d FROM a_trd_weeksAtAdequateDose w
  JOIN a_rdf_type t ON t.s = w.s AND t.o = trd('AntidepressantTrial')
),
period_days AS (
  SELECT tr.trial, dr.o AS drug, SUM(CASE WHEN pd.n >= mn.n THEN en.n - st.n ELSE 0 END) AS days
  FROM trial tr
  JOIN p_trd_trial pt ON pt.o = tr.trial
  JOIN p_trd_dailyDoseMg pd ON pd.s = pt.s
  JOIN r_trd_startDay st ON st.s = pt.s
  JOIN r_trd_endDay en ON en.s = pt.s
  JOIN p_trd_drug dr ON dr.s = tr.trial
  JOIN p_trd_minimumAdequateDailyDoseMg mn ON mn.s = dr.o
  WHERE pd.n IS NOT NULL AND mn.n IS NOT NULL
  GROUP BY tr.trial, dr.o
),
branch2 AS (  -- 2. dose periods: only the days at or above the minimum count
  SELECT trial, drug, CAST(ROUND(days * 1000 / 7) / 1000 AS VARCHAR) AS weeks, xsd('decimal') AS weeks_d
  FROM period_days pdays
  WHERE trial NOT IN (SELECT trial FROM asserted_weeks)
    AND NOT EXISTS (
      SELECT 1 FROM p_trd_trial u WHERE u.o = pdays.trial
        AND NOT EXISTS (SELECT 1 FROM p_trd_dailyDoseMg x1 JOIN r_trd_startDay x2 ON x2.s = x1.s
                        JOIN r_trd_endDay x3 ON x3.s = x1.s WHERE x1.s = u.s))
),
branch3 AS (  -- 3. trial-level dose only
  SELECT tr.trial, dr.o AS drug,
         CAST(ROUND(CASE WHEN ds.n >= mn.n THEN en.n - st.n ELSE 0 END * 1000 / 7) / 1000 AS VARCHAR) AS weeks,
         xsd('decimal') AS weeks_d
  FROM trial tr
  JOIN p_trd_drug dr ON dr.s = tr.trial
  JOIN p_trd_dailyDoseMg ds ON ds.s = tr.trial
  JOIN r_trd_startDay st ON st.s = tr.trial
  JOIN r_trd_endDay en ON en.s = tr.trial
  JOIN p_trd_minimumAdequateDailyDoseMg mn ON mn.s = dr.o
  WHERE ds.n IS NOT NULL AND mn.n IS NOT NULL
    AND tr.trial NOT IN (SELECT trial FROM asserted_weeks)
    AND NOT EXISTS (SELECT 1 FROM p_trd_trial u WHERE u.o = tr.trial)
),
found AS (
  SELECT af.o AS f, b.* FROM (SELECT * FROM branch1 UNION ALL SELECT * FROM branch2 UNION ALL SELECT * FROM branch3) b
  JOIN p_trd_adequacyFinding af ON af.s = b.trial
  WHERE b.weeks IS NOT NULL
)
SELECT f AS s, trd('weeksAtAdequateDose') AS p, weeks AS o, 'L' AS k, weeks_d AS d FROM found
UNION ALL SELECT f, prov('wasDerivedFrom'), trial, 'I', NULL FROM found
UNION ALL SELECT f, prov('wasDerivedFrom'), drug, 'I', NULL FROM found

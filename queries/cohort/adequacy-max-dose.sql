-- intent: the highest daily dose of an antidepressant trial (trial-level dose or any of its dose periods), for the dose criterion
-- inputs: trd:dailyDoseMg of the trial and of its trd:DosePeriod nodes (trd:trial); the trial's trd:adequacyFinding
-- source: clinical-reference §2 (MGH-ATRQ: adequate when the daily dose reached the drug's minimum adequate dose; Current Psychiatry 2012)
-- twin: queries/infer/adequacy-max-dose.rq (the same facts, set-at-a-time over the predicate tables)
WITH doses AS (
  SELECT t.s AS trial, dd.o, dd.d, dd.n FROM p_rdf_type t JOIN p_trd_dailyDoseMg dd ON dd.s = t.s
  WHERE t.o = trd('AntidepressantTrial')
  UNION ALL
  SELECT t.s, dd.o, dd.d, dd.n FROM p_rdf_type t JOIN p_trd_trial pr ON pr.o = t.s
  JOIN p_trd_dailyDoseMg dd ON dd.s = pr.s WHERE t.o = trd('AntidepressantTrial')
),
best AS (SELECT trial, arg_max(o, n) AS o, arg_max(d, n) AS d FROM doses WHERE n IS NOT NULL GROUP BY trial)
SELECT af.o AS s, trd('maxDailyDoseMg') AS p, best.o AS o, 'L' AS k, best.d AS d
FROM best JOIN p_trd_adequacyFinding af ON af.s = best.trial

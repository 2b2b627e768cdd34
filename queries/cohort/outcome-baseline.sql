-- intent: baseline score candidates of a trial, one per instrument: the latest score on or before the trial start, within the policy's baseline window
-- inputs: trial trd:startDay, trd:patient; trd:Assessment trd:patient/trd:instrument/trd:dayNumber (and trd:dayNumberLatest of an imprecise date: every day of its range must be in the window); policy param-baseline-window-days
-- source: clinical-reference §3 (baseline = latest score on or before the trial start, up to 30 days before; same instrument as the endpoint)
-- twin: queries/infer/outcome-baseline.rq (the same facts, set-at-a-time over the predicate tables)
WITH tr AS (
  SELECT DISTINCT t.s AS trial, pa.o AS p, st.n AS start
  FROM p_rdf_type t JOIN p_trd_patient pa ON pa.s = t.s JOIN r_trd_startDay st ON st.s = t.s 
  WHERE t.o = trd('AntidepressantTrial') AND st.n IS NOT NULL
),
a AS (
  SELECT DISTINCT t.s AS a, pa.o AS p, i.o AS instrument, dn.n AS day
  FROM p_rdf_type t JOIN p_trd_patient pa ON pa.s = t.s JOIN p_trd_instrument i ON i.s = t.s
  JOIN r_trd_dayNumber dn ON dn.s = t.s
  WHERE t.o = trd('Assessment') AND dn.n IS NOT NULL
),
-- every day of an imprecise date's range must be in the window: its last day is trd:dayNumberLatest
a_range AS (SELECT a.*, CASE WHEN dl.s IS NULL THEN a.day ELSE dl.n END AS last_day FROM a LEFT JOIN r_trd_dayNumberLatest dl ON dl.s = a.a),
w AS (SELECT v.n FROM p_trd_parameter pr JOIN p_trd_value v ON v.s = pr.s WHERE pr.o = trd('param-baseline-window-days')),
best AS (
  SELECT tr.trial, tr.p, a.instrument, MAX(a.day) AS day FROM tr JOIN a_range a ON a.p = tr.p CROSS JOIN w
  WHERE a.last_day <= tr.start AND tr.start - a.day <= w.n
  GROUP BY tr.trial, tr.p, a.instrument
)
SELECT DISTINCT best.trial AS s, trd('baselineCandidate') AS p, a.a AS o, CASE WHEN is_iri(a.a) THEN 'I' ELSE 'B' END AS k, NULL AS d
FROM best JOIN a ON a.p = best.p AND a.instrument = best.instrument AND a.day = best.day

-- intent: the current depressive episode of each patient: it starts at the onset of the latest active depressive-disorder diagnosis
-- inputs: diagnoses typed with a subclass of trd:DepressiveDisorderDiagnosis with trd:isActive true and trd:onsetDay, trd:patient
-- source: clinical-reference §4 (current episode = from the onset of the latest active depressive-disorder Condition)
-- twin: queries/infer/current-episode.rq (the same facts, set-at-a-time over the predicate tables)
WITH dx AS (
  SELECT DISTINCT pa.s AS dx, pa.o AS p, od.o AS onset_day, od.n AS day, ond.o AS onset, ond.d AS onset_d
  FROM p_trd_patient pa
  JOIN p_trd_isActive ac ON ac.s = pa.s AND ac.b
  JOIN r_trd_onsetDay od ON od.s = pa.s
  JOIN p_rdf_type ty ON ty.s = pa.s
  JOIN sub_star ss ON ss.sub = ty.o AND ss.sup = trd('DepressiveDisorderDiagnosis')
  LEFT JOIN p_trd_onsetDate ond ON ond.s = pa.s
),
latest AS (SELECT p, MAX(day) AS day FROM dx GROUP BY p),
chosen AS (
  SELECT DISTINCT ef.o AS episode, dx.dx, dx.onset_day, dx.onset, dx.onset_d
  FROM dx JOIN latest l ON l.p = dx.p AND l.day = dx.day
  JOIN p_trd_episodeFinding ef ON ef.s = dx.p
  WHERE dx.onset IS NOT NULL
)
SELECT episode AS s, trd('episodeStartDay') AS p, onset_day AS o, 'L' AS k, xsd('integer') AS d FROM chosen
UNION ALL SELECT episode, trd('episodeOnsetDate'), onset, 'L', onset_d FROM chosen
UNION ALL SELECT episode, prov('wasDerivedFrom'), dx, 'I', NULL FROM chosen

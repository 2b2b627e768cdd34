-- intent: Thase–Rush stage (0–5) of each patient in the current episode
-- inputs: failed adequate trials in the current episode (rule failed-trial-counts) and their drug classes (trd:TCA, trd:MAOI); ECT courses in the episode with trd:laterality trd:laterality-bilateral and trd:absentResponse true
-- source: Thase & Rush 1997 [verified] (clinical-reference §4: 0 none; I ≥ 1 failure; II failures in ≥ 2 classes; III II + a failed TCA; IV III + a failed MAOI; V IV + failed bilateral ECT)
-- twin: queries/infer/stage-thase-rush.rq (the same facts, set-at-a-time over the predicate tables)
WITH failed_class AS (  -- a failed trial in the episode of a TCA or an MAOI
  SELECT DISTINCT pa.o AS p, cl.o AS class
  FROM p_rdf_type t JOIN p_trd_patient pa ON pa.s = t.s
  JOIN r_trd_inCurrentEpisode ce ON ce.s = t.s AND ce.b IS TRUE
  JOIN p_trd_drug dr ON dr.s = t.s
  JOIN p_trd_outcomeFinding ofi ON ofi.s = t.s
  JOIN p_trd_failed fl ON fl.s = ofi.o AND fl.b IS TRUE
  JOIN p_rdf_type cl ON cl.s = dr.o AND dr.k <> 'L' AND cl.o IN (trd('TCA'), trd('MAOI')) AND cl.k = 'I'
  WHERE t.o = trd('AntidepressantTrial') AND t.k = 'I'
),
failed_ect AS (  -- a failed bilateral ECT course in the episode
  SELECT DISTINCT pa.o AS p
  FROM p_rdf_type e JOIN p_trd_patient pa ON pa.s = e.s
  JOIN r_trd_inCurrentEpisode ce ON ce.s = e.s AND ce.b IS TRUE
  JOIN p_trd_laterality la ON la.s = e.s AND la.o = trd('laterality-bilateral') AND la.k = 'I'
  JOIN p_trd_absentResponse ar ON ar.s = e.s AND ar.b IS TRUE
  WHERE e.o = trd('ECTCourse') AND e.k = 'I'
),
flags AS (
  SELECT pt.p,
         EXISTS (SELECT 1 FROM failed_class c WHERE c.p = pt.p AND c.class = trd('TCA')) AS tca,
         EXISTS (SELECT 1 FROM failed_class c WHERE c.p = pt.p AND c.class = trd('MAOI')) AS maoi,
         EXISTS (SELECT 1 FROM failed_ect c WHERE c.p = pt.p) AS ect
  FROM (SELECT DISTINCT s AS p FROM p_rdf_type WHERE o = trd('Patient') AND k = 'I') pt
),
staged AS (
  SELECT sf.o AS s, tf.o AS trd_finding,
         CASE WHEN fa.n = 0 THEN 0 WHEN fa.n IS NULL THEN NULL
              WHEN cl.n < 2 THEN 1 WHEN cl.n IS NULL THEN NULL
              WHEN NOT f.tca THEN 2 WHEN NOT f.maoi THEN 3 WHEN NOT f.ect THEN 4 ELSE 5 END AS stage
  FROM flags f
  JOIN p_trd_trdFinding tf ON tf.s = f.p JOIN p_trd_stageFinding sf ON sf.s = f.p
  JOIN p_trd_failedAdequateTrials fa ON fa.s = tf.o JOIN p_trd_distinctFailedClasses cl ON cl.s = tf.o
)
SELECT s, trd('thaseRushStage') AS p, CAST(stage AS VARCHAR) AS o, 'L' AS k, xsd('integer') AS d FROM staged
UNION ALL SELECT s, prov('wasDerivedFrom'), trd_finding, CASE WHEN is_iri(trd_finding) THEN 'I' ELSE 'B' END, NULL FROM staged

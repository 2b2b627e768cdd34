-- intent: per patient, failed adequate trials in the current episode (count, distinct pharmacologic classes, distinct agents) and the same counts if the undetermined trials proved failed
-- inputs: trd:failed of trial outcome findings, trd:adequacy, trd:outcome, trd:inCurrentEpisode, trd:drug and the drug's pharmacologic class (a direct subclass of trd:Antidepressant)
-- source: clinical-reference §4 (TRD confirmed: failed adequate trials from different classes; possible: indeterminate trials and adequate trials with unknown outcome that did not end in remission counted as failed)
-- twin: queries/infer/failed-trial-counts.rq (the same facts, set-at-a-time over the predicate tables)
WITH trial AS (
  SELECT DISTINCT t.s AS trial, pa.o AS p, dr.o AS drug, ofi.o AS o, af.o AS f
  FROM p_rdf_type t JOIN p_trd_patient pa ON pa.s = t.s
  JOIN r_trd_inCurrentEpisode ce ON ce.s = t.s AND ce.b
  JOIN p_trd_drug dr ON dr.s = t.s
  JOIN p_trd_outcomeFinding ofi ON ofi.s = t.s
  LEFT JOIN p_trd_adequacyFinding af ON af.s = t.s
  WHERE t.o = trd('AntidepressantTrial')
),
classed AS (SELECT trial.*, cl.o AS class FROM trial JOIN p_rdf_type cl ON cl.s = trial.drug
            JOIN p_rdfs_subClassOf sc ON sc.s = cl.o AND sc.o = trd('Antidepressant')),
failed AS (SELECT c.* FROM classed c JOIN p_trd_failed fl ON fl.s = c.o AND fl.b),
possible AS (
  SELECT c.* FROM classed c JOIN p_trd_failed fl ON fl.s = c.o JOIN p_trd_outcome oc ON oc.s = c.o
  JOIN p_trd_adequacy ad ON ad.s = c.f
  WHERE fl.b IS TRUE
     OR (ad.o = trd('adequacy-indeterminate') AND oc.o <> trd('outcome-remission'))
     OR (ad.o = trd('adequacy-adequate') AND oc.o = trd('outcome-outcome-unknown'))
),
patient AS (SELECT DISTINCT s AS p FROM p_rdf_type WHERE o = trd('Patient')),
counts AS (
  SELECT patient.p,
         (SELECT COUNT(DISTINCT trial) FROM failed WHERE failed.p = patient.p) AS n,
         (SELECT COUNT(DISTINCT class) FROM failed WHERE failed.p = patient.p) AS classes,
         (SELECT COUNT(DISTINCT drug) FROM failed WHERE failed.p = patient.p) AS agents,
         (SELECT COUNT(DISTINCT trial) FROM possible WHERE possible.p = patient.p) AS pn,
         (SELECT COUNT(DISTINCT class) FROM possible WHERE possible.p = patient.p) AS pclasses,
         (SELECT COUNT(DISTINCT drug) FROM possible WHERE possible.p = patient.p) AS pagents
  FROM patient
),
out AS (SELECT tf.o AS f, counts.* FROM counts JOIN p_trd_trdFinding tf ON tf.s = counts.p),
failed_outcomes AS (
  SELECT DISTINCT tf.o AS f, ofi.o AS o FROM p_rdf_type t JOIN p_trd_patient pa ON pa.s = t.s
  JOIN r_trd_inCurrentEpisode ce ON ce.s = t.s AND ce.b JOIN p_trd_outcomeFinding ofi ON ofi.s = t.s
  JOIN p_trd_failed fl ON fl.s = ofi.o AND fl.b JOIN p_trd_trdFinding tf ON tf.s = pa.o
  WHERE t.o = trd('AntidepressantTrial')
)
SELECT f AS s, trd('failedAdequateTrials') AS p, CAST(n AS VARCHAR) AS o, 'L' AS k, xsd('integer') AS d FROM out
UNION ALL SELECT f, trd('distinctFailedClasses'), CAST(classes AS VARCHAR), 'L', xsd('integer') FROM out
UNION ALL SELECT f, trd('distinctFailedAgents'), CAST(agents AS VARCHAR), 'L', xsd('integer') FROM out
UNION ALL SELECT f, trd('possibleFailedTrials'), CAST(pn AS VARCHAR), 'L', xsd('integer') FROM out
UNION ALL SELECT f, trd('possibleFailedClasses'), CAST(pclasses AS VARCHAR), 'L', xsd('integer') FROM out
UNION ALL SELECT f, trd('possibleFailedAgents'), CAST(pagents AS VARCHAR), 'L', xsd('integer') FROM out
UNION ALL SELECT f, prov('wasDerivedFrom'), o, 'I', NULL FROM failed_outcomes

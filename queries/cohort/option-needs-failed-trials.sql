-- intent: "not-yet-eligible" candidate for an option that needs more failed adequate trials in the
--   current episode than the patient has (of different agents when the option says so), with the
--   missing criterion as text, e.g. "needs ≥ 4 failed adequate trials; has 2".
-- inputs: ontology trd:minimumFailedAdequateTrials, trd:requiresDistinctAgents; derived <patient>/trd
--   trd:failedAdequateTrials and trd:distinctFailedAgents (rule failed-trial-counts, one per patient).
-- source: clinical-reference §7 table (augmentation, switch, rTMS ≥ 1; olanzapine-fluoxetine ≥ 2
--   different agents, FDA TRD label 2009 [verified]; VNS ≥ 4, FDA 2005 [verified]).
-- twin: queries/infer/option-needs-failed-trials.rq (the same facts, set-at-a-time over the predicate tables)
WITH opts AS MATERIALIZED (  -- each option's minimum and whether it wants different agents (a few rows, computed once)
  SELECT nd.s AS opt, nd.n AS need_n, str_of(nd.o, nd.k, nd.d) AS need_text, strafter(nd.s, '#option-') AS suffix,
         CASE WHEN df.s IS NULL THEN FALSE ELSE ebv(df.o, df.k, df.d, df.n, df.b) END AS distinct_agents
  FROM p_trd_minimumFailedAdequateTrials nd
  LEFT JOIN p_trd_requiresDistinctAgents df ON df.s = nd.s
  WHERE is_iri(nd.s)
),
counts AS MATERIALIZED (  -- the patient's failed-trial counts (their texts computed once per patient, not per option)
  SELECT tf.s AS p, tf.o AS trd_finding, tr.n AS trials_n, str_of(tr.o, tr.k, tr.d) AS trials_text,
         ag.n AS agents_n, str_of(ag.o, ag.k, ag.d) AS agents_text
  FROM p_trd_trdFinding tf
  JOIN p_trd_failedAdequateTrials tr ON tr.s = tf.o
  JOIN p_trd_distinctFailedAgents ag ON ag.s = tf.o
  WHERE is_iri(tf.s)
),
has AS (
  SELECT c.p, c.trd_finding, o.opt, o.need_n, o.need_text, o.suffix, o.distinct_agents,
         CASE WHEN o.distinct_agents THEN c.agents_text WHEN NOT o.distinct_agents THEN c.trials_text END AS has_text,
         CASE WHEN o.distinct_agents THEN c.agents_n WHEN NOT o.distinct_agents THEN c.trials_n END AS has_n
  FROM counts c CROSS JOIN opts o
),
found AS MATERIALIZED (
  SELECT p, trd_finding, opt, p || '/option/' || suffix || '/candidate/not-yet-eligible/failed-trials' AS c,
         'needs ≥ ' || need_text || ' failed adequate trials'
           || CASE WHEN distinct_agents THEN ' of different agents' ELSE '' END
           || '; has ' || has_text AS missing
  FROM has
  WHERE has_n < need_n
)
SELECT c AS s, rdf('type') AS p, trd('OptionCandidate') AS o, 'I' AS k, NULL AS d FROM found
UNION ALL SELECT c, trd('candidateFor'), p, 'I', NULL FROM found
UNION ALL SELECT c, trd('candidateOption'), opt, 'I', NULL FROM found
UNION ALL SELECT c, trd('candidateKind'), trd('candidate-not-yet-eligible'), 'I', NULL FROM found
UNION ALL SELECT c, trd('candidateStatus'), trd('status-not-yet-eligible'), 'I', NULL FROM found
UNION ALL SELECT c, trd('candidateMissing'), missing, 'L', NULL FROM found
UNION ALL SELECT c, trd('candidateEvidence'), trd_finding, CASE WHEN is_iri(trd_finding) THEN 'I' ELSE 'B' END, NULL FROM found

-- intent: "not-yet-eligible" candidate for an option that needs more failed adequate trials in the
--   current episode than the patient has (of different agents when the option says so), with the
--   missing criterion as text, e.g. "needs ≥ 4 failed adequate trials; has 2".
-- inputs: ontology trd:minimumFailedAdequateTrials, trd:requiresDistinctAgents; derived <patient>/trd
--   trd:failedAdequateTrials and trd:distinctFailedAgents (rule failed-trial-counts, one per patient).
-- source: clinical-reference §7 table (augmentation, switch, rTMS ≥ 1; olanzapine-fluoxetine ≥ 2
--   different agents, FDA TRD label 2009 [verified]; VNS ≥ 4, FDA 2005 [verified]).
-- twin: queries/infer/option-needs-failed-trials.rq (the same facts, set-at-a-time over the predicate tables)
WITH counted AS (  -- the patient's failed-trial counts, the option's minimum and whether it wants different agents
  SELECT tf.s AS p, tf.o AS trd_finding, nd.s AS opt, nd.o AS need_o, nd.k AS need_k, nd.d AS need_d, nd.n AS need_n,
         CASE WHEN df.s IS NULL THEN FALSE ELSE ebv(df.o, df.k, df.d, df.n, df.b) END AS distinct_agents,
         tr.o AS trials_o, tr.k AS trials_k, tr.d AS trials_d, tr.n AS trials_n,
         ag.o AS agents_o, ag.k AS agents_k, ag.d AS agents_d, ag.n AS agents_n
  FROM p_trd_trdFinding tf
  JOIN p_trd_failedAdequateTrials tr ON tr.s = tf.o
  JOIN p_trd_distinctFailedAgents ag ON ag.s = tf.o
  CROSS JOIN p_trd_minimumFailedAdequateTrials nd
  LEFT JOIN p_trd_requiresDistinctAgents df ON df.s = nd.s
),
has AS (
  SELECT *, CASE WHEN distinct_agents THEN agents_o WHEN NOT distinct_agents THEN trials_o END AS has_o,
         CASE WHEN distinct_agents THEN agents_k WHEN NOT distinct_agents THEN trials_k END AS has_k,
         CASE WHEN distinct_agents THEN agents_d WHEN NOT distinct_agents THEN trials_d END AS has_d,
         CASE WHEN distinct_agents THEN agents_n WHEN NOT distinct_agents THEN trials_n END AS has_n
  FROM counted
),
found AS (
  SELECT *, p || '/option/' || strafter(opt, '#option-') || '/candidate/not-yet-eligible/failed-trials' AS c,
         'needs ≥ ' || str_of(need_o, need_k, need_d) || ' failed adequate trials'
           || CASE WHEN distinct_agents THEN ' of different agents' ELSE '' END
           || '; has ' || str_of(has_o, has_k, has_d) AS missing
  FROM has
  WHERE has_n < need_n AND is_iri(p) AND is_iri(opt)
)
SELECT c AS s, rdf('type') AS p, trd('OptionCandidate') AS o, 'I' AS k, NULL AS d FROM found
UNION ALL SELECT c, trd('candidateFor'), p, 'I', NULL FROM found
UNION ALL SELECT c, trd('candidateOption'), opt, 'I', NULL FROM found
UNION ALL SELECT c, trd('candidateKind'), trd('candidate-not-yet-eligible'), 'I', NULL FROM found
UNION ALL SELECT c, trd('candidateStatus'), trd('status-not-yet-eligible'), 'I', NULL FROM found
UNION ALL SELECT c, trd('candidateMissing'), missing, 'L', NULL FROM found
UNION ALL SELECT c, trd('candidateEvidence'), trd_finding, CASE WHEN is_iri(trd_finding) THEN 'I' ELSE 'B' END, NULL FROM found

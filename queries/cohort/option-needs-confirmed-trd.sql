-- intent: "not-yet-eligible" candidate for an option that needs confirmed TRD when the patient's TRD
--   status is anything else, with the missing criterion as text ("needs confirmed TRD; TRD status
--   is possible").
-- inputs: ontology trd:requiresConfirmedTRD; derived <patient>/trd trd:trdStatus (rule trd-status).
-- source: clinical-reference §7 table (esketamine, IV ketamine: TRD confirmed; Spravato label [verified]).
-- twin: queries/infer/option-needs-confirmed-trd.rq (the same facts, set-at-a-time over the predicate tables)
WITH found AS (  -- a TRD status other than confirmed, for every option that requires confirmed TRD
  SELECT tf.s AS p, tf.o AS trd_finding, rc.s AS opt,
         tf.s || '/option/' || strafter(rc.s, '#option-') || '/candidate/not-yet-eligible/confirmed-trd' AS c,
         'needs confirmed TRD; TRD status is ' || CASE WHEN st.k <> 'B' THEN strafter(st.o, '#trd-') END || ' with '
           || str_of(tr.o, tr.k, tr.d) || ' failed adequate trials' AS missing
  FROM p_trd_trdFinding tf
  JOIN p_trd_trdStatus st ON st.s = tf.o
  JOIN p_trd_failedAdequateTrials tr ON tr.s = tf.o
  JOIN p_trd_requiresConfirmedTRD rc ON rc.b IS TRUE
  WHERE NOT (st.o = trd('trd-confirmed') AND st.k = 'I') AND is_iri(tf.s) AND is_iri(rc.s)
)
SELECT c AS s, rdf('type') AS p, trd('OptionCandidate') AS o, 'I' AS k, NULL AS d FROM found
UNION ALL SELECT c, trd('candidateFor'), p, 'I', NULL FROM found
UNION ALL SELECT c, trd('candidateOption'), opt, 'I', NULL FROM found
UNION ALL SELECT c, trd('candidateKind'), trd('candidate-not-yet-eligible'), 'I', NULL FROM found
UNION ALL SELECT c, trd('candidateStatus'), trd('status-not-yet-eligible'), 'I', NULL FROM found
UNION ALL SELECT c, trd('candidateMissing'), missing, 'L', NULL FROM found
UNION ALL SELECT c, trd('candidateEvidence'), trd_finding, CASE WHEN is_iri(trd_finding) THEN 'I' ELSE 'B' END, NULL FROM found

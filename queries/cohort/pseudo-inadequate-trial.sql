-- intent: pseudo-resistance "inadequate-trial": a trial below the minimum dose or duration that was not
--   stopped for intolerance (that one is medication-intolerance); matched action optimize-trial
--   (recommended).
-- inputs: derived trd:TrialAdequacyFinding criterion results (trd:reason-dose-below-minimum,
--   trd:reason-duration-too-short, trd:reason-stopped-for-intolerance).
-- source: clinical-reference §2 (a trial stopped for intolerance raises medication-intolerance, not
--   inadequate-trial) and §5 row inadequate-trial.
-- twin: queries/infer/pseudo-inadequate-trial.rq (the same facts, set-at-a-time over the predicate tables)
WITH evidence AS (  -- a trial below the minimum dose or duration, not stopped for intolerance
  SELECT DISTINCT pa.o AS p, t.s AS t, ab.s AS af, r.o AS reason
  FROM p_rdf_type t JOIN p_trd_patient pa ON pa.s = t.s
  JOIN p_trd_aboutTrial ab ON ab.o = t.s
  JOIN p_rdf_type aft ON aft.s = ab.s AND aft.o = trd('TrialAdequacyFinding') AND aft.k = 'I'
  JOIN p_trd_hasCriterionResult cr ON cr.s = ab.s
  JOIN p_trd_reason r ON r.s = cr.o AND r.o IN (trd('reason-dose-below-minimum'), trd('reason-duration-too-short')) AND r.k = 'I'
  WHERE t.o = trd('AntidepressantTrial') AND t.k = 'I'
    AND NOT EXISTS (SELECT 1 FROM p_trd_hasCriterionResult c2 JOIN p_trd_reason r2 ON r2.s = c2.o
                    WHERE c2.s = ab.s AND r2.o = trd('reason-stopped-for-intolerance') AND r2.k = 'I')
    AND NOT EXISTS (SELECT 1 FROM p_trd_stopReason sr WHERE sr.s = t.s AND sr.o = trd('stop-intolerance') AND sr.k = 'I')
),
found AS (  -- the matched actions are ontology data: options that address the cause
  SELECT e.*, e.p || '/pseudo/inadequate-trial' AS f, ac.s AS opt, sw.o AS status, sw.k AS status_k, sw.d AS status_d,
         'a trial was inadequate: ' || strafter(e.reason, '#reason-') AS why,
         CASE WHEN is_iri(ac.s) AND sw.k <> 'B'
              THEN iri(e.p || '/option/' || strafter(ac.s, '#option-') || '/candidate/triggered/'
                       || strafter(sw.o, '#status-')) END AS c
  FROM evidence e
  JOIN p_rdf_type pt ON pt.s = e.p AND pt.o = trd('Patient') AND pt.k = 'I'
  JOIN p_trd_addressesCause ac ON ac.o = trd('pseudo-inadequate-trial') AND ac.k = 'I'
  JOIN p_trd_statusWhenEligible sw ON sw.s = ac.s
  WHERE is_iri(e.p)
)
SELECT f AS s, rdf('type') AS p, trd('PseudoResistanceFinding') AS o, 'I' AS k, NULL AS d FROM found
UNION ALL SELECT f, trd('aboutPatient'), p, 'I', NULL FROM found
UNION ALL SELECT f, trd('cause'), trd('pseudo-inadequate-trial'), 'I', NULL FROM found
UNION ALL SELECT f, trd('matchedOption'), opt, CASE WHEN is_iri(opt) THEN 'I' ELSE 'B' END, NULL FROM found
UNION ALL SELECT f, prov('wasDerivedFrom'), af, CASE WHEN is_iri(af) THEN 'I' ELSE 'B' END, NULL FROM found
UNION ALL SELECT f, prov('wasDerivedFrom'), t, CASE WHEN is_iri(t) THEN 'I' ELSE 'B' END, NULL FROM found
UNION ALL SELECT c, rdf('type'), trd('OptionCandidate'), 'I', NULL FROM found
UNION ALL SELECT c, trd('candidateFor'), p, 'I', NULL FROM found
UNION ALL SELECT c, trd('candidateOption'), opt, 'I', NULL FROM found
UNION ALL SELECT c, trd('candidateKind'), trd('candidate-triggered'), 'I', NULL FROM found
UNION ALL SELECT c, trd('candidateStatus'), status, status_k, lit_d(status, status_d) FROM found
UNION ALL SELECT c, trd('candidateReason'), why, 'L', NULL FROM found
UNION ALL SELECT c, trd('candidateEvidence'), f, 'I', NULL FROM found
UNION ALL SELECT c, trd('candidateEvidence'), af, CASE WHEN is_iri(af) THEN 'I' ELSE 'B' END, NULL FROM found

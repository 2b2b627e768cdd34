-- intent: pseudo-resistance "substance-use": an active substance use disorder (ICD-10-CM F10–F16, F18,
--   F19, mapped by the importer to trd:SubstanceUseDisorderDiagnosis); matched action
--   integrated-sud-treatment (recommended).
-- inputs: asserted diagnoses typed trd:SubstanceUseDisorderDiagnosis, not trd:isActive false.
-- source: clinical-reference §5 row substance-use.
-- twin: queries/infer/pseudo-substance-use.rq (the same facts, set-at-a-time over the predicate tables)
WITH evidence AS (  -- an active substance use disorder (not stated inactive)
  SELECT DISTINCT pa.o AS p, pa.s AS dx
  FROM p_trd_patient pa JOIN p_rdf_type ty ON ty.s = pa.s AND ty.k = 'I'
  JOIN sub_star ss ON ss.sub = ty.o AND ss.sup = trd('SubstanceUseDisorderDiagnosis')
  WHERE NOT EXISTS (SELECT 1 FROM p_trd_isActive ia WHERE ia.s = pa.s AND ia.b IS FALSE)
),
found AS (  -- the matched actions are ontology data: options that address the cause
  SELECT e.*, e.p || '/pseudo/substance-use' AS f, ac.s AS opt, sw.o AS status, sw.k AS status_k, sw.d AS status_d,
         CASE WHEN is_iri(ac.s) AND sw.k <> 'B'
              THEN iri(e.p || '/option/' || strafter(ac.s, '#option-') || '/candidate/triggered/'
                       || strafter(sw.o, '#status-')) END AS c
  FROM evidence e
  JOIN p_rdf_type pt ON pt.s = e.p AND pt.o = trd('Patient') AND pt.k = 'I'
  JOIN p_trd_addressesCause ac ON ac.o = trd('pseudo-substance-use') AND ac.k = 'I'
  JOIN p_trd_statusWhenEligible sw ON sw.s = ac.s
  WHERE is_iri(e.p)
)
SELECT f AS s, rdf('type') AS p, trd('PseudoResistanceFinding') AS o, 'I' AS k, NULL AS d FROM found
UNION ALL SELECT f, trd('aboutPatient'), p, 'I', NULL FROM found
UNION ALL SELECT f, trd('cause'), trd('pseudo-substance-use'), 'I', NULL FROM found
UNION ALL SELECT f, trd('matchedOption'), opt, CASE WHEN is_iri(opt) THEN 'I' ELSE 'B' END, NULL FROM found
UNION ALL SELECT f, prov('wasDerivedFrom'), dx, CASE WHEN is_iri(dx) THEN 'I' ELSE 'B' END, NULL FROM found
UNION ALL SELECT c, rdf('type'), trd('OptionCandidate'), 'I', NULL FROM found
UNION ALL SELECT c, trd('candidateFor'), p, 'I', NULL FROM found
UNION ALL SELECT c, trd('candidateOption'), opt, 'I', NULL FROM found
UNION ALL SELECT c, trd('candidateKind'), trd('candidate-triggered'), 'I', NULL FROM found
UNION ALL SELECT c, trd('candidateStatus'), status, status_k, lit_d(status, status_d) FROM found
UNION ALL SELECT c, trd('candidateReason'), 'active substance use disorder', 'L', NULL FROM found
UNION ALL SELECT c, trd('candidateEvidence'), f, 'I', NULL FROM found
UNION ALL SELECT c, trd('candidateEvidence'), dx, CASE WHEN is_iri(dx) THEN 'I' ELSE 'B' END, NULL FROM found

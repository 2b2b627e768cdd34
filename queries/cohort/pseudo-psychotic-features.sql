-- intent: pseudo-resistance "psychotic-features": active depression with psychotic features
--   (F32.3/F33.3); matched actions ect and antipsychotic-combination, both recommended (ECT is
--   recommended with psychotic features, §7).
-- inputs: asserted diagnoses typed trd:MDDWithPsychoticFeaturesDiagnosis, not trd:isActive false.
-- source: clinical-reference §5 row psychotic-features and §7 row ect.
-- twin: queries/infer/pseudo-psychotic-features.rq (the same facts, set-at-a-time over the predicate tables)
WITH evidence AS (  -- depression with psychotic features, not stated inactive
  SELECT DISTINCT pa.o AS p, pa.s AS dx
  FROM p_trd_patient pa JOIN p_rdf_type ty ON ty.s = pa.s AND ty.k = 'I'
  JOIN sub_star ss ON ss.sub = ty.o AND ss.sup = trd('MDDWithPsychoticFeaturesDiagnosis')
  WHERE NOT EXISTS (SELECT 1 FROM p_trd_isActive ia WHERE ia.s = pa.s AND ia.b IS FALSE)
),
found AS (  -- the matched actions from the ontology, all recommended here whatever their usual status
  SELECT e.*, e.p || '/pseudo/psychotic-features' AS f, ac.s AS opt,
         CASE WHEN is_iri(ac.s) THEN e.p || '/option/' || strafter(ac.s, '#option-') || '/candidate/triggered/recommended' END AS c
  FROM evidence e
  JOIN p_rdf_type pt ON pt.s = e.p AND pt.o = trd('Patient') AND pt.k = 'I'
  JOIN p_trd_addressesCause ac ON ac.o = trd('pseudo-psychotic-features') AND ac.k = 'I'
  WHERE is_iri(e.p)
)
SELECT f AS s, rdf('type') AS p, trd('PseudoResistanceFinding') AS o, 'I' AS k, NULL AS d FROM found
UNION ALL SELECT f, trd('aboutPatient'), p, 'I', NULL FROM found
UNION ALL SELECT f, trd('cause'), trd('pseudo-psychotic-features'), 'I', NULL FROM found
UNION ALL SELECT f, trd('matchedOption'), opt, CASE WHEN is_iri(opt) THEN 'I' ELSE 'B' END, NULL FROM found
UNION ALL SELECT f, prov('wasDerivedFrom'), dx, CASE WHEN is_iri(dx) THEN 'I' ELSE 'B' END, NULL FROM found
UNION ALL SELECT c, rdf('type'), trd('OptionCandidate'), 'I', NULL FROM found
UNION ALL SELECT c, trd('candidateFor'), p, 'I', NULL FROM found
UNION ALL SELECT c, trd('candidateOption'), opt, 'I', NULL FROM found
UNION ALL SELECT c, trd('candidateKind'), trd('candidate-triggered'), 'I', NULL FROM found
UNION ALL SELECT c, trd('candidateStatus'), trd('status-recommended'), 'I', NULL FROM found
UNION ALL SELECT c, trd('candidateReason'), 'depression with psychotic features', 'L', NULL FROM found
UNION ALL SELECT c, trd('candidateEvidence'), f, 'I', NULL FROM found
UNION ALL SELECT c, trd('candidateEvidence'), dx, CASE WHEN is_iri(dx) THEN 'I' ELSE 'B' END, NULL FROM found

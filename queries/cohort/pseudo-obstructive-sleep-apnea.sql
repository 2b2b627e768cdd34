-- intent: pseudo-resistance "obstructive-sleep-apnea": an active OSA diagnosis, or an apnoea-hypopnoea
--   index at or above the policy's OSA cut-off; matched action cpap (recommended).
-- inputs: asserted diagnoses (trd:ObstructiveSleepApneaDiagnosis, not trd:isActive false), AHI lab
--   measurements, policy setting trd:param-ahi-osa.
-- source: clinical-reference §5 row obstructive-sleep-apnea (AHI ≥ 5 /h [verified]).
-- twin: queries/infer/pseudo-obstructive-sleep-apnea.rq (the same facts, set-at-a-time over the predicate tables)
WITH evidence AS (
  -- an OSA diagnosis not stated inactive
  SELECT pa.o AS p, pa.s AS ev, NULL AS setting, 'active obstructive sleep apnoea diagnosis' AS why
  FROM p_trd_patient pa JOIN p_rdf_type ty ON ty.s = pa.s AND ty.k = 'I'
  JOIN sub_star ss ON ss.sub = ty.o AND ss.sup = trd('ObstructiveSleepApneaDiagnosis')
  WHERE NOT EXISTS (SELECT 1 FROM p_trd_isActive ia WHERE ia.s = pa.s AND ia.b IS FALSE)
  UNION
  -- or an apnoea-hypopnoea index at or above the policy's cut-off (any measurement, not only the latest)
  SELECT pa.o, t.s, st.s, 'apnoea-hypopnoea index at or above the OSA cut-off'
  FROM p_rdf_type t JOIN p_trd_patient pa ON pa.s = t.s
  JOIN p_trd_analyte an ON an.s = t.s AND an.o = trd('AHI') AND an.k = 'I'
  JOIN p_trd_value v ON v.s = t.s
  JOIN p_trd_parameter st ON st.o = trd('param-ahi-osa') JOIN p_trd_value cut ON cut.s = st.s
  WHERE t.o = trd('LabMeasurement') AND t.k = 'I' AND v.n >= cut.n
),
found AS (  -- the matched actions are ontology data: options that address the cause
  SELECT e.*, e.p || '/pseudo/obstructive-sleep-apnea' AS f, ac.s AS opt, sw.o AS status, sw.k AS status_k, sw.d AS status_d,
         CASE WHEN is_iri(ac.s) AND sw.k <> 'B'
              THEN iri(e.p || '/option/' || strafter(ac.s, '#option-') || '/candidate/triggered/'
                       || strafter(sw.o, '#status-')) END AS c
  FROM evidence e
  JOIN p_rdf_type pt ON pt.s = e.p AND pt.o = trd('Patient') AND pt.k = 'I'
  JOIN p_trd_addressesCause ac ON ac.o = trd('pseudo-obstructive-sleep-apnea') AND ac.k = 'I'
  JOIN p_trd_statusWhenEligible sw ON sw.s = ac.s
  WHERE is_iri(e.p)
)
SELECT f AS s, rdf('type') AS p, trd('PseudoResistanceFinding') AS o, 'I' AS k, NULL AS d FROM found
UNION ALL SELECT f, trd('aboutPatient'), p, 'I', NULL FROM found
UNION ALL SELECT f, trd('cause'), trd('pseudo-obstructive-sleep-apnea'), 'I', NULL FROM found
UNION ALL SELECT f, trd('matchedOption'), opt, CASE WHEN is_iri(opt) THEN 'I' ELSE 'B' END, NULL FROM found
UNION ALL SELECT f, prov('wasDerivedFrom'), ev, CASE WHEN is_iri(ev) THEN 'I' ELSE 'B' END, NULL FROM found
UNION ALL SELECT f, prov('wasDerivedFrom'), setting, CASE WHEN is_iri(setting) THEN 'I' ELSE 'B' END, NULL FROM found
UNION ALL SELECT c, rdf('type'), trd('OptionCandidate'), 'I', NULL FROM found
UNION ALL SELECT c, trd('candidateFor'), p, 'I', NULL FROM found
UNION ALL SELECT c, trd('candidateOption'), opt, 'I', NULL FROM found
UNION ALL SELECT c, trd('candidateKind'), trd('candidate-triggered'), 'I', NULL FROM found
UNION ALL SELECT c, trd('candidateStatus'), status, status_k, lit_d(status, status_d) FROM found
UNION ALL SELECT c, trd('candidateReason'), why, 'L', NULL FROM found
UNION ALL SELECT c, trd('candidateEvidence'), f, 'I', NULL FROM found
UNION ALL SELECT c, trd('candidateEvidence'), ev, CASE WHEN is_iri(ev) THEN 'I' ELSE 'B' END, NULL FROM found

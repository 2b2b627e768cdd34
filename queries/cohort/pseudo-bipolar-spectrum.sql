-- intent: pseudo-resistance "bipolar-spectrum": a bipolar I/II or manic/hypomanic episode diagnosis
--   (any time) or an MDQ score at or above the policy's positive cut-off; matched actions
--   stop-antidepressant-monotherapy and mood-stabilizer, both recommended.
-- inputs: asserted diagnoses (typed under trd:BipolarSpectrumDiagnosis), MDQ assessments,
--   policy setting trd:param-mdq-positive-score.
-- source: clinical-reference §4 (excluded) and §5 row bipolar-spectrum; EU-PEARL Delphi consensus 2022
--   (PMC9095475) [verified]; MDQ cut-off from the policy graph.
-- twin: queries/infer/pseudo-bipolar-spectrum.rq (the same facts, set-at-a-time over the predicate tables)
WITH evidence AS (
  -- a bipolar-spectrum diagnosis (any time)
  SELECT pa.o AS p, pa.s AS ev, NULL AS setting
  FROM p_trd_patient pa JOIN p_rdf_type ty ON ty.s = pa.s AND ty.k = 'I'
  JOIN sub_star ss ON ss.sub = ty.o AND ss.sup = trd('BipolarSpectrumDiagnosis')
  UNION
  -- or an MDQ score at or above the policy's positive cut-off
  SELECT pa.o, pa.s, st.s
  FROM p_trd_patient pa JOIN p_trd_instrument i ON i.s = pa.s AND i.o = trd('MDQ') AND i.k = 'I'
  JOIN p_trd_score sc ON sc.s = pa.s
  JOIN p_trd_parameter st ON st.o = trd('param-mdq-positive-score') JOIN p_trd_value cut ON cut.s = st.s
  WHERE sc.n >= cut.n
),
found AS (  -- the matched actions are ontology data: options that address the cause
  SELECT e.*, e.p || '/pseudo/bipolar-spectrum' AS f, ac.s AS opt, sw.o AS status, sw.k AS status_k, sw.d AS status_d,
         CASE WHEN is_iri(ac.s) AND sw.k <> 'B'
              THEN iri(e.p || '/option/' || strafter(ac.s, '#option-') || '/candidate/triggered/'
                       || strafter(sw.o, '#status-')) END AS c
  FROM evidence e
  JOIN p_rdf_type pt ON pt.s = e.p AND pt.o = trd('Patient') AND pt.k = 'I'
  JOIN p_trd_addressesCause ac ON ac.o = trd('pseudo-bipolar-spectrum') AND ac.k = 'I'
  JOIN p_trd_statusWhenEligible sw ON sw.s = ac.s
  WHERE is_iri(e.p)
)
SELECT f AS s, rdf('type') AS p, trd('PseudoResistanceFinding') AS o, 'I' AS k, NULL AS d FROM found
UNION ALL SELECT f, trd('aboutPatient'), p, 'I', NULL FROM found
UNION ALL SELECT f, trd('cause'), trd('pseudo-bipolar-spectrum'), 'I', NULL FROM found
UNION ALL SELECT f, trd('matchedOption'), opt, CASE WHEN is_iri(opt) THEN 'I' ELSE 'B' END, NULL FROM found
UNION ALL SELECT f, prov('wasDerivedFrom'), ev, CASE WHEN is_iri(ev) THEN 'I' ELSE 'B' END, NULL FROM found
UNION ALL SELECT f, prov('wasDerivedFrom'), setting, CASE WHEN is_iri(setting) THEN 'I' ELSE 'B' END, NULL FROM found
UNION ALL SELECT c, rdf('type'), trd('OptionCandidate'), 'I', NULL FROM found
UNION ALL SELECT c, trd('candidateFor'), p, 'I', NULL FROM found
UNION ALL SELECT c, trd('candidateOption'), opt, 'I', NULL FROM found
UNION ALL SELECT c, trd('candidateKind'), trd('candidate-triggered'), 'I', NULL FROM found
UNION ALL SELECT c, trd('candidateStatus'), status, status_k, lit_d(status, status_d) FROM found
UNION ALL SELECT c, trd('candidateReason'), 'bipolar spectrum: antidepressant monotherapy is not the pathway', 'L', NULL FROM found
UNION ALL SELECT c, trd('candidateEvidence'), f, 'I', NULL FROM found

-- intent: infliximab as an investigational option when inflammation is flagged and the CRP that
--   flagged it exceeds the policy's infliximab threshold.
-- inputs: derived <patient>/mechanism/inflammation with its trd:biomarkerValue (the latest CRP in mg/L,
--   rule mechanism-inflammation), policy setting trd:param-crp-infliximab, ontology
--   trd:statusWhenEligible of trd:option-infliximab.
-- source: clinical-reference §6 row inflammation (infliximab only if CRP > 5 mg/L, Raison 2013 [verified]).
-- twin: queries/infer/option-infliximab.rq (the same facts, set-at-a-time over the predicate tables)
WITH flagged AS (  -- the inflammation finding with its CRP, and the patient recovered from its minted IRI
  SELECT DISTINCT mf.s AS mf, iri(substr(mf.s, 1, length(mf.s) - length('/mechanism/inflammation'))) AS p, bv.n AS crp
  FROM p_rdf_type mf JOIN p_trd_mechanism me ON me.s = mf.s AND me.o = trd('mechanism-inflammation') AND me.k = 'I'
  JOIN p_trd_biomarkerValue bv ON bv.s = mf.s
  WHERE mf.o = trd('MechanismFinding') AND mf.k = 'I' AND is_iri(mf.s)
),
found AS (  -- above the policy's infliximab threshold (reason texts carry no decimal)
  SELECT DISTINCT fl.mf, fl.p, st.s AS setting, sw.o AS status, sw.k AS status_k, sw.d AS status_d,
         CASE WHEN sw.k <> 'B' THEN iri(fl.p || '/option/infliximab/candidate/triggered/'
                                        || strafter(sw.o, '#status-')) END AS c
  FROM flagged fl
  JOIN p_trd_parameter st ON st.o = trd('param-crp-infliximab') JOIN p_trd_value cut ON cut.s = st.s
  JOIN p_trd_statusWhenEligible sw ON sw.s = trd('option-infliximab')
  WHERE fl.crp > cut.n AND fl.p IS NOT NULL
)
SELECT c AS s, rdf('type') AS p, trd('OptionCandidate') AS o, 'I' AS k, NULL AS d FROM found
UNION ALL SELECT c, trd('candidateFor'), p, 'I', NULL FROM found
UNION ALL SELECT c, trd('candidateOption'), trd('option-infliximab'), 'I', NULL FROM found
UNION ALL SELECT c, trd('candidateKind'), trd('candidate-triggered'), 'I', NULL FROM found
UNION ALL SELECT c, trd('candidateStatus'), status, status_k, lit_d(status, status_d) FROM found
UNION ALL SELECT c, trd('candidateReason'), 'CRP above the infliximab threshold', 'L', NULL FROM found
UNION ALL SELECT c, trd('candidateEvidence'), mf, 'I', NULL FROM found
UNION ALL SELECT c, trd('candidateEvidence'), setting, CASE WHEN is_iri(setting) THEN 'I' ELSE 'B' END, NULL FROM found

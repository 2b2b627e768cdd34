-- intent: pseudo-resistance "medication-intolerance": a trial stopped for adverse effects (intolerance,
--   not failure); matched action switch-class (recommended; §7 also makes switch-class eligible
--   after an intolerance).
-- inputs: asserted antidepressant trials with trd:stopReason trd:stop-intolerance.
-- source: clinical-reference §2 and §5 row medication-intolerance; EU-PEARL Delphi consensus 2022
--   (PMC9095475) [verified].
-- twin: queries/infer/pseudo-medication-intolerance.rq (the same facts, set-at-a-time over the predicate tables)
WITH evidence AS (  -- a trial stopped for intolerance
  SELECT DISTINCT pa.o AS p, t.s AS t
  FROM p_rdf_type t JOIN p_trd_patient pa ON pa.s = t.s
  JOIN p_trd_stopReason sr ON sr.s = t.s AND sr.o = trd('stop-intolerance') AND sr.k = 'I'
  WHERE t.o = trd('AntidepressantTrial') AND t.k = 'I'
),
found AS (  -- the matched actions are ontology data: options that address the cause
  SELECT e.*, e.p || '/pseudo/medication-intolerance' AS f, ac.s AS opt, sw.o AS status, sw.k AS status_k, sw.d AS status_d,
         CASE WHEN is_iri(ac.s) AND sw.k <> 'B'
              THEN iri(e.p || '/option/' || strafter(ac.s, '#option-') || '/candidate/triggered/'
                       || strafter(sw.o, '#status-')) END AS c
  FROM evidence e
  JOIN p_rdf_type pt ON pt.s = e.p AND pt.o = trd('Patient') AND pt.k = 'I'
  JOIN p_trd_addressesCause ac ON ac.o = trd('pseudo-medication-intolerance') AND ac.k = 'I'
  JOIN p_trd_statusWhenEligible sw ON sw.s = ac.s
  WHERE is_iri(e.p)
)
SELECT f AS s, rdf('type') AS p, trd('PseudoResistanceFinding') AS o, 'I' AS k, NULL AS d FROM found
UNION ALL SELECT f, trd('aboutPatient'), p, 'I', NULL FROM found
UNION ALL SELECT f, trd('cause'), trd('pseudo-medication-intolerance'), 'I', NULL FROM found
UNION ALL SELECT f, trd('matchedOption'), opt, CASE WHEN is_iri(opt) THEN 'I' ELSE 'B' END, NULL FROM found
UNION ALL SELECT f, prov('wasDerivedFrom'), t, CASE WHEN is_iri(t) THEN 'I' ELSE 'B' END, NULL FROM found
UNION ALL SELECT c, rdf('type'), trd('OptionCandidate'), 'I', NULL FROM found
UNION ALL SELECT c, trd('candidateFor'), p, 'I', NULL FROM found
UNION ALL SELECT c, trd('candidateOption'), opt, 'I', NULL FROM found
UNION ALL SELECT c, trd('candidateKind'), trd('candidate-triggered'), 'I', NULL FROM found
UNION ALL SELECT c, trd('candidateStatus'), status, status_k, lit_d(status, status_d) FROM found
UNION ALL SELECT c, trd('candidateReason'), 'a trial was stopped for intolerance', 'L', NULL FROM found
UNION ALL SELECT c, trd('candidateEvidence'), f, 'I', NULL FROM found
UNION ALL SELECT c, trd('candidateEvidence'), t, CASE WHEN is_iri(t) THEN 'I' ELSE 'B' END, NULL FROM found

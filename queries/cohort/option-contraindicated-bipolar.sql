-- intent: "contraindicated" candidate, reason "bipolar spectrum", for every option of the
--   antidepressant-based unipolar pathway (trd:contraindicatedInBipolar true) when the patient has
--   the bipolar-spectrum pseudo-resistance finding (bipolar diagnosis ever, or MDQ positive).
-- inputs: derived <patient>/pseudo/bipolar-spectrum (rule pseudo-bipolar-spectrum), ontology
--   trd:contraindicatedInBipolar.
-- source: clinical-reference §7 ("for a bipolar-spectrum patient the unipolar TRD pathway does not
--   apply: the antidepressant-based options are contraindicated with reason bipolar spectrum").
-- twin: queries/infer/option-contraindicated-bipolar.rq (the same facts, set-at-a-time over the predicate tables)
WITH bipolar AS (  -- the bipolar-spectrum finding, and the patient recovered from its minted IRI
  SELECT DISTINCT pf.s AS bipolar, iri(substr(pf.s, 1, length(pf.s) - length('/pseudo/bipolar-spectrum'))) AS p
  FROM p_rdf_type pf JOIN p_trd_cause ca ON ca.s = pf.s AND ca.o = trd('pseudo-bipolar-spectrum') AND ca.k = 'I'
  WHERE pf.o = trd('PseudoResistanceFinding') AND pf.k = 'I' AND is_iri(pf.s)
),
found AS (  -- every option of the antidepressant-based unipolar pathway
  SELECT b.*, ci.s AS opt,
         CASE WHEN is_iri(ci.s) THEN b.p || '/option/' || strafter(ci.s, '#option-') || '/candidate/contraindicated' END AS c
  FROM bipolar b JOIN p_trd_contraindicatedInBipolar ci ON ci.b IS TRUE
  WHERE b.p IS NOT NULL
)
SELECT c AS s, rdf('type') AS p, trd('OptionCandidate') AS o, 'I' AS k, NULL AS d FROM found
UNION ALL SELECT c, trd('candidateFor'), p, 'I', NULL FROM found
UNION ALL SELECT c, trd('candidateOption'), opt, 'I', NULL FROM found
UNION ALL SELECT c, trd('candidateKind'), trd('candidate-contraindicated'), 'I', NULL FROM found
UNION ALL SELECT c, trd('candidateStatus'), trd('status-contraindicated'), 'I', NULL FROM found
UNION ALL SELECT c, trd('candidateReason'), 'bipolar spectrum', 'L', NULL FROM found
UNION ALL SELECT c, trd('candidateEvidence'), bipolar, 'I', NULL FROM found

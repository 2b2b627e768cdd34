-- intent: the bipolar-pathway status of an option that stays available for a bipolar-spectrum patient
--   with a status of its own (trd:statusInBipolar: lithium and olanzapine-fluoxetine "consider"),
--   whatever the unipolar eligibility counts say.
-- inputs: derived <patient>/pseudo/bipolar-spectrum (rule pseudo-bipolar-spectrum), ontology
--   trd:statusInBipolar.
-- source: clinical-reference §7 rows augment-lithium ("lithium stays consider in bipolar: it is a
--   mood stabilizer") and olanzapine-fluoxetine ("in bipolar spectrum consider: approved for bipolar
--   depression").
-- twin: queries/infer/option-bipolar-pathway.rq (the same facts, set-at-a-time over the predicate tables)
WITH bipolar AS (  -- the bipolar-spectrum finding, and the patient recovered from its minted IRI
  SELECT DISTINCT pf.s AS bipolar, iri(substr(pf.s, 1, length(pf.s) - length('/pseudo/bipolar-spectrum'))) AS p
  FROM p_rdf_type pf JOIN p_trd_cause ca ON ca.s = pf.s AND ca.o = trd('pseudo-bipolar-spectrum') AND ca.k = 'I'
  WHERE pf.o = trd('PseudoResistanceFinding') AND pf.k = 'I' AND is_iri(pf.s)
),
found AS (
  SELECT b.*, sb.s AS opt, sb.o AS status, sb.k AS status_k, sb.d AS status_d,
         COALESCE(CASE WHEN is_str(tx.k, tx.d) THEN 'bipolar spectrum: ' || tx.o END, 'bipolar spectrum') AS why,
         CASE WHEN is_iri(sb.s) AND sb.k <> 'B'
              THEN iri(b.p || '/option/' || strafter(sb.s, '#option-') || '/candidate/bipolar-pathway/'
                       || strafter(sb.o, '#status-')) END AS c
  FROM bipolar b CROSS JOIN p_trd_statusInBipolar sb
  LEFT JOIN p_trd_eligibilityText tx ON tx.s = sb.s
  WHERE b.p IS NOT NULL
)
SELECT c AS s, rdf('type') AS p, trd('OptionCandidate') AS o, 'I' AS k, NULL AS d FROM found
UNION ALL SELECT c, trd('candidateFor'), p, 'I', NULL FROM found
UNION ALL SELECT c, trd('candidateOption'), opt, 'I', NULL FROM found
UNION ALL SELECT c, trd('candidateKind'), trd('candidate-bipolar-pathway'), 'I', NULL FROM found
UNION ALL SELECT c, trd('candidateStatus'), status, status_k, lit_d(status, status_d) FROM found
UNION ALL SELECT c, trd('candidateReason'), why, 'L', NULL FROM found
UNION ALL SELECT c, trd('candidateEvidence'), bipolar, 'I', NULL FROM found

-- intent: pseudo-resistance "cyp2d6-ultrarapid": a CYP2D6 ultrarapid metabolizer and a trial in the current episode,
--   not ending in remission, of a drug the ontology says CYP2D6 metabolizes (trd:metabolizedBy:
--   paroxetine, vortioxetine, fluvoxamine, venlafaxine); matched action cpic-guided-switch.
-- inputs: asserted trd:PhenotypeResult (trd:gene trd:CYP2D6, trd:phenotype), trials with derived
--   trd:inCurrentEpisode, derived trd:outcomeFinding → trd:outcome, ontology trd:metabolizedBy.
-- source: clinical-reference §5 row cyp2d6-ultrarapid (CPIC 2023 [unverified rows]).
-- twin: queries/infer/pseudo-cyp2d6-ultrarapid.rq (the same facts, set-at-a-time over the predicate tables)
WITH evidence AS (  -- an ultrarapid CYP2D6 phenotype and a non-remitted trial in the episode of a CYP2D6 substrate
  SELECT DISTINCT r.s AS r, pa.o AS p, ph.o AS phenotype, t.s AS t, dr.o AS d, dr.k AS d_k, lb.o AS drug_name, lb.k AS drug_name_k, lb.d AS drug_name_d
  FROM p_rdf_type r JOIN p_trd_patient pa ON pa.s = r.s
  JOIN p_trd_gene ge ON ge.s = r.s AND ge.o = trd('CYP2D6') AND ge.k = 'I'
  JOIN p_trd_phenotype ph ON ph.s = r.s AND ph.o = trd('phenotype-ultrarapid') AND ph.k = 'I'
  JOIN p_trd_patient tp ON tp.o = pa.o
  JOIN p_rdf_type t ON t.s = tp.s AND t.o = trd('AntidepressantTrial') AND t.k = 'I'
  JOIN r_trd_inCurrentEpisode ce ON ce.s = t.s AND ce.b IS TRUE
  JOIN p_trd_drug dr ON dr.s = t.s AND dr.k <> 'L'
  JOIN p_trd_metabolizedBy mb ON mb.s = dr.o AND mb.o = trd('CYP2D6') AND mb.k = 'I'
  JOIN p_rdfs_label lb ON lb.s = dr.o
  JOIN p_trd_outcomeFinding ofi ON ofi.s = t.s
  WHERE r.o = trd('PhenotypeResult') AND r.k = 'I'
    AND NOT EXISTS (SELECT 1 FROM p_trd_outcome oc WHERE oc.s = ofi.o AND oc.o = trd('outcome-remission') AND oc.k = 'I')
),
found AS (  -- the matched actions are ontology data: options that address the cause
  SELECT e.*, e.p || '/pseudo/cyp2d6-ultrarapid' AS f, ac.s AS opt, sw.o AS status, sw.k AS status_k, sw.d AS status_d,
         'CYP2D6 ' || strafter(e.phenotype, '#phenotype-') || ' metabolizer with a non-remitted trial of '
           || str_of(e.drug_name, e.drug_name_k, e.drug_name_d) AS why,
         CASE WHEN is_iri(ac.s) AND sw.k <> 'B'
              THEN iri(e.p || '/option/' || strafter(ac.s, '#option-') || '/candidate/triggered/'
                       || strafter(sw.o, '#status-')) END AS c
  FROM evidence e
  JOIN p_rdf_type pt ON pt.s = e.p AND pt.o = trd('Patient') AND pt.k = 'I'
  JOIN p_trd_addressesCause ac ON ac.o = trd('pseudo-cyp2d6-ultrarapid') AND ac.k = 'I'
  JOIN p_trd_statusWhenEligible sw ON sw.s = ac.s
  WHERE is_iri(e.p)
)
SELECT f AS s, rdf('type') AS p, trd('PseudoResistanceFinding') AS o, 'I' AS k, NULL AS d FROM found
UNION ALL SELECT f, trd('aboutPatient'), p, 'I', NULL FROM found
UNION ALL SELECT f, trd('cause'), trd('pseudo-cyp2d6-ultrarapid'), 'I', NULL FROM found
UNION ALL SELECT f, trd('matchedOption'), opt, CASE WHEN is_iri(opt) THEN 'I' ELSE 'B' END, NULL FROM found
UNION ALL SELECT f, prov('wasDerivedFrom'), r, CASE WHEN is_iri(r) THEN 'I' ELSE 'B' END, NULL FROM found
UNION ALL SELECT f, prov('wasDerivedFrom'), t, 'I', NULL FROM found
UNION ALL SELECT f, prov('wasDerivedFrom'), d, d_k, NULL FROM found
UNION ALL SELECT c, rdf('type'), trd('OptionCandidate'), 'I', NULL FROM found
UNION ALL SELECT c, trd('candidateFor'), p, 'I', NULL FROM found
UNION ALL SELECT c, trd('candidateOption'), opt, 'I', NULL FROM found
UNION ALL SELECT c, trd('candidateKind'), trd('candidate-triggered'), 'I', NULL FROM found
UNION ALL SELECT c, trd('candidateStatus'), status, status_k, lit_d(status, status_d) FROM found
UNION ALL SELECT c, trd('candidateReason'), why, 'L', NULL FROM found
UNION ALL SELECT c, trd('candidateEvidence'), f, 'I', NULL FROM found
UNION ALL SELECT c, trd('candidateEvidence'), r, CASE WHEN is_iri(r) THEN 'I' ELSE 'B' END, NULL FROM found
UNION ALL SELECT c, trd('candidateEvidence'), t, 'I', NULL FROM found

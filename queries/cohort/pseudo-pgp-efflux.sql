-- intent: pseudo-resistance "pgp-efflux": an ABCB1 genotype that flags high P-gp efflux (the variant's
--   trd:pgpEffluxGenotype, e.g. rs2032583 T/T or rs2235015 G/G) and a trial in the current episode,
--   not ending in remission, of a P-gp substrate (trd:isPgpSubstrate true); matched action
--   switch-to-non-pgp-substrate with the option's own status (consider: research-grade evidence).
-- inputs: asserted trd:GenotypeResult (trd:gene trd:ABCB1, trd:variant, trd:alleles), trials with
--   derived trd:inCurrentEpisode, derived trd:outcomeFinding → trd:outcome, ontology drug and variant data.
-- source: clinical-reference §5 row pgp-efflux (Uhr 2003/2008 [verified]; no CPIC guideline).
-- twin: queries/infer/pseudo-pgp-efflux.rq (the same facts, set-at-a-time over the predicate tables)
WITH evidence AS (  -- a high-efflux ABCB1 genotype and a non-remitted trial in the episode of a P-gp substrate
  SELECT DISTINCT g.s AS g, pa.o AS p, va.o AS v, va.k AS v_k, al.o AS alleles, al.k AS alleles_k, al.d AS alleles_d,
         t.s AS t, dr.o AS d, dr.k AS d_k, lb.o AS drug_name, lb.k AS drug_name_k, lb.d AS drug_name_d
  FROM p_rdf_type g JOIN p_trd_patient pa ON pa.s = g.s
  JOIN p_trd_gene ge ON ge.s = g.s AND ge.o = trd('ABCB1') AND ge.k = 'I'
  JOIN p_trd_variant va ON va.s = g.s AND va.k <> 'L'
  JOIN p_trd_alleles al ON al.s = g.s
  JOIN p_trd_pgpEffluxGenotype pe ON pe.s = va.o AND pe.o = al.o AND pe.k = al.k AND pe.d IS NOT DISTINCT FROM al.d
  JOIN p_trd_patient tp ON tp.o = pa.o
  JOIN p_rdf_type t ON t.s = tp.s AND t.o = trd('AntidepressantTrial') AND t.k = 'I'
  JOIN r_trd_inCurrentEpisode ce ON ce.s = t.s AND ce.b IS TRUE
  JOIN p_trd_drug dr ON dr.s = t.s AND dr.k <> 'L'
  JOIN p_trd_isPgpSubstrate ps ON ps.s = dr.o AND ps.b IS TRUE
  JOIN p_rdfs_label lb ON lb.s = dr.o
  JOIN p_trd_outcomeFinding ofi ON ofi.s = t.s
  WHERE g.o = trd('GenotypeResult') AND g.k = 'I'
    AND NOT EXISTS (SELECT 1 FROM p_trd_outcome oc WHERE oc.s = ofi.o AND oc.o = trd('outcome-remission') AND oc.k = 'I')
),
found AS (  -- the matched actions are ontology data: options that address the cause
  SELECT e.*, e.p || '/pseudo/pgp-efflux' AS f, ac.s AS opt, sw.o AS status, sw.k AS status_k, sw.d AS status_d,
         CASE WHEN is_str(e.alleles_k, e.alleles_d)
              THEN 'ABCB1 ' || e.alleles || ' with a non-remitted trial of the P-gp substrate '
                   || str_of(e.drug_name, e.drug_name_k, e.drug_name_d) END AS why,
         CASE WHEN is_iri(ac.s) AND sw.k <> 'B'
              THEN iri(e.p || '/option/' || strafter(ac.s, '#option-') || '/candidate/triggered/'
                       || strafter(sw.o, '#status-')) END AS c
  FROM evidence e
  JOIN p_rdf_type pt ON pt.s = e.p AND pt.o = trd('Patient') AND pt.k = 'I'
  JOIN p_trd_addressesCause ac ON ac.o = trd('pseudo-pgp-efflux') AND ac.k = 'I'
  JOIN p_trd_statusWhenEligible sw ON sw.s = ac.s
  WHERE is_iri(e.p)
)
SELECT f AS s, rdf('type') AS p, trd('PseudoResistanceFinding') AS o, 'I' AS k, NULL AS d FROM found
UNION ALL SELECT f, trd('aboutPatient'), p, 'I', NULL FROM found
UNION ALL SELECT f, trd('cause'), trd('pseudo-pgp-efflux'), 'I', NULL FROM found
UNION ALL SELECT f, trd('matchedOption'), opt, CASE WHEN is_iri(opt) THEN 'I' ELSE 'B' END, NULL FROM found
UNION ALL SELECT f, prov('wasDerivedFrom'), g, CASE WHEN is_iri(g) THEN 'I' ELSE 'B' END, NULL FROM found
UNION ALL SELECT f, prov('wasDerivedFrom'), t, 'I', NULL FROM found
UNION ALL SELECT f, prov('wasDerivedFrom'), d, d_k, NULL FROM found
UNION ALL SELECT f, prov('wasDerivedFrom'), v, v_k, NULL FROM found
UNION ALL SELECT c, rdf('type'), trd('OptionCandidate'), 'I', NULL FROM found
UNION ALL SELECT c, trd('candidateFor'), p, 'I', NULL FROM found
UNION ALL SELECT c, trd('candidateOption'), opt, 'I', NULL FROM found
UNION ALL SELECT c, trd('candidateKind'), trd('candidate-triggered'), 'I', NULL FROM found
UNION ALL SELECT c, trd('candidateStatus'), status, status_k, lit_d(status, status_d) FROM found
UNION ALL SELECT c, trd('candidateReason'), why, 'L', NULL FROM found
UNION ALL SELECT c, trd('candidateEvidence'), f, 'I', NULL FROM found
UNION ALL SELECT c, trd('candidateEvidence'), g, CASE WHEN is_iri(g) THEN 'I' ELSE 'B' END, NULL FROM found
UNION ALL SELECT c, trd('candidateEvidence'), t, 'I', NULL FROM found

-- intent: "not-yet-eligible" candidate for an option that needs a higher Thase–Rush stage than the
--   patient's, with the missing criterion as text ("needs Thase–Rush stage ≥ 3; has 1").
-- inputs: ontology trd:minimumThaseRushStage; derived <patient>/stage trd:thaseRushStage (rule
--   stage-thase-rush, one per patient).
-- source: clinical-reference §7 table (TCA trial at Thase–Rush ≥ II, MAOI trial and ECT at ≥ III).
-- twin: queries/infer/option-needs-stage.rq (the same facts, set-at-a-time over the predicate tables)
WITH found AS (  -- the patient's Thase-Rush stage below the option's minimum
  SELECT sf.s AS p, sf.o AS stage_finding, ms.s AS opt,
         sf.s || '/option/' || strafter(ms.s, '#option-') || '/candidate/not-yet-eligible/stage' AS c,
         'needs Thase–Rush stage ≥ ' || str_of(ms.o, ms.k, ms.d) || '; has ' || str_of(st.o, st.k, st.d) AS missing
  FROM p_trd_stageFinding sf JOIN p_trd_thaseRushStage st ON st.s = sf.o
  CROSS JOIN p_trd_minimumThaseRushStage ms
  WHERE st.n < ms.n AND is_iri(sf.s) AND is_iri(ms.s)
)
SELECT c AS s, rdf('type') AS p, trd('OptionCandidate') AS o, 'I' AS k, NULL AS d FROM found
UNION ALL SELECT c, trd('candidateFor'), p, 'I', NULL FROM found
UNION ALL SELECT c, trd('candidateOption'), opt, 'I', NULL FROM found
UNION ALL SELECT c, trd('candidateKind'), trd('candidate-not-yet-eligible'), 'I', NULL FROM found
UNION ALL SELECT c, trd('candidateStatus'), trd('status-not-yet-eligible'), 'I', NULL FROM found
UNION ALL SELECT c, trd('candidateMissing'), missing, 'L', NULL FROM found
UNION ALL SELECT c, trd('candidateEvidence'), stage_finding, CASE WHEN is_iri(stage_finding) THEN 'I' ELSE 'B' END, NULL FROM found

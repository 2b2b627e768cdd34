-- intent: "consider" candidate for an option whose drug class or procedure already failed in the
--   current episode (a failed adequate TCA trial for tca-trial, a failed MAOI for maoi-trial, a
--   failed ECT course for ect), with that history as evidence.
-- inputs: trials with derived trd:inCurrentEpisode and <trial>/outcome trd:failed true (rules
--   in-current-episode, trial-failure); drug classes (read in the ontology graph); ECT courses in the
--   episode with trd:absentResponse true. The option → drug class pairs are listed below (the data
--   model has no ontology term for them yet).
-- source: clinical-reference §7 ("an option whose drug or procedure has already failed in the
--   episode … is consider, with that history as evidence").
-- twin: queries/infer/option-already-failed.rq (the same facts, set-at-a-time over the predicate tables)
WITH history AS (
  -- a failed trial in the episode of a TCA (option tca-trial) or an MAOI (option maoi-trial); the drug's class
  -- is read in the ontology
  SELECT pa.o AS p, opt.opt, t.s AS ev, 'a ' || str_of(cn.o, cn.k, cn.d) || ' trial already failed in this episode' AS why
  FROM (VALUES (trd('option-tca-trial'), trd('TCA')), (trd('option-maoi-trial'), trd('MAOI'))) opt(opt, drug_class)
  JOIN k_rdf_type cl ON cl.o = opt.drug_class AND cl.k = 'I'
  JOIN k_trd_className cn ON cn.s = opt.drug_class
  JOIN p_trd_drug dr ON dr.o = cl.s AND dr.k <> 'L'
  JOIN p_rdf_type t ON t.s = dr.s AND t.o = trd('AntidepressantTrial') AND t.k = 'I'
  JOIN p_trd_patient pa ON pa.s = t.s
  JOIN r_trd_inCurrentEpisode ce ON ce.s = t.s AND ce.b IS TRUE
  JOIN p_trd_outcomeFinding ofi ON ofi.s = t.s
  JOIN p_trd_failed fl ON fl.s = ofi.o AND fl.b IS TRUE
  UNION ALL
  -- a failed ECT course in the episode (option ect)
  SELECT pa.o, trd('option-ect'), e.s, 'an ECT course already failed in this episode'
  FROM p_rdf_type e JOIN p_trd_patient pa ON pa.s = e.s
  JOIN r_trd_inCurrentEpisode ce ON ce.s = e.s AND ce.b IS TRUE
  JOIN p_trd_absentResponse ar ON ar.s = e.s AND ar.b IS TRUE
  WHERE e.o = trd('ECTCourse') AND e.k = 'I'
),
found AS (
  SELECT DISTINCT h.*, h.p || '/option/' || strafter(h.opt, '#option-') || '/candidate/already-failed/consider' AS c
  FROM history h JOIN p_rdf_type pt ON pt.s = h.p AND pt.o = trd('Patient') AND pt.k = 'I'
  WHERE is_iri(h.p)
)
SELECT c AS s, rdf('type') AS p, trd('OptionCandidate') AS o, 'I' AS k, NULL AS d FROM found
UNION ALL SELECT c, trd('candidateFor'), p, 'I', NULL FROM found
UNION ALL SELECT c, trd('candidateOption'), opt, 'I', NULL FROM found
UNION ALL SELECT c, trd('candidateKind'), trd('candidate-already-failed'), 'I', NULL FROM found
UNION ALL SELECT c, trd('candidateStatus'), trd('status-consider'), 'I', NULL FROM found
UNION ALL SELECT c, trd('candidateReason'), why, 'L', NULL FROM found
UNION ALL SELECT c, trd('candidateEvidence'), ev, CASE WHEN is_iri(ev) THEN 'I' ELSE 'B' END, NULL FROM found

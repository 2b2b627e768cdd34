-- intent: the finding nodes every later rule fills in, one per trial (adequacy, outcome) and per patient (TRD status, stages, current episode), linked from the data node they are about
-- inputs: trd:AntidepressantTrial and trd:Patient nodes of the asserted data
-- source: docs/data-model.md §7 (findings are IRIs minted from the node they are about); the forward links (trd:adequacyFinding …) let later rules join findings through triple patterns, so every rule stays patient-local and linear in the shard size
-- twin: queries/infer/finding-nodes.rq (the same facts, set-at-a-time over the predicate tables)
WITH trial AS (SELECT DISTINCT s AS trial FROM p_rdf_type WHERE o = trd('AntidepressantTrial') AND is_iri(s)),
     patient AS (SELECT DISTINCT s AS p FROM p_rdf_type WHERE o = trd('Patient') AND is_iri(s))
SELECT trial AS s, trd('adequacyFinding') AS p, trial || '/adequacy' AS o, 'I' AS k, NULL AS d FROM trial
UNION ALL SELECT trial, trd('outcomeFinding'), trial || '/outcome', 'I', NULL FROM trial
UNION ALL SELECT trial || '/adequacy', rdf('type'), trd('TrialAdequacyFinding'), 'I', NULL FROM trial
UNION ALL SELECT trial || '/adequacy', trd('aboutTrial'), trial, 'I', NULL FROM trial
UNION ALL SELECT trial || '/adequacy', prov('wasDerivedFrom'), trial, 'I', NULL FROM trial
UNION ALL SELECT trial || '/outcome', rdf('type'), trd('TrialOutcomeFinding'), 'I', NULL FROM trial
UNION ALL SELECT trial || '/outcome', trd('aboutTrial'), trial, 'I', NULL FROM trial
UNION ALL SELECT trial || '/outcome', prov('wasDerivedFrom'), trial, 'I', NULL FROM trial
UNION ALL SELECT p, trd('trdFinding'), p || '/trd', 'I', NULL FROM patient
UNION ALL SELECT p, trd('stageFinding'), p || '/stage', 'I', NULL FROM patient
UNION ALL SELECT p, trd('episodeFinding'), p || '/episode', 'I', NULL FROM patient
UNION ALL SELECT p || '/trd', rdf('type'), trd('TRDStatusFinding'), 'I', NULL FROM patient
UNION ALL SELECT p || '/trd', trd('aboutPatient'), p, 'I', NULL FROM patient
UNION ALL SELECT p || '/stage', rdf('type'), trd('StageFinding'), 'I', NULL FROM patient
UNION ALL SELECT p || '/stage', trd('aboutPatient'), p, 'I', NULL FROM patient
UNION ALL SELECT p || '/episode', rdf('type'), trd('EpisodeFinding'), 'I', NULL FROM patient
UNION ALL SELECT p || '/episode', trd('aboutPatient'), p, 'I', NULL FROM patient
-- a blank-node trial or patient gets no finding (IRI() of a blank node fails), but its rule provenance is
-- still stated: the engine adds it for every bound subject of the template, whatever else is unbound
UNION ALL SELECT DISTINCT s, prov('wasGeneratedBy'), 'https://w3id.org/trd-reasoner/rule/finding-nodes', 'I', NULL
  FROM p_rdf_type WHERE o IN (trd('AntidepressantTrial'), trd('Patient')) AND NOT is_iri(s)

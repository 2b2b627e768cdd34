-- intent: mechanism "neuroplasticity-deficit" implied by confirmed TRD (HPA hyperactivity implies it
--   too, through its chain: mechanism-hpa-axis-hyperactivity.rq), plus any mechanism it leads to.
-- inputs: derived <patient>/trd trd:TRDStatusFinding with trd:trdStatus trd:trd-confirmed
--   (rule trd-status), ontology trd:leadsTo graph.
-- source: clinical-reference §6 row neuroplasticity-deficit ("implied by HPA hyperactivity, or by
--   confirmed TRD").
-- twin: queries/infer/mechanism-neuroplasticity-trd.rq (the same facts, set-at-a-time over the predicate tables)
WITH flagged AS (  -- confirmed TRD, through the patient's TRD finding
  SELECT DISTINCT pt.s AS p, tf.o AS trd_finding
  FROM p_rdf_type pt JOIN p_trd_trdFinding tf ON tf.s = pt.s
  JOIN p_trd_trdStatus st ON st.s = tf.o AND st.o = trd('trd-confirmed') AND st.k = 'I'
  WHERE pt.o = trd('Patient') AND pt.k = 'I' AND is_iri(pt.s)
),
found AS (  -- the implied mechanism and every mechanism down its chain
  SELECT fl.*, ch.m, ch.via, fl.p || '/mechanism/' || strafter(ch.m, '#mechanism-') AS f,
         fl.p || '/mechanism/neuroplasticity-deficit' AS direct0,
         ch.m = trd('mechanism-neuroplasticity-deficit') AS direct
  FROM flagged fl CROSS JOIN leads_to_star(trd('mechanism-neuroplasticity-deficit')) ch
  JOIN p_rdf_type mt ON mt.s = ch.m AND mt.o = trd('Mechanism') AND mt.k = 'I'
  WHERE is_iri(ch.m)
)
SELECT f AS s, rdf('type') AS p, trd('MechanismFinding') AS o, 'I' AS k, NULL AS d FROM found
UNION ALL SELECT f, trd('aboutPatient'), p, 'I', NULL FROM found
UNION ALL SELECT f, trd('mechanism'), m, 'I', NULL FROM found
UNION ALL SELECT f, trd('via'), via, CASE WHEN is_iri(via) THEN 'I' ELSE 'B' END, NULL FROM found
UNION ALL SELECT f, trd('flaggedBy'), CASE WHEN direct THEN trd_finding ELSE direct0 END,
                 CASE WHEN direct AND NOT is_iri(trd_finding) THEN 'B' ELSE 'I' END, NULL FROM found
UNION ALL SELECT f, prov('wasDerivedFrom'), trd_finding, CASE WHEN is_iri(trd_finding) THEN 'I' ELSE 'B' END, NULL FROM found
UNION ALL SELECT f, prov('wasDerivedFrom'), CASE WHEN NOT direct THEN direct0 END, 'I', NULL FROM found

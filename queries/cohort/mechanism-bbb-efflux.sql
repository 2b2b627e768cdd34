-- intent: mechanism "bbb-efflux" (P-gp efflux at the blood-brain barrier) flagged when the patient has
--   the pgp-efflux pseudo-resistance finding, plus any mechanism it implies along trd:leadsTo.
-- inputs: derived trd:PseudoResistanceFinding <patient>/pseudo/pgp-efflux (pseudo-pgp-efflux.rq),
--   ontology trd:leadsTo graph.
-- source: clinical-reference §6 row bbb-efflux and §5 row pgp-efflux (Uhr 2003/2008 [verified]).
-- twin: queries/infer/mechanism-bbb-efflux.rq (the same facts, set-at-a-time over the predicate tables)
WITH flagged AS (  -- the pgp-efflux finding, and the patient recovered from its minted IRI
  SELECT DISTINCT pf.s AS pf, iri(substr(pf.s, 1, length(pf.s) - length('/pseudo/pgp-efflux'))) AS p
  FROM p_rdf_type pf JOIN p_trd_cause ca ON ca.s = pf.s AND ca.o = trd('pseudo-pgp-efflux') AND ca.k = 'I'
  WHERE pf.o = trd('PseudoResistanceFinding') AND pf.k = 'I' AND is_iri(pf.s)
),
found AS (  -- the flagged mechanism and every mechanism down its chain
  SELECT fl.*, ch.m, ch.via, fl.p || '/mechanism/' || strafter(ch.m, '#mechanism-') AS f,
         fl.p || '/mechanism/bbb-efflux' AS direct0,
         ch.m = trd('mechanism-bbb-efflux') AS direct
  FROM flagged fl CROSS JOIN leads_to_star(trd('mechanism-bbb-efflux')) ch
  JOIN p_rdf_type mt ON mt.s = ch.m AND mt.o = trd('Mechanism') AND mt.k = 'I'
  WHERE is_iri(ch.m) AND fl.p IS NOT NULL
)
SELECT f AS s, rdf('type') AS p, trd('MechanismFinding') AS o, 'I' AS k, NULL AS d FROM found
UNION ALL SELECT f, trd('aboutPatient'), p, 'I', NULL FROM found
UNION ALL SELECT f, trd('mechanism'), m, 'I', NULL FROM found
UNION ALL SELECT f, trd('via'), via, CASE WHEN is_iri(via) THEN 'I' ELSE 'B' END, NULL FROM found
UNION ALL SELECT f, trd('flaggedBy'), CASE WHEN direct THEN pf ELSE direct0 END, 'I', NULL FROM found
UNION ALL SELECT f, prov('wasDerivedFrom'), pf, 'I', NULL FROM found
UNION ALL SELECT f, prov('wasDerivedFrom'), CASE WHEN NOT direct THEN direct0 END, 'I', NULL FROM found

-- intent: mechanism "inflammation" flagged by the latest CRP or hs-CRP above the policy cut-off, plus
--   every mechanism it implies along the ontology's trd:leadsTo chains (serotonin-depletion via IDO
--   activation and tryptophan steal; glutamate-excess via kynurenine, quinolinic acid and NMDA
--   agonism), each with the process nodes of its path as trd:via. IL-6 is never a trigger, only
--   supporting evidence (trd:supportedBy) of a flagged finding.
-- inputs: CRP/hsCRP lab measurements (value converted to the analyte's canonical unit with the
--   ontology's trd:convertsTo factor when recorded in another unit; latest by derived trd:dayNumber),
--   policy setting trd:param-crp-inflammation, ontology trd:leadsTo graph.
-- source: clinical-reference §6 row inflammation (hs-CRP > 3 mg/L [verified]; chains of §6).
-- twin: queries/infer/mechanism-inflammation.rq (the same facts, set-at-a-time over the predicate tables)
WITH lab AS (  -- CRP and hs-CRP measurements of each patient, with their day numbers
  SELECT DISTINCT t.s AS lab, pa.o AS p, an.o AS an, dn.n AS day
  FROM p_rdf_type t JOIN p_trd_patient pa ON pa.s = t.s
  JOIN p_trd_analyte an ON an.s = t.s AND an.o IN (trd('CRP'), trd('hsCRP')) AND an.k = 'I'
  JOIN r_trd_dayNumber dn ON dn.s = t.s
  WHERE t.o = trd('LabMeasurement') AND t.k = 'I' AND dn.n IS NOT NULL
),
latest AS (SELECT p, MAX(day) AS day FROM lab GROUP BY p),
conversion AS (  -- a unit of the lab that converts to a target unit, with the analytes it is for
  SELECT u2.s AS lab, tu.o AS target, cv.o AS cv, f.o AS factor_o, f.d AS factor_d, f.n AS factor_n
  FROM p_trd_unit u2 JOIN p_trd_convertsTo cv ON cv.s = u2.o
  JOIN p_trd_targetUnit tu ON tu.s = cv.o JOIN p_trd_factor f ON f.s = cv.o
  WHERE u2.k <> 'L' AND cv.k <> 'L' AND tu.k <> 'L'
),
measured AS (
  SELECT l.lab, l.p, l.an, v.o AS raw_o, v.d AS raw_d, v.n AS raw_n, cu.o AS cu,
         u.o AS u, u.k AS uk, c.factor_o, c.factor_d, c.factor_n
  FROM latest JOIN lab l ON l.p = latest.p AND l.day = latest.day
  JOIN p_rdf_type pt ON pt.s = l.p AND pt.o = trd('Patient') AND pt.k = 'I'
  JOIN p_trd_value v ON v.s = l.lab
  JOIN p_trd_canonicalUnit cu ON cu.s = l.an AND cu.k <> 'L'
  LEFT JOIN p_trd_unit u ON u.s = l.lab
  LEFT JOIN conversion c ON c.lab = l.lab AND c.target = cu.o   -- unless the conversion is for another analyte
    AND NOT EXISTS (SELECT 1 FROM p_trd_forAnalyte fa WHERE fa.s = c.cv AND NOT (fa.o = l.an AND fa.k = 'I'))
),
converted AS (  -- the value in the analyte's canonical unit: as recorded, or times the conversion factor
  SELECT lab, p,
         CASE WHEN u IS NOT NULL AND NOT (u = cu AND uk <> 'L') THEN mul_text(raw_o, lit_d(raw_o, raw_d), raw_n, factor_o, factor_d, factor_n)
              WHEN raw_n IS NOT NULL THEN raw_o END AS crp_o,
         CASE WHEN u IS NOT NULL AND NOT (u = cu AND uk <> 'L') THEN num_d(lit_d(raw_o, raw_d), factor_d)
              ELSE lit_d(raw_o, raw_d) END AS crp_d,
         CASE WHEN u IS NOT NULL AND NOT (u = cu AND uk <> 'L')
              THEN TRY_CAST(mul_text(raw_o, lit_d(raw_o, raw_d), raw_n, factor_o, factor_d, factor_n) AS DOUBLE)
              ELSE raw_n END AS crp_n
  FROM measured
  WHERE u IS NULL OR (u = cu AND uk <> 'L') OR factor_o IS NOT NULL
),
flagged AS (
  SELECT DISTINCT c.lab, c.p, c.crp_o, c.crp_d, st.s AS setting
  FROM converted c
  JOIN p_trd_parameter st ON st.o = trd('param-crp-inflammation')
  JOIN p_trd_value cut ON cut.s = st.s
  WHERE c.crp_n > cut.n AND is_iri(c.p)
),
il6 AS (  -- IL-6 measurements: supporting evidence of the flagged finding, never a trigger
  SELECT DISTINCT t.s AS il6, pa.o AS p
  FROM p_rdf_type t JOIN p_trd_patient pa ON pa.s = t.s
  JOIN p_trd_analyte an ON an.s = t.s AND an.o = trd('IL6') AND an.k = 'I'
  WHERE t.o = trd('LabMeasurement') AND t.k = 'I'
),
found AS (  -- the flagged mechanism and every mechanism down its chains
  SELECT fl.*, ch.m, ch.via, fl.p || '/mechanism/' || strafter(ch.m, '#mechanism-') AS f,
         fl.p || '/mechanism/inflammation' AS direct0,
         ch.m = trd('mechanism-inflammation') AS direct
  FROM flagged fl CROSS JOIN leads_to_star(trd('mechanism-inflammation')) ch
  JOIN p_rdf_type mt ON mt.s = ch.m AND mt.o = trd('Mechanism') AND mt.k = 'I'
  WHERE is_iri(ch.m)
)
SELECT f AS s, rdf('type') AS p, trd('MechanismFinding') AS o, 'I' AS k, NULL AS d FROM found
UNION ALL SELECT f, trd('aboutPatient'), p, 'I', NULL FROM found
UNION ALL SELECT f, trd('mechanism'), m, 'I', NULL FROM found
UNION ALL SELECT f, trd('via'), via, CASE WHEN is_iri(via) THEN 'I' ELSE 'B' END, NULL FROM found
UNION ALL SELECT f, trd('flaggedBy'), CASE WHEN direct THEN lab ELSE direct0 END,
                 CASE WHEN direct AND NOT is_iri(lab) THEN 'B' ELSE 'I' END, NULL FROM found
UNION ALL SELECT f, trd('biomarkerValue'), CASE WHEN direct THEN crp_o END, 'L', crp_d FROM found
UNION ALL SELECT found.f, trd('supportedBy'), il6.il6, CASE WHEN is_iri(il6.il6) THEN 'I' ELSE 'B' END, NULL
  FROM found JOIN il6 ON il6.p = found.p WHERE found.direct
UNION ALL SELECT f, prov('wasDerivedFrom'), lab, CASE WHEN is_iri(lab) THEN 'I' ELSE 'B' END, NULL FROM found
UNION ALL SELECT f, prov('wasDerivedFrom'), setting, CASE WHEN is_iri(setting) THEN 'I' ELSE 'B' END, NULL FROM found
UNION ALL SELECT f, prov('wasDerivedFrom'), CASE WHEN NOT direct THEN direct0 END, 'I', NULL FROM found

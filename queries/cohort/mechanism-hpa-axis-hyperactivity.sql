-- intent: mechanism "hpa-axis-hyperactivity" flagged by the latest post-dexamethasone cortisol at or
--   above the policy cut-off, plus every mechanism it implies along trd:leadsTo (neuroplasticity-
--   deficit via cortisol excess and BDNF reduction), each with its path as trd:via.
-- inputs: DSTCortisol lab measurements (nmol/L converted with the ontology's trd:convertsTo factor;
--   latest by derived trd:dayNumber), policy setting trd:param-dst-cortisol-ug-dl, ontology
--   trd:leadsTo graph.
-- source: clinical-reference §6 row hpa-axis-hyperactivity (Carroll 1981 [verified]).
-- twin: queries/infer/mechanism-hpa-axis-hyperactivity.rq (the same facts, set-at-a-time over the predicate tables)
WITH lab AS (  -- post-dexamethasone cortisol measurements of each patient, with their day numbers
  SELECT DISTINCT t.s AS lab, pa.o AS p, dn.n AS day
  FROM p_rdf_type t JOIN p_trd_patient pa ON pa.s = t.s
  JOIN p_trd_analyte an ON an.s = t.s AND an.o = trd('DSTCortisol') AND an.k = 'I'
  JOIN r_trd_dayNumber dn ON dn.s = t.s
  WHERE t.o = trd('LabMeasurement') AND t.k = 'I' AND dn.n IS NOT NULL
),
latest AS (SELECT p, MAX(day) AS day FROM lab GROUP BY p),
conversion AS (  -- a unit of the lab that converts to a target unit, unless the conversion is for another analyte
  SELECT u2.s AS lab, tu.o AS target, f.o AS factor_o, f.d AS factor_d, f.n AS factor_n
  FROM p_trd_unit u2 JOIN p_trd_convertsTo cv ON cv.s = u2.o
  JOIN p_trd_targetUnit tu ON tu.s = cv.o JOIN p_trd_factor f ON f.s = cv.o
  WHERE u2.k <> 'L' AND cv.k <> 'L' AND tu.k <> 'L'
    AND NOT EXISTS (SELECT 1 FROM p_trd_forAnalyte fa WHERE fa.s = cv.o
                    AND NOT (fa.o = trd('DSTCortisol') AND fa.k = 'I'))
),
measured AS (
  SELECT l.lab, l.p, v.o AS raw_o, v.d AS raw_d, v.n AS raw_n, cu.o AS cu,
         u.o AS u, u.k AS uk, c.factor_o, c.factor_d, c.factor_n
  FROM latest JOIN lab l ON l.p = latest.p AND l.day = latest.day
  JOIN p_rdf_type pt ON pt.s = l.p AND pt.o = trd('Patient') AND pt.k = 'I'
  JOIN p_trd_value v ON v.s = l.lab
  JOIN p_trd_canonicalUnit cu ON cu.s = trd('DSTCortisol') AND cu.k <> 'L'
  LEFT JOIN p_trd_unit u ON u.s = l.lab
  LEFT JOIN conversion c ON c.lab = l.lab AND c.target = cu.o
),
converted AS (  -- the value in the canonical unit: as recorded, or times the conversion factor
  SELECT lab, p,
         CASE WHEN u IS NOT NULL AND NOT (u = cu AND uk <> 'L') THEN mul_text(raw_o, lit_d(raw_o, raw_d), raw_n, factor_o, factor_d, factor_n)
              WHEN raw_n IS NOT NULL THEN raw_o END AS cortisol_o,
         CASE WHEN u IS NOT NULL AND NOT (u = cu AND uk <> 'L') THEN num_d(lit_d(raw_o, raw_d), factor_d)
              ELSE lit_d(raw_o, raw_d) END AS cortisol_d,
         CASE WHEN u IS NOT NULL AND NOT (u = cu AND uk <> 'L')
              THEN TRY_CAST(mul_text(raw_o, lit_d(raw_o, raw_d), raw_n, factor_o, factor_d, factor_n) AS DOUBLE)
              ELSE raw_n END AS cortisol_n
  FROM measured
  WHERE u IS NULL OR (u = cu AND uk <> 'L') OR factor_o IS NOT NULL
),
flagged AS (
  SELECT DISTINCT c.lab, c.p, c.cortisol_o, c.cortisol_d, st.s AS setting
  FROM converted c
  JOIN p_trd_parameter st ON st.o = trd('param-dst-cortisol-ug-dl')
  JOIN p_trd_value cut ON cut.s = st.s
  WHERE c.cortisol_n >= cut.n AND is_iri(c.p)
),
found AS (  -- the flagged mechanism and every mechanism down its chain
  SELECT fl.*, ch.m, ch.via, fl.p || '/mechanism/' || strafter(ch.m, '#mechanism-') AS f,
         fl.p || '/mechanism/hpa-axis-hyperactivity' AS direct0,
         ch.m = trd('mechanism-hpa-axis-hyperactivity') AS direct
  FROM flagged fl CROSS JOIN leads_to_star(trd('mechanism-hpa-axis-hyperactivity')) ch
  JOIN p_rdf_type mt ON mt.s = ch.m AND mt.o = trd('Mechanism') AND mt.k = 'I'
  WHERE is_iri(ch.m)
)
SELECT f AS s, rdf('type') AS p, trd('MechanismFinding') AS o, 'I' AS k, NULL AS d FROM found
UNION ALL SELECT f, trd('aboutPatient'), p, 'I', NULL FROM found
UNION ALL SELECT f, trd('mechanism'), m, 'I', NULL FROM found
UNION ALL SELECT f, trd('via'), via, CASE WHEN is_iri(via) THEN 'I' ELSE 'B' END, NULL FROM found
UNION ALL SELECT f, trd('flaggedBy'), CASE WHEN direct THEN lab ELSE direct0 END,
                 CASE WHEN direct AND NOT is_iri(lab) THEN 'B' ELSE 'I' END, NULL FROM found
UNION ALL SELECT f, trd('biomarkerValue'), CASE WHEN direct THEN cortisol_o END, 'L', cortisol_d FROM found
UNION ALL SELECT f, prov('wasDerivedFrom'), lab, CASE WHEN is_iri(lab) THEN 'I' ELSE 'B' END, NULL FROM found
UNION ALL SELECT f, prov('wasDerivedFrom'), setting, CASE WHEN is_iri(setting) THEN 'I' ELSE 'B' END, NULL FROM found
UNION ALL SELECT f, prov('wasDerivedFrom'), CASE WHEN NOT direct THEN direct0 END, 'I', NULL FROM found

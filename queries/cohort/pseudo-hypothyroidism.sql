-- intent: pseudo-resistance "hypothyroidism": an active hypothyroidism diagnosis, or the latest TSH
--   above the policy's upper normal limit; matched action levothyroxine, recommended with a diagnosis
--   or a latest TSH at or above the treatment threshold, consider in between.
-- inputs: asserted diagnoses (trd:HypothyroidismDiagnosis, not trd:isActive false), TSH lab
--   measurements (latest by derived trd:dayNumber), policy settings trd:param-tsh-upper-normal and
--   trd:param-tsh-treatment.
-- source: clinical-reference §5 row hypothyroidism; ATA guideline (TSH ≥ 10 treat) [verified].
-- twin: queries/infer/pseudo-hypothyroidism.rq (the same facts, set-at-a-time over the predicate tables)
WITH tsh AS (  -- TSH measurements with their day numbers
  SELECT DISTINCT t.s AS lab, pa.o AS p, dn.n AS day
  FROM p_rdf_type t JOIN p_trd_patient pa ON pa.s = t.s
  JOIN p_trd_analyte an ON an.s = t.s AND an.o = trd('TSH') AND an.k = 'I'
  JOIN r_trd_dayNumber dn ON dn.s = t.s
  WHERE t.o = trd('LabMeasurement') AND t.k = 'I' AND dn.n IS NOT NULL
),
latest AS (SELECT p, MAX(day) AS day FROM tsh GROUP BY p),
setting AS (SELECT st.s AS setting, st.o AS param, v.n FROM p_trd_parameter st JOIN p_trd_value v ON v.s = st.s),
evidence AS (
  -- an active hypothyroidism diagnosis (not stated inactive)
  SELECT pa.o AS p, pa.s AS ev, NULL AS upper_setting, NULL AS treat_setting,
         trd('status-recommended') AS status, 'active hypothyroidism diagnosis' AS why
  FROM p_trd_patient pa JOIN p_rdf_type ty ON ty.s = pa.s AND ty.k = 'I'
  JOIN sub_star ss ON ss.sub = ty.o AND ss.sup = trd('HypothyroidismDiagnosis')
  WHERE NOT EXISTS (SELECT 1 FROM p_trd_isActive ia WHERE ia.s = pa.s AND ia.b IS FALSE)
  UNION
  -- or the latest TSH above the upper normal limit: recommended at or above the treatment threshold
  SELECT t.p, t.lab, su.setting, sr.setting,
         CASE WHEN v.n >= sr.n THEN trd('status-recommended') WHEN v.n < sr.n THEN trd('status-consider') END,
         CASE WHEN v.n >= sr.n THEN 'latest TSH at or above the treatment threshold'
              WHEN v.n < sr.n THEN 'latest TSH above the upper normal limit, below the treatment threshold (subclinical)' END
  FROM latest JOIN tsh t ON t.p = latest.p AND t.day = latest.day
  JOIN p_trd_value v ON v.s = t.lab
  JOIN setting su ON su.param = trd('param-tsh-upper-normal')
  JOIN setting sr ON sr.param = trd('param-tsh-treatment')
  WHERE v.n > su.n
),
found AS (  -- the matched action is ontology data; its status depends on the TSH level
  SELECT e.*, e.p || '/pseudo/hypothyroidism' AS f, ac.s AS opt,
         CASE WHEN is_iri(ac.s) THEN e.p || '/option/' || strafter(ac.s, '#option-') || '/candidate/triggered/'
                                     || strafter(e.status, '#status-') END AS c
  FROM evidence e
  JOIN p_rdf_type pt ON pt.s = e.p AND pt.o = trd('Patient') AND pt.k = 'I'
  JOIN p_trd_addressesCause ac ON ac.o = trd('pseudo-hypothyroidism') AND ac.k = 'I'
  WHERE is_iri(e.p)
)
SELECT f AS s, rdf('type') AS p, trd('PseudoResistanceFinding') AS o, 'I' AS k, NULL AS d FROM found
UNION ALL SELECT f, trd('aboutPatient'), p, 'I', NULL FROM found
UNION ALL SELECT f, trd('cause'), trd('pseudo-hypothyroidism'), 'I', NULL FROM found
UNION ALL SELECT f, trd('matchedOption'), opt, CASE WHEN is_iri(opt) THEN 'I' ELSE 'B' END, NULL FROM found
UNION ALL SELECT f, prov('wasDerivedFrom'), ev, CASE WHEN is_iri(ev) THEN 'I' ELSE 'B' END, NULL FROM found
UNION ALL SELECT f, prov('wasDerivedFrom'), upper_setting, CASE WHEN is_iri(upper_setting) THEN 'I' ELSE 'B' END, NULL FROM found
UNION ALL SELECT f, prov('wasDerivedFrom'), treat_setting, CASE WHEN is_iri(treat_setting) THEN 'I' ELSE 'B' END, NULL FROM found
UNION ALL SELECT c, rdf('type'), trd('OptionCandidate'), 'I', NULL FROM found
UNION ALL SELECT c, trd('candidateFor'), p, 'I', NULL FROM found
UNION ALL SELECT c, trd('candidateOption'), opt, 'I', NULL FROM found
UNION ALL SELECT c, trd('candidateKind'), trd('candidate-triggered'), 'I', NULL FROM found
UNION ALL SELECT c, trd('candidateStatus'), status, 'I', NULL FROM found
UNION ALL SELECT c, trd('candidateReason'), why, 'L', NULL FROM found
UNION ALL SELECT c, trd('candidateEvidence'), f, 'I', NULL FROM found
UNION ALL SELECT c, trd('candidateEvidence'), ev, CASE WHEN is_iri(ev) THEN 'I' ELSE 'B' END, NULL FROM found

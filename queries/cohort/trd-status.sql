-- intent: TRD status of each patient in the current episode: excluded (bipolar spectrum), confirmed, possible or not-met
-- inputs: the patient's failed-trial counts (rule failed-trial-counts); bipolar-spectrum diagnoses (any time); MDQ scores; policy param-trd-minimum-failed-trials, param-trd-requires-distinct-classes, param-mdq-positive-score
-- source: clinical-reference §4: ≥ 2 failed adequate trials of different classes (default) or ≥ 2 different agents (FDA esketamine label; EMA 2013); bipolar spectrum or MDQ ≥ 7 excludes unipolar TRD (EU-PEARL)
-- twin: queries/infer/trd-status.rq (the same facts, set-at-a-time over the predicate tables)
WITH setting AS (SELECT pr.s AS setting, pr.o AS param, v.n AS number, v.b AS flag
                 FROM p_trd_parameter pr JOIN p_trd_value v ON v.s = pr.s),
f AS (
  SELECT DISTINCT pa.s AS p, tf.o AS f, c.n AS classes, a.n AS agents, pc.n AS pclasses, pag.n AS pagents
  FROM p_rdf_type pa JOIN p_trd_trdFinding tf ON tf.s = pa.s
  JOIN p_trd_distinctFailedClasses c ON c.s = tf.o JOIN p_trd_distinctFailedAgents a ON a.s = tf.o
  JOIN p_trd_possibleFailedClasses pc ON pc.s = tf.o JOIN p_trd_possibleFailedAgents pag ON pag.s = tf.o
  WHERE pa.o = trd('Patient')
),
bipolar AS (SELECT DISTINCT pa.o AS p, pa.s AS bipolar FROM p_trd_patient pa JOIN p_rdf_type ty ON ty.s = pa.s
            JOIN sub_star ss ON ss.sub = ty.o AND ss.sup = trd('BipolarSpectrumDiagnosis')),
mdq AS (SELECT DISTINCT pa.o AS p, pa.s AS mdq, ms.setting AS mdq_setting
        FROM p_trd_patient pa JOIN p_trd_instrument i ON i.s = pa.s AND i.o = trd('MDQ')
        JOIN p_trd_score sc ON sc.s = pa.s JOIN setting ms ON ms.param = trd('param-mdq-positive-score')
        WHERE sc.n >= ms.number),
judged AS (
  SELECT f.f, mn.setting AS minimum, ds.setting AS distinct_setting, b.bipolar, m.mdq, m.mdq_setting,
         CASE WHEN b.bipolar IS NOT NULL OR m.mdq IS NOT NULL THEN trd('trd-excluded')
              WHEN (CASE WHEN ds.flag THEN f.classes ELSE f.agents END) >= mn.number THEN trd('trd-confirmed')
              WHEN (CASE WHEN ds.flag THEN f.pclasses ELSE f.pagents END) >= mn.number THEN trd('trd-possible')
              ELSE trd('trd-not-met') END AS status
  FROM f
  JOIN setting mn ON mn.param = trd('param-trd-minimum-failed-trials')
  JOIN setting ds ON ds.param = trd('param-trd-requires-distinct-classes')
  LEFT JOIN bipolar b ON b.p = f.p
  LEFT JOIN mdq m ON m.p = f.p
)
SELECT f AS s, trd('trdStatus') AS p, status AS o, 'I' AS k, NULL AS d FROM judged
UNION ALL SELECT f, prov('wasDerivedFrom'), minimum, 'I', NULL FROM judged
UNION ALL SELECT f, prov('wasDerivedFrom'), distinct_setting, 'I', NULL FROM judged
UNION ALL SELECT f, prov('wasDerivedFrom'), bipolar, CASE WHEN is_iri(bipolar) THEN 'I' ELSE 'B' END, NULL FROM judged
UNION ALL SELECT f, prov('wasDerivedFrom'), mdq, CASE WHEN is_iri(mdq) THEN 'I' ELSE 'B' END, NULL FROM judged
UNION ALL SELECT f, prov('wasDerivedFrom'), mdq_setting, 'I', NULL FROM judged

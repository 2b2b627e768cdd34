-- intent: Maudsley Staging Method score (3–15) and band of each patient with at least one failed adequate trial in the current episode (none otherwise: the JSON shows null)
-- inputs: trd:maudsleySeverity (rule stage-maudsley-severity); episode start day and as-of day; failed adequate trials (rule failed-trial-counts); augmenting agents and ECT courses in the episode; the Maudsley scoring bands and weights of the ontology; policy param-days-per-month
-- source: Fekadu 2009, 2018 Maudsley Staging Method [verified] (clinical-reference §4: duration ≤ 12 / 13–24 / > 24 months; failed antidepressants 1–2 … > 10; augmentation 0/1; ECT 0/1; total 3–6 mild, 7–10 moderate, 11–15 severe)
-- twin: queries/infer/stage-maudsley-score.rq (the same facts, set-at-a-time over the predicate tables)
WITH in_episode AS (  -- augmenting agents and ECT courses in the episode, as 0/1 flags per patient
  SELECT pa.o AS p, BOOL_OR(t.o = trd('AntidepressantTrial') AND ag.s IS NOT NULL) AS augmented,
         BOOL_OR(t.o = trd('ECTCourse')) AS had_ect
  FROM p_rdf_type t JOIN p_trd_patient pa ON pa.s = t.s
  JOIN r_trd_inCurrentEpisode ce ON ce.s = t.s AND ce.b IS TRUE
  LEFT JOIN (SELECT DISTINCT s FROM p_trd_augmentedWith) ag ON ag.s = t.s
  WHERE t.o IN (trd('AntidepressantTrial'), trd('ECTCourse')) AND t.k = 'I'
  GROUP BY pa.o
),
flags AS (
  SELECT pt.p, COALESCE(e.augmented, FALSE) AS augmented, COALESCE(e.had_ect, FALSE) AS had_ect
  FROM (SELECT DISTINCT s AS p FROM p_rdf_type WHERE o = trd('Patient') AND k = 'I') pt LEFT JOIN in_episode e ON e.p = pt.p
),
weight AS (SELECT s, o, lit_d(o, d) AS d, n FROM p_trd_weight),
base AS (
  SELECT sf.o AS s, tf.o AS trd_finding, ef.o AS episode, sev.o AS level, sev.k AS level_k,
         sp.o AS severity_o, lit_d(sp.o, sp.d) AS severity_d, sp.n AS severity_n, fa.n AS failed,
         st.o AS start_o, st.d AS start_d, st.n AS start_n, today.o AS today_o, today.d AS today_d, today.n AS today_n,
         dpm.s AS days_per_month, dv.o AS dpm_o, lit_d(dv.o, dv.d) AS dpm_d, dv.n AS dpm_n,
         CASE WHEN f.augmented THEN aw.o ELSE '0' END AS aug_o, CASE WHEN f.augmented THEN aw.d ELSE xsd('integer') END AS aug_d,
         CASE WHEN f.augmented THEN aw.n ELSE 0 END AS aug_n,
         CASE WHEN f.had_ect THEN ew.o ELSE '0' END AS ect_o, CASE WHEN f.had_ect THEN ew.d ELSE xsd('integer') END AS ect_d,
         CASE WHEN f.had_ect THEN ew.n ELSE 0 END AS ect_n
  FROM flags f
  JOIN p_trd_stageFinding sf ON sf.s = f.p JOIN p_trd_trdFinding tf ON tf.s = f.p JOIN p_trd_episodeFinding ef ON ef.s = f.p
  JOIN p_trd_maudsleySeverity sev ON sev.s = sf.o JOIN p_trd_maudsleyPoints sp ON sp.s = sev.o AND sev.k <> 'L'
  JOIN p_trd_failedAdequateTrials fa ON fa.s = tf.o
  JOIN p_trd_episodeStartDay st ON st.s = ef.o
  CROSS JOIN (p_trd_asOfDate ad JOIN r_trd_dayNumber today ON today.s = ad.s)
  CROSS JOIN (p_trd_parameter dpm JOIN p_trd_value dv ON dv.s = dpm.s)
  CROSS JOIN (SELECT * FROM weight WHERE s = trd('maudsley-augmentation-points')) aw
  CROSS JOIN (SELECT * FROM weight WHERE s = trd('maudsley-ect-points')) ew
  WHERE dpm.o = trd('param-days-per-month') AND fa.n > 0
),
months AS (  -- (today - start) / days per month, and its ROUND(x * 100) / 100 (exact for decimals)
  SELECT *,
         CASE WHEN dpm_n = 0 AND dpm_d NOT IN (xsd('double'), xsd('float')) THEN NULL
              ELSE (today_n - start_n) / dpm_n END AS raw_months,
         CASE WHEN num_d(num_d(lit_d(today_o, today_d), lit_d(start_o, start_d)), dpm_d) IN (xsd('integer'), xsd('decimal'))
              THEN xsd('decimal') ELSE num_d(num_d(lit_d(today_o, today_d), lit_d(start_o, start_d)), dpm_d) END AS months_d
  FROM base
),
rounded AS (
  SELECT *,
         CASE WHEN months_d = xsd('decimal')
              THEN dec_text(CAST(round_ratio(TRY_CAST(today_o AS DECIMAL(38, 10)) - TRY_CAST(start_o AS DECIMAL(38, 10)),
                                             TRY_CAST(dpm_o AS DECIMAL(38, 10)), 100) AS DOUBLE) / 100)
              ELSE num_text(round_half_up(raw_months * 100) / 100, months_d) END AS months_o
  FROM months WHERE raw_months IS NOT NULL
),
band AS (  -- the Maudsley bands of each dimension, open bounds as -1 and 1000000
  SELECT b.s AS band, dim.o AS dim, pts.o AS points_o, lit_d(pts.o, pts.d) AS points_d, pts.n AS points_n,
         nm.o AS name_o, nm.k AS name_k, lit_d(nm.o, nm.d) AS name_d,
         CASE WHEN lo.s IS NULL THEN -1 ELSE lo.n END AS low, CASE WHEN hi.s IS NULL THEN 1000000 ELSE hi.n END AS high
  FROM (SELECT DISTINCT s FROM p_trd_maudsleyDimension) b
  JOIN p_trd_maudsleyDimension dim ON dim.s = b.s
  LEFT JOIN p_trd_maudsleyPoints pts ON pts.s = b.s
  LEFT JOIN p_trd_bandName nm ON nm.s = b.s
  LEFT JOIN p_trd_lowerBoundExclusive lo ON lo.s = b.s
  LEFT JOIN p_trd_upperBoundInclusive hi ON hi.s = b.s
),
scored AS (
  SELECT r.*, db.band AS duration_band, fb.band AS failed_band,
         num_d(num_d(num_d(num_d(db.points_d, r.severity_d), fb.points_d), r.aug_d), r.ect_d) AS score_d,
         TRY(TRY_CAST(db.points_o AS DECIMAL(38, 18)) + TRY_CAST(r.severity_o AS DECIMAL(38, 18))
             + TRY_CAST(fb.points_o AS DECIMAL(38, 18)) + TRY_CAST(r.aug_o AS DECIMAL(38, 18))
             + TRY_CAST(r.ect_o AS DECIMAL(38, 18))) AS score_dec,
         db.points_n + r.severity_n + fb.points_n + r.aug_n + r.ect_n AS score_n
  FROM rounded r
  JOIN band db ON db.dim = trd('maudsley-duration') AND db.points_o IS NOT NULL
    AND r.raw_months > db.low AND r.raw_months <= db.high
  JOIN band fb ON fb.dim = trd('maudsley-failed-antidepressants') AND fb.points_o IS NOT NULL
    AND r.failed > fb.low AND r.failed <= fb.high
),
found AS (
  SELECT sc.*, tb.band AS total_band, tb.name_o, tb.name_k, tb.name_d,
         CASE WHEN sc.score_d IN (xsd('integer'), xsd('decimal')) THEN dec_text(sc.score_dec)
              ELSE num_text(sc.score_n, sc.score_d) END AS score
  FROM scored sc
  JOIN band tb ON tb.dim = trd('maudsley-total') AND tb.name_o IS NOT NULL
    AND sc.score_n > tb.low AND sc.score_n <= tb.high
)
SELECT s, trd('maudsleyScore') AS p, score AS o, 'L' AS k, score_d AS d FROM found
UNION ALL SELECT s, trd('maudsleyBand'), name_o, name_k, name_d FROM found
UNION ALL SELECT s, trd('episodeMonths'), months_o, 'L', months_d FROM found
UNION ALL SELECT s, prov('wasDerivedFrom'), trd_finding, 'I', NULL FROM found
UNION ALL SELECT s, prov('wasDerivedFrom'), episode, 'I', NULL FROM found
UNION ALL SELECT s, prov('wasDerivedFrom'), level, level_k, NULL FROM found
UNION ALL SELECT s, prov('wasDerivedFrom'), duration_band, CASE WHEN is_iri(duration_band) THEN 'I' ELSE 'B' END, NULL FROM found
UNION ALL SELECT s, prov('wasDerivedFrom'), failed_band, CASE WHEN is_iri(failed_band) THEN 'I' ELSE 'B' END, NULL FROM found
UNION ALL SELECT s, prov('wasDerivedFrom'), total_band, CASE WHEN is_iri(total_band) THEN 'I' ELSE 'B' END, NULL FROM found
UNION ALL SELECT s, prov('wasDerivedFrom'), days_per_month, CASE WHEN is_iri(days_per_month) THEN 'I' ELSE 'B' END, NULL FROM found

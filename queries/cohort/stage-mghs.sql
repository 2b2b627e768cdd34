-- intent: MGH-S score of each patient in the current episode: per failed adequate trial 1, + 0.5 when its dose was raised, + 0.5 when it was augmented; + 3 per failed ECT course
-- inputs: trd:failed of trials in the current episode; trd:doseOptimised or a later dose period with a higher dose; trd:augmentedWith; ECT courses in the episode with trd:absentResponse true; the MGH-S weights of the ontology
-- source: Fava 2003, Massachusetts General Hospital staging method [verified] (clinical-reference §4)
-- twin: queries/infer/stage-mghs.rq (the same facts, set-at-a-time over the predicate tables)
WITH weight AS (SELECT s AS item, o, k, lit_d(o, d) AS d, n FROM p_trd_weight
                WHERE s IN (trd('mghs-failed-trial'), trd('mghs-dose-raised'), trd('mghs-augmentation'), trd('mghs-failed-ect'))),
failed AS (  -- failed trials in the episode
  SELECT DISTINCT t.s AS t, pa.o AS p
  FROM p_rdf_type t JOIN p_trd_patient pa ON pa.s = t.s
  JOIN r_trd_inCurrentEpisode ce ON ce.s = t.s AND ce.b IS TRUE
  JOIN p_trd_outcomeFinding ofi ON ofi.s = t.s
  JOIN p_trd_failed fl ON fl.s = ofi.o AND fl.b IS TRUE
  WHERE t.o = trd('AntidepressantTrial') AND t.k = 'I'
),
raised AS (  -- a later dose period of the trial with a higher dose
  SELECT DISTINCT p1.o AS t
  FROM p_trd_trial p1 JOIN p_trd_dailyDoseMg d1 ON d1.s = p1.s JOIN r_trd_startDay s1 ON s1.s = p1.s
  JOIN p_trd_trial p2 ON p2.o = p1.o JOIN p_trd_dailyDoseMg d2 ON d2.s = p2.s JOIN r_trd_startDay s2 ON s2.s = p2.s
  WHERE s2.n > s1.n AND (d2.n > d1.n OR (is_str(d1.k, d1.d) AND is_str(d2.k, d2.d) AND d2.o > d1.o))
),
items AS (  -- one row per scoring item; DISTINCT keeps "at most 0.5 a trial" when a raise is recorded twice
  SELECT DISTINCT p, item, str_of(o, k, d) AS points_key, k, d, n FROM (
    SELECT s AS p, 'none' AS item, '0.0' AS o, 'L' AS k, xsd('decimal') AS d, 0.0 AS n
    FROM p_rdf_type WHERE o = trd('Patient') AND k = 'I'
    UNION ALL
    SELECT f.p, CASE WHEN is_iri(f.t) THEN f.t || '#failed' END, w.o, w.k, w.d, w.n
    FROM failed f JOIN weight w ON w.item = trd('mghs-failed-trial')
    UNION ALL
    SELECT f.p, CASE WHEN is_iri(f.t) THEN f.t || '#dose-raised' END, w.o, w.k, w.d, w.n
    FROM failed f JOIN p_trd_doseOptimised opt ON opt.s = f.t AND opt.b IS TRUE
    JOIN weight w ON w.item = trd('mghs-dose-raised')
    UNION ALL
    SELECT f.p, CASE WHEN is_iri(f.t) THEN f.t || '#dose-raised' END, w.o, w.k, w.d, w.n
    FROM failed f JOIN raised r ON r.t = f.t JOIN weight w ON w.item = trd('mghs-dose-raised')
    UNION ALL
    SELECT f.p, CASE WHEN is_iri(f.t) THEN f.t || '#augmented' END, w.o, w.k, w.d, w.n
    FROM failed f JOIN (SELECT DISTINCT s FROM p_trd_augmentedWith) ag ON ag.s = f.t
    JOIN weight w ON w.item = trd('mghs-augmentation')
    UNION ALL
    SELECT pa.o, CASE WHEN is_iri(e.s) THEN e.s END, w.o, w.k, w.d, w.n
    FROM p_rdf_type e JOIN p_trd_patient pa ON pa.s = e.s
    JOIN r_trd_inCurrentEpisode ce ON ce.s = e.s AND ce.b IS TRUE
    JOIN p_trd_absentResponse ar ON ar.s = e.s AND ar.b IS TRUE
    JOIN weight w ON w.item = trd('mghs-failed-ect')
    WHERE e.o = trd('ECTCourse') AND e.k = 'I'
  ) x
),
scored AS (  -- SUM: an error (a weight that is no number) leaves the score unbound
  SELECT p,
         CASE WHEN bool_or(n IS NULL) THEN NULL
              WHEN bool_or(d = xsd('double')) THEN dbl_text(SUM(n))
              WHEN bool_or(d = xsd('float')) THEN flt_text(SUM(n))
              ELSE dec_text(SUM(TRY_CAST(points_key AS DECIMAL(38, 18)))) END AS score,
         CASE WHEN bool_or(d = xsd('double')) THEN xsd('double') WHEN bool_or(d = xsd('float')) THEN xsd('float')
              WHEN bool_or(d = xsd('decimal')) THEN xsd('decimal') ELSE xsd('integer') END AS score_d
  FROM items GROUP BY p
),
found AS (SELECT sf.o AS s, sc.score, sc.score_d FROM scored sc JOIN p_trd_stageFinding sf ON sf.s = sc.p)
SELECT s, trd('mghsScore') AS p, score AS o, 'L' AS k, score_d AS d FROM found
UNION ALL SELECT s, prov('wasDerivedFrom'), trd('mghs-failed-trial'), 'I', NULL FROM found
UNION ALL SELECT s, prov('wasDerivedFrom'), trd('mghs-dose-raised'), 'I', NULL FROM found
UNION ALL SELECT s, prov('wasDerivedFrom'), trd('mghs-augmentation'), 'I', NULL FROM found
UNION ALL SELECT s, prov('wasDerivedFrom'), trd('mghs-failed-ect'), 'I', NULL FROM found

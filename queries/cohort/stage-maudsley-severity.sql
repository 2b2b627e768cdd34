-- intent: Maudsley severity level of each patient: from the latest score in the current episode (its instrument's severity band), or severe with psychosis when depression with psychotic features is active
-- inputs: trd:Assessment scores with trd:dayNumber on or after the episode start and up to the as-of date; the instrument's trd:hasSeverityBand (trd:minScore, trd:maxScore, trd:severity); active trd:MDDWithPsychoticFeaturesDiagnosis
-- source: Fekadu 2009, 2018 Maudsley Staging Method [verified]; bands of clinical-reference §4 (HAM-D17, MADRS, PHQ-9, QIDS-SR16)
-- twin: queries/infer/stage-maudsley-severity.rq (the same facts, set-at-a-time over the predicate tables)
WITH scored AS (  -- scores of instruments that have severity bands, in the episode up to the as-of date
  SELECT pa.o AS p,
         str_of(dn.o, dn.k, dn.d) || ' ' || str_of(sc.o, sc.k, sc.d) || ' ' || str_of(i.o, i.k, i.d) || ' '
           || str_of(a.s, CASE WHEN is_iri(a.s) THEN 'I' ELSE 'B' END, NULL) AS key
  FROM p_rdf_type a JOIN p_trd_patient pa ON pa.s = a.s
  JOIN p_trd_instrument i ON i.s = a.s AND i.k <> 'L'
  JOIN (SELECT DISTINCT s FROM p_trd_hasSeverityBand) banded ON banded.s = i.o
  JOIN r_trd_dayNumber dn ON dn.s = a.s
  JOIN p_trd_score sc ON sc.s = a.s
  JOIN p_trd_episodeFinding ef ON ef.s = pa.o
  CROSS JOIN (p_trd_asOfDate ad JOIN r_trd_dayNumber today ON today.s = ad.s)
  LEFT JOIN p_trd_episodeStartDay st ON st.s = ef.o
  WHERE a.o = trd('Assessment') AND a.k = 'I'
    AND dn.n <= today.n AND (st.s IS NULL OR dn.n >= st.n)
),
latest AS (  -- the latest banded score: the greatest packed key (day number first); a blank node in a key
             -- is an error (STR of a blank node) that leaves the patient's aggregate unbound, as in SPARQL
  SELECT p, CASE WHEN bool_or(key IS NULL) THEN NULL ELSE MAX(key) END AS latest FROM scored GROUP BY p
),
unpacked AS (
  SELECT p, int_value(strbefore(strafter(latest, ' '), ' ')) AS score,
         strbefore(strafter(strafter(latest, ' '), ' '), ' ') AS instrument_key,
         iri(strafter(strafter(strafter(latest, ' '), ' '), ' ')) AS a
  FROM latest WHERE latest IS NOT NULL
),
banded AS (
  SELECT u.p, u.a, lv.o AS band_level, lv.k AS band_level_k, lv.d AS band_level_d
  FROM unpacked u
  JOIN p_trd_hasSeverityBand hb ON hb.s = u.instrument_key AND is_iri(hb.s)
  JOIN p_trd_minScore mn ON mn.s = hb.o JOIN p_trd_maxScore mx ON mx.s = hb.o
  JOIN p_trd_severity lv ON lv.s = hb.o
  WHERE hb.k <> 'L' AND u.score >= mn.n AND u.score <= mx.n
),
judged AS (  -- severe with psychosis when depression with psychotic features is active
  SELECT sf.o AS s, b.a, ps.s AS psychotic,
         CASE WHEN ps.s IS NOT NULL THEN trd('severity-severe-psychotic') ELSE b.band_level END AS level,
         CASE WHEN ps.s IS NOT NULL THEN 'I' ELSE b.band_level_k END AS level_k,
         CASE WHEN ps.s IS NOT NULL THEN NULL ELSE lit_d(b.band_level, b.band_level_d) END AS level_d
  FROM banded b
  JOIN p_trd_stageFinding sf ON sf.s = b.p
  LEFT JOIN (SELECT pa.s, pa.o AS p FROM p_trd_patient pa
             JOIN p_trd_isActive ia ON ia.s = pa.s AND ia.b IS TRUE
             JOIN p_rdf_type ty ON ty.s = pa.s AND ty.o = trd('MDDWithPsychoticFeaturesDiagnosis') AND ty.k = 'I') ps
    ON ps.p = b.p
)
SELECT s, trd('maudsleySeverity') AS p, level AS o, level_k AS k, level_d AS d FROM judged
UNION ALL SELECT s, prov('wasDerivedFrom'), a, 'I', NULL FROM judged
UNION ALL SELECT s, prov('wasDerivedFrom'), psychotic, CASE WHEN is_iri(psychotic) THEN 'I' ELSE 'B' END, NULL FROM judged

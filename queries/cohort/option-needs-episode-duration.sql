-- intent: "not-yet-eligible" candidate for an option that needs a long current episode (VNS: ≥ 24
--   months) unless the patient has recurrent MDD (the alternative the option's eligibility text
--   states), with the missing criterion as text.
-- inputs: ontology trd:minimumEpisodeMonths; derived trd:episodeFinding → trd:episodeStartDay (rules
--   finding-nodes, current-episode; absent when no active depressive diagnosis) and the as-of trd:dayNumber; policy trd:param-days-per-month; asserted
--   trd:MDDRecurrentDiagnosis (any time).
-- source: clinical-reference §7 row vns (FDA 2005 [verified]: episode ≥ 24 months or recurrent MDD).
-- twin: queries/infer/option-needs-episode-duration.rq (the same facts, set-at-a-time over the predicate tables)
WITH recurrent AS (  -- patients with a recurrent MDD diagnosis (any time)
  SELECT DISTINCT pa.o AS p FROM p_trd_patient pa JOIN p_rdf_type ty ON ty.s = pa.s AND ty.k = 'I'
  JOIN sub_star ss ON ss.sub = ty.o AND ss.sup = trd('MDDRecurrentDiagnosis')
),
known AS (  -- the episode start, the as-of day number and the policy's days per month, all three known
  SELECT ef.o AS episode, es.n AS start, dn.n AS today, st.s AS setting, v.n AS dpm, v.d AS dpm_d
  FROM p_trd_episodeFinding ef JOIN p_trd_episodeStartDay es ON es.s = ef.o
  CROSS JOIN (p_trd_asOfDate ad JOIN r_trd_dayNumber dn ON dn.s = ad.s)
  CROSS JOIN (p_trd_parameter st JOIN p_trd_value v ON v.s = st.s)
  WHERE st.o = trd('param-days-per-month')
),
rows AS (
  SELECT pt.s AS p, ef.o AS episode, ne.s AS opt, ne.o AS need_o, ne.k AS need_k, ne.d AS need_d, ne.n AS need_n,
         kn.setting, kn.setting_k,
         CASE WHEN kn.dpm = 0 AND kn.dpm_d NOT IN (xsd('double'), xsd('float')) THEN NULL
              ELSE (kn.today - kn.start) / kn.dpm END AS months
  FROM p_rdf_type pt JOIN p_trd_episodeFinding ef ON ef.s = pt.s
  CROSS JOIN p_trd_minimumEpisodeMonths ne
  LEFT JOIN (SELECT *, CASE WHEN is_iri(setting) THEN 'I' ELSE 'B' END AS setting_k FROM known) kn ON kn.episode = ef.o
  WHERE pt.o = trd('Patient') AND pt.k = 'I' AND is_iri(pt.s) AND is_iri(ne.s)
    AND pt.s NOT IN (SELECT p FROM recurrent)
),
found AS (
  SELECT *, p || '/option/' || strafter(opt, '#option-') || '/candidate/not-yet-eligible/episode-duration' AS c,
         'needs an episode of ≥ ' || str_of(need_o, need_k, need_d) || ' months or recurrent MDD; '
           || COALESCE('episode is ' || CAST(CAST(floor(months) AS BIGINT) AS VARCHAR) || ' months',
                       'episode duration unknown') AS missing
  FROM rows
  WHERE months IS NULL OR months < need_n
)
SELECT c AS s, rdf('type') AS p, trd('OptionCandidate') AS o, 'I' AS k, NULL AS d FROM found
UNION ALL SELECT c, trd('candidateFor'), p, 'I', NULL FROM found
UNION ALL SELECT c, trd('candidateOption'), opt, 'I', NULL FROM found
UNION ALL SELECT c, trd('candidateKind'), trd('candidate-not-yet-eligible'), 'I', NULL FROM found
UNION ALL SELECT c, trd('candidateStatus'), trd('status-not-yet-eligible'), 'I', NULL FROM found
UNION ALL SELECT c, trd('candidateMissing'), missing, 'L', NULL FROM found
UNION ALL SELECT c, trd('candidateEvidence'), episode, 'I', NULL FROM found
UNION ALL SELECT c, trd('candidateEvidence'), setting, setting_k, NULL FROM found

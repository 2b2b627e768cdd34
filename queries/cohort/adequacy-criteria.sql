-- intent: the adequacy criteria a trial fails or cannot be judged on (one trd:AdequacyCriterionResult per reason, with observed and threshold values)
-- inputs: the finding's trd:maxDailyDoseMg and trd:weeksAtAdequateDose; the drug's trd:minimumAdequateDailyDoseMg; trial trd:adherence, trd:stopReason, trd:startDay/trd:endDay; policy param-minimum-adequate-weeks and param-adherence-threshold
-- source: clinical-reference §2: MGH-ATRQ (dose, ≥ 6 weeks [secondary]); PQA adherence/PDC ≥ 0.80 [verified]; EU-PEARL Delphi consensus 2022, PMC9095475 (intolerance is not failure) [verified]
-- twin: queries/infer/adequacy-criteria.rq (the same facts, set-at-a-time over the predicate tables)
WITH trial AS (
  SELECT DISTINCT t.s AS trial, af.o AS f FROM p_rdf_type t JOIN p_trd_adequacyFinding af ON af.s = t.s
  WHERE t.o = trd('AntidepressantTrial')
),
weeks_setting AS (SELECT pr.s AS setting, v.o, v.d, v.n FROM p_trd_parameter pr JOIN p_trd_value v ON v.s = pr.s
                  WHERE pr.o = trd('param-minimum-adequate-weeks')),
adherence_setting AS (SELECT pr.s AS setting, v.o, v.d, v.n FROM p_trd_parameter pr JOIN p_trd_value v ON v.s = pr.s
                      WHERE pr.o = trd('param-adherence-threshold')),
results AS (
  -- dose below the drug's minimum adequate dose
  SELECT t.trial, t.f, trd('reason-dose-below-minimum') AS reason, md.o AS obs, md.d AS obs_d,
         mn.o AS thr, mn.d AS thr_d, dr.o AS src
  FROM trial t JOIN p_trd_drug dr ON dr.s = t.trial
  JOIN p_trd_minimumAdequateDailyDoseMg mn ON mn.s = dr.o
  JOIN p_trd_maxDailyDoseMg md ON md.s = t.f
  WHERE md.n < mn.n
  UNION ALL
  -- no dose recorded, or no minimum dose known for the drug
  SELECT t.trial, t.f, trd('reason-dose-unknown'), NULL, NULL, NULL, NULL, NULL FROM trial t
  WHERE NOT EXISTS (SELECT 1 FROM p_trd_maxDailyDoseMg x WHERE x.s = t.f)
     OR NOT EXISTS (SELECT 1 FROM p_trd_drug x JOIN p_trd_minimumAdequateDailyDoseMg y ON y.s = x.o WHERE x.s = t.trial)
  UNION ALL
  -- time at adequate dose shorter than the policy's minimum (judged only when the dose reached the minimum)
  SELECT t.trial, t.f, trd('reason-duration-too-short'), w.o, w.d, ws.o, ws.d, ws.setting
  FROM trial t JOIN p_trd_drug dr ON dr.s = t.trial
  JOIN p_trd_weeksAtAdequateDose w ON w.s = t.f
  CROSS JOIN weeks_setting ws
  WHERE w.n < ws.n
    AND NOT EXISTS (SELECT 1 FROM p_trd_maxDailyDoseMg md JOIN p_trd_minimumAdequateDailyDoseMg mm ON mm.s = dr.o
                    WHERE md.s = t.f AND md.n < mm.n)
  UNION ALL
  -- weeks at adequate dose not computable: missing dates (a trial whose only gap is its dose is dose-unknown)
  SELECT t.trial, t.f, trd('reason-duration-unknown'), NULL, NULL, NULL, NULL, NULL FROM trial t
  WHERE NOT EXISTS (SELECT 1 FROM p_trd_weeksAtAdequateDose x WHERE x.s = t.f)
    AND (EXISTS (SELECT 1 FROM p_trd_maxDailyDoseMg x WHERE x.s = t.f)
         OR NOT EXISTS (SELECT 1 FROM r_trd_startDay x JOIN r_trd_endDay y ON y.s = x.s WHERE x.s = t.trial))
  UNION ALL
  SELECT t.trial, t.f, trd('reason-adherence-below-threshold'), a.o, a.d, s.o, s.d, s.setting
  FROM trial t JOIN p_trd_adherence a ON a.s = t.trial CROSS JOIN adherence_setting s
  WHERE a.n < s.n
  UNION ALL
  -- no adherence, or none that is a number
  SELECT t.trial, t.f, trd('reason-adherence-unknown'), NULL, NULL, NULL, NULL, NULL FROM trial t
  WHERE NOT EXISTS (SELECT 1 FROM p_trd_adherence x WHERE x.s = t.trial AND x.n IS NOT NULL)
  UNION ALL
  SELECT t.trial, t.f, trd('reason-stopped-for-intolerance'), NULL, NULL, NULL, NULL, trd('stop-intolerance')
  FROM trial t JOIN p_trd_stopReason sr ON sr.s = t.trial AND sr.o = trd('stop-intolerance')
),
c AS (SELECT *, f || '/' || substr(reason, length(trd('reason-')) + 1) AS c FROM results WHERE is_iri(f))
SELECT f AS s, trd('hasCriterionResult') AS p, c AS o, 'I' AS k, NULL AS d FROM c
UNION ALL SELECT c, rdf('type'), trd('AdequacyCriterionResult'), 'I', NULL FROM c
UNION ALL SELECT c, trd('reason'), reason, 'I', NULL FROM c
UNION ALL SELECT c, trd('observedValue'), obs, 'L', obs_d FROM c
UNION ALL SELECT c, trd('thresholdValue'), thr, 'L', thr_d FROM c
UNION ALL SELECT c, prov('wasDerivedFrom'), trial, 'I', NULL FROM c
UNION ALL SELECT c, prov('wasDerivedFrom'), src, 'I', NULL FROM c

-- intent: the adequacy criteria a trial fails or cannot be judged on (one trd:AdequacyCriterionResult per reason, with observed and threshold values); without an adherence number, a stop for nonadherence or a noncompliance finding dated within the trial puts adherence below the threshold (docs/fhir-profile.md "Adherence", point 3)
-- inputs: the finding's trd:maxDailyDoseMg and trd:weeksAtAdequateDose; the drug's trd:minimumAdequateDailyDoseMg; trial trd:adherence, trd:stopReason, trd:startDay/trd:endDay; trd:NoncomplianceFinding trd:dayNumber|trd:onsetDay (trd:dayNumberLatest); policy param-minimum-adequate-weeks and param-adherence-threshold
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
-- a noncompliance finding of the trial's patient dated (every day of its range) within the trial
noncompliance AS (
  SELECT DISTINCT t.trial, nc.s AS ev
  FROM trial t JOIN p_trd_patient tp ON tp.s = t.trial
  JOIN r_trd_startDay sd ON sd.s = t.trial JOIN r_trd_endDay ed ON ed.s = t.trial
  JOIN p_trd_patient np ON np.o = tp.o AND np.k = tp.k AND np.d IS NOT DISTINCT FROM tp.d
  JOIN p_rdf_type nc ON nc.s = np.s AND nc.o = trd('NoncomplianceFinding')
  JOIN (SELECT s, n FROM r_trd_dayNumber UNION ALL SELECT s, n FROM r_trd_onsetDay) nd ON nd.s = nc.s
  LEFT JOIN r_trd_dayNumberLatest nl ON nl.s = nc.s
  WHERE nd.n >= sd.n AND (CASE WHEN nl.s IS NULL THEN nd.n ELSE nl.n END) <= ed.n
),
results AS (
  -- dose below the drug's minimum adequate dose
  SELECT t.trial, t.f, trd('reason-dose-below-minimum') AS reason, md.o AS obs, md.d AS obs_d,
         mn.o AS thr, mn.d AS thr_d, dr.o AS src, NULL AS ev
  FROM trial t JOIN p_trd_drug dr ON dr.s = t.trial
  JOIN p_trd_minimumAdequateDailyDoseMg mn ON mn.s = dr.o
  JOIN p_trd_maxDailyDoseMg md ON md.s = t.f
  WHERE md.n < mn.n
  UNION ALL
  -- no dose recorded, or no minimum dose known for the drug
  SELECT t.trial, t.f, trd('reason-dose-unknown'), NULL, NULL, NULL, NULL, NULL, NULL FROM trial t
  WHERE NOT EXISTS (SELECT 1 FROM p_trd_maxDailyDoseMg x WHERE x.s = t.f)
     OR NOT EXISTS (SELECT 1 FROM p_trd_drug x JOIN p_trd_minimumAdequateDailyDoseMg y ON y.s = x.o WHERE x.s = t.trial)
  UNION ALL
  -- time at adequate dose shorter than the policy's minimum (judged only when the dose reached the minimum)
  SELECT t.trial, t.f, trd('reason-duration-too-short'), w.o, w.d, ws.o, ws.d, ws.setting, NULL
  FROM trial t JOIN p_trd_drug dr ON dr.s = t.trial
  JOIN p_trd_weeksAtAdequateDose w ON w.s = t.f
  CROSS JOIN weeks_setting ws
  WHERE w.n < ws.n
    AND NOT EXISTS (SELECT 1 FROM p_trd_maxDailyDoseMg md JOIN p_trd_minimumAdequateDailyDoseMg mm ON mm.s = dr.o
                    WHERE md.s = t.f AND md.n < mm.n)
  UNION ALL
  -- weeks at adequate dose not computable: missing dates (a trial whose only gap is its dose is dose-unknown)
  SELECT t.trial, t.f, trd('reason-duration-unknown'), NULL, NULL, NULL, NULL, NULL, NULL FROM trial t
  WHERE NOT EXISTS (SELECT 1 FROM p_trd_weeksAtAdequateDose x WHERE x.s = t.f)
    AND (EXISTS (SELECT 1 FROM p_trd_maxDailyDoseMg x WHERE x.s = t.f)
         OR NOT EXISTS (SELECT 1 FROM r_trd_startDay x JOIN r_trd_endDay y ON y.s = x.s WHERE x.s = t.trial))
  UNION ALL
  SELECT t.trial, t.f, trd('reason-adherence-below-threshold'), a.o, a.d, s.o, s.d, s.setting, NULL
  FROM trial t JOIN p_trd_adherence a ON a.s = t.trial CROSS JOIN adherence_setting s
  WHERE a.n < s.n
  UNION ALL
  -- no adherence number, but noncompliance evidence: a stop for nonadherence, or a noncompliance
  -- finding dated (every day of its range) within the trial -> adherence below the threshold
  SELECT t.trial, t.f, trd('reason-adherence-below-threshold'), NULL, NULL, s.o, s.d, s.setting, e.ev
  FROM trial t CROSS JOIN adherence_setting s
  JOIN (SELECT sr.s AS trial, trd('stop-nonadherence') AS ev FROM p_trd_stopReason sr
        WHERE sr.o = trd('stop-nonadherence') AND sr.k = 'I'
        UNION ALL SELECT trial, ev FROM noncompliance) e ON e.trial = t.trial
  WHERE NOT EXISTS (SELECT 1 FROM p_trd_adherence x WHERE x.s = t.trial AND x.n IS NOT NULL)
  UNION ALL
  -- no adherence, or none that is a number, and no noncompliance evidence (above)
  SELECT t.trial, t.f, trd('reason-adherence-unknown'), NULL, NULL, NULL, NULL, NULL, NULL FROM trial t
  WHERE NOT EXISTS (SELECT 1 FROM p_trd_adherence x WHERE x.s = t.trial AND x.n IS NOT NULL)
    AND NOT EXISTS (SELECT 1 FROM p_trd_stopReason x WHERE x.s = t.trial AND x.o = trd('stop-nonadherence') AND x.k = 'I')
    AND NOT EXISTS (SELECT 1 FROM noncompliance x WHERE x.trial = t.trial)
  UNION ALL
  SELECT t.trial, t.f, trd('reason-stopped-for-intolerance'), NULL, NULL, NULL, NULL, trd('stop-intolerance'), NULL
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
UNION ALL SELECT c, prov('wasDerivedFrom'), ev, CASE WHEN is_iri(ev) THEN 'I' ELSE 'B' END, NULL FROM c

-- intent: each trial's adequacy finding: the highest daily dose, weeks at adequate dose and the adequacy code
-- inputs: derived trd:TrialAdequacyFinding (rules adequacy-*)
-- source: docs/output-contract.md (trials[].adequacy, dailyDoseMg, weeksAtAdequateDose); clinical-reference §2
-- twin: queries/findings/trial-adequacy.rq (the same rows; a column x__d carries the datatype of a literal column x)
SELECT a.o AS t, a.s AS af, md.o AS maxDose, md.d AS maxDose__d, w.o AS weeks, w.d AS weeks__d, n.o AS adequacy
FROM p_trd_aboutTrial a
JOIN p_rdf_type t ON t.s = a.s AND t.o = trd('TrialAdequacyFinding')
LEFT JOIN p_trd_maxDailyDoseMg md ON md.s = a.s
LEFT JOIN p_trd_weeksAtAdequateDose w ON w.s = a.s
LEFT JOIN (p_trd_adequacy ad JOIN p_skos_notation n ON n.s = ad.o) ON ad.s = a.s

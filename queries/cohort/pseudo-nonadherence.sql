-- intent: pseudo-resistance "nonadherence": a trial with adherence below the policy threshold, a trial
--   stopped for nonadherence, or a noncompliance finding (SNOMED 129834002) dated during a trial;
--   matched action adherence-support (recommended).
-- inputs: asserted trials (trd:adherence, trd:stopReason, trd:startDate/trd:endDate/trd:ongoing),
--   trd:NoncomplianceFinding nodes (derived trd:dayNumber/trd:onsetDay vs the trial's trd:startDay/
--   trd:endDay from day-numbers.rq; every day of an imprecise date's range, trd:dayNumberLatest), policy setting
--   trd:param-adherence-threshold.
-- source: clinical-reference §5 row nonadherence; PQA adherence standard PDC ≥ 0.80 [verified].
-- twin: queries/infer/pseudo-nonadherence.rq (the same facts, set-at-a-time over the predicate tables)
WITH trial AS (
  SELECT DISTINCT pa.o AS p, t.s AS t FROM p_rdf_type t JOIN p_trd_patient pa ON pa.s = t.s
  WHERE t.o = trd('AntidepressantTrial') AND t.k = 'I'
),
evidence AS (
  -- a trial's adherence below the policy threshold (reason texts carry no decimal)
  SELECT tr.p, tr.t, NULL AS ev, st.s AS setting, 'a trial''s adherence was below the policy threshold' AS why
  FROM trial tr JOIN p_trd_adherence a ON a.s = tr.t
  JOIN p_trd_parameter st ON st.o = trd('param-adherence-threshold') JOIN p_trd_value cut ON cut.s = st.s
  WHERE a.n < cut.n
  UNION
  -- a trial stopped for nonadherence
  SELECT tr.p, tr.t, NULL, NULL, 'a trial was stopped for nonadherence'
  FROM trial tr JOIN p_trd_stopReason sr ON sr.s = tr.t AND sr.o = trd('stop-nonadherence') AND sr.k = 'I'
  UNION
  -- a noncompliance finding dated during a trial (derived day numbers; an ongoing trial ends on the as-of date)
  SELECT tr.p, tr.t, nc.s, NULL, 'noncompliance recorded during a trial'
  FROM trial tr JOIN p_trd_patient pa ON pa.o = tr.p
  JOIN p_rdf_type nc ON nc.s = pa.s AND nc.o = trd('NoncomplianceFinding') AND nc.k = 'I'
  JOIN (SELECT s, n FROM r_trd_dayNumber UNION ALL SELECT s, n FROM r_trd_onsetDay) nd ON nd.s = nc.s
  LEFT JOIN r_trd_dayNumberLatest nl ON nl.s = nc.s  -- every day of an imprecise date's range
  JOIN r_trd_startDay sd ON sd.s = tr.t JOIN r_trd_endDay ed ON ed.s = tr.t
  WHERE nd.n >= sd.n AND (CASE WHEN nl.s IS NULL THEN nd.n ELSE nl.n END) <= ed.n
),
found AS (  -- the matched actions are ontology data: options that address the cause
  SELECT e.*, e.p || '/pseudo/nonadherence' AS f, ac.s AS opt, sw.o AS status, sw.k AS status_k, sw.d AS status_d,
         CASE WHEN is_iri(ac.s) AND sw.k <> 'B'
              THEN iri(e.p || '/option/' || strafter(ac.s, '#option-') || '/candidate/triggered/'
                       || strafter(sw.o, '#status-')) END AS c
  FROM evidence e
  JOIN p_rdf_type pt ON pt.s = e.p AND pt.o = trd('Patient') AND pt.k = 'I'
  JOIN p_trd_addressesCause ac ON ac.o = trd('pseudo-nonadherence') AND ac.k = 'I'
  JOIN p_trd_statusWhenEligible sw ON sw.s = ac.s
  WHERE is_iri(e.p)
)
SELECT f AS s, rdf('type') AS p, trd('PseudoResistanceFinding') AS o, 'I' AS k, NULL AS d FROM found
UNION ALL SELECT f, trd('aboutPatient'), p, 'I', NULL FROM found
UNION ALL SELECT f, trd('cause'), trd('pseudo-nonadherence'), 'I', NULL FROM found
UNION ALL SELECT f, trd('matchedOption'), opt, CASE WHEN is_iri(opt) THEN 'I' ELSE 'B' END, NULL FROM found
UNION ALL SELECT f, prov('wasDerivedFrom'), t, CASE WHEN is_iri(t) THEN 'I' ELSE 'B' END, NULL FROM found
UNION ALL SELECT f, prov('wasDerivedFrom'), ev, CASE WHEN is_iri(ev) THEN 'I' ELSE 'B' END, NULL FROM found
UNION ALL SELECT f, prov('wasDerivedFrom'), setting, CASE WHEN is_iri(setting) THEN 'I' ELSE 'B' END, NULL FROM found
UNION ALL SELECT c, rdf('type'), trd('OptionCandidate'), 'I', NULL FROM found
UNION ALL SELECT c, trd('candidateFor'), p, 'I', NULL FROM found
UNION ALL SELECT c, trd('candidateOption'), opt, 'I', NULL FROM found
UNION ALL SELECT c, trd('candidateKind'), trd('candidate-triggered'), 'I', NULL FROM found
UNION ALL SELECT c, trd('candidateStatus'), status, status_k, lit_d(status, status_d) FROM found
UNION ALL SELECT c, trd('candidateReason'), why, 'L', NULL FROM found
UNION ALL SELECT c, trd('candidateEvidence'), f, 'I', NULL FROM found

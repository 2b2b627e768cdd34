-- intent: outcome of each trial (remission, response, partial-response, non-response; outcome-unknown without a baseline/endpoint pair) with the reduction from baseline
-- inputs: trd:baselineAssessment / trd:endpointAssessment of the outcome finding (rule outcome-pair), their trd:score and trd:instrument; policy param-remission-max-score (per instrument), param-response-reduction, param-partial-response-reduction
-- source: clinical-reference §3: remission HAM-D17 ≤ 7 and QIDS-SR16 ≤ 5 (STAR*D), MADRS ≤ 10 (Hawley 2002); response ≥ 50% reduction [verified], partial 25–49%
-- twin: queries/infer/trial-outcome.rq (the same facts, set-at-a-time over the predicate tables)
WITH setting AS (
  SELECT pr.s AS setting, pr.o AS param, si.o AS instrument, v.n AS value
  FROM p_trd_parameter pr JOIN p_trd_value v ON v.s = pr.s LEFT JOIN p_trd_instrument si ON si.s = pr.s
),
measured AS (
  SELECT ofi.o AS o, ba.o AS b, ea.o AS e, bs.n AS bscore, es.n AS escore,
         rem.setting AS remission, rem.value AS remission_max,
         rsp.setting AS response, rsp.value AS response_reduction,
         par.setting AS partial, par.value AS partial_reduction,
         (bs.n - es.n) / bs.n AS raw
  FROM p_trd_outcomeFinding ofi
  JOIN p_trd_baselineAssessment ba ON ba.s = ofi.o
  JOIN p_trd_endpointAssessment ea ON ea.s = ofi.o
  JOIN p_trd_score bs ON bs.s = ba.o
  JOIN p_trd_instrument bi ON bi.s = ba.o
  JOIN p_trd_score es ON es.s = ea.o
  JOIN setting rem ON rem.param = trd('param-remission-max-score') AND rem.instrument = bi.o
  JOIN setting rsp ON rsp.param = trd('param-response-reduction')
  JOIN setting par ON par.param = trd('param-partial-response-reduction')
  WHERE bs.n IS NOT NULL AND es.n IS NOT NULL AND bs.n <> 0
),
judged AS (
  SELECT *, CASE WHEN escore <= remission_max THEN trd('outcome-remission')
                 WHEN raw >= response_reduction THEN trd('outcome-response')
                 WHEN raw >= partial_reduction THEN trd('outcome-partial-response')
                 ELSE trd('outcome-non-response') END AS outcome
  FROM measured
),
unknown AS (
  SELECT DISTINCT ofi.o AS o FROM p_trd_outcomeFinding ofi
  WHERE NOT EXISTS (SELECT 1 FROM p_trd_baselineAssessment x WHERE x.s = ofi.o)
)
SELECT o AS s, trd('outcome') AS p, outcome AS o, 'I' AS k, NULL AS d FROM judged
-- ROUND(x * 10000) / 10000 as SPARQL rounds (half up) the exact decimal quotient: -1/32 is -0.0312
UNION ALL SELECT o, trd('reduction'), dec_text(CAST(round_ratio(bscore - escore, bscore, 10000) AS DOUBLE) / 10000),
                 'L', xsd('decimal') FROM judged
UNION ALL SELECT o, prov('wasDerivedFrom'), b, 'I', NULL FROM judged
UNION ALL SELECT o, prov('wasDerivedFrom'), e, 'I', NULL FROM judged
UNION ALL SELECT o, prov('wasDerivedFrom'), remission, 'I', NULL FROM judged
UNION ALL SELECT o, prov('wasDerivedFrom'), response, 'I', NULL FROM judged
UNION ALL SELECT o, prov('wasDerivedFrom'), partial, 'I', NULL FROM judged
UNION ALL SELECT o, trd('outcome'), trd('outcome-outcome-unknown'), 'I', NULL FROM unknown

-- intent: the baseline and endpoint assessments of each trial: one instrument with both a baseline and an endpoint candidate and a remission cut-off in the policy (the first by IRI when several qualify)
-- inputs: trd:baselineCandidate / trd:endpointCandidate of the trial and their trd:instrument; policy param-remission-max-score (per instrument); the trial's trd:outcomeFinding
-- source: clinical-reference §3 (compare the same instrument; an instrument without a remission cut-off, such as the MDQ, is no outcome measure)
-- twin: queries/infer/outcome-pair.rq (the same facts, set-at-a-time over the predicate tables)
WITH pairs AS (
  SELECT bc.s AS trial, MIN(bi.o || ' ' || bc.o || ' ' || ec.o) AS pair
  FROM p_trd_baselineCandidate bc
  JOIN p_trd_endpointCandidate ec ON ec.s = bc.s
  JOIN p_trd_instrument bi ON bi.s = bc.o
  JOIN p_trd_score bs ON bs.s = bc.o
  JOIN p_trd_instrument ei ON ei.s = ec.o AND ei.o = bi.o
  WHERE bs.n > 0 AND is_iri(bc.o) AND is_iri(ec.o)
    AND EXISTS (SELECT 1 FROM p_trd_parameter pr JOIN p_trd_instrument si ON si.s = pr.s
                WHERE pr.o = trd('param-remission-max-score') AND si.o = bi.o)
  GROUP BY bc.s
),
chosen AS (
  SELECT ofi.o AS o, split_part(pair, ' ', 2) AS b, split_part(pair, ' ', 3) AS e
  FROM pairs JOIN p_trd_outcomeFinding ofi ON ofi.s = pairs.trial
)
SELECT o AS s, trd('baselineAssessment') AS p, b AS o, 'I' AS k, NULL AS d FROM chosen
UNION ALL SELECT o, trd('endpointAssessment'), e, 'I', NULL FROM chosen

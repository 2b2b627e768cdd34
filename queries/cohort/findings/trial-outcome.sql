-- intent: each trial's outcome finding: the outcome code and whether the trial failed
-- inputs: derived trd:TrialOutcomeFinding (rules trial-outcome, trial-failure)
-- source: docs/output-contract.md (trials[].outcome, failed); clinical-reference §3
-- twin: queries/findings/trial-outcome.rq (the same rows; a column x__d carries the datatype of a literal column x)
SELECT a.o AS t, a.s AS "of", n.o AS outcome, fl.o AS failed, fl.d AS failed__d
FROM p_trd_aboutTrial a
JOIN p_rdf_type t ON t.s = a.s AND t.o = trd('TrialOutcomeFinding')
LEFT JOIN (p_trd_outcome oc JOIN p_skos_notation n ON n.s = oc.o) ON oc.s = a.s
LEFT JOIN p_trd_failed fl ON fl.s = a.s

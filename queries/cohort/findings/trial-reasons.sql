-- intent: the inadequacy reasons of each trial, one row per criterion result
-- inputs: derived trd:AdequacyCriterionResult (rule adequacy-criteria) and the reason's notation
-- source: docs/output-contract.md (trials[].reasons); clinical-reference §1 (inadequacy reasons)
-- twin: queries/findings/trial-reasons.rq (the same rows; a column x__d carries the datatype of a literal column x)
SELECT a.o AS t, h.o AS c, n.o AS code
FROM p_trd_aboutTrial a
JOIN p_rdf_type t ON t.s = a.s AND t.o = trd('TrialAdequacyFinding')
JOIN p_trd_hasCriterionResult h ON h.s = a.s
JOIN p_trd_reason r ON r.s = h.o
JOIN p_skos_notation n ON n.s = r.o

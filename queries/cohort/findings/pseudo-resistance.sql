-- intent: each pseudo-resistance cause found for a patient, with its matched actions
-- inputs: derived trd:PseudoResistanceFinding (rules pseudo-*), trd:cause, trd:matchedOption
-- source: docs/output-contract.md (patients[].pseudoResistance); clinical-reference §5
-- twin: queries/findings/pseudo-resistance.rq (the same rows; a column x__d carries the datatype of a literal column x)
SELECT f.o AS p, f.s AS f, n.o AS code, mn.o AS action
FROM p_trd_aboutPatient f
JOIN p_rdf_type t ON t.s = f.s AND t.o = trd('PseudoResistanceFinding')
JOIN p_trd_cause c ON c.s = f.s
JOIN p_skos_notation n ON n.s = c.o
LEFT JOIN (p_trd_matchedOption mo JOIN p_skos_notation mn ON mn.s = mo.o) ON mo.s = f.s

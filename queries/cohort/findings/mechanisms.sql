-- intent: each mechanism flagged or implied for a patient, with the processes of its chain (trd:via)
-- inputs: derived trd:MechanismFinding (rules mechanism-*), trd:via, the processes' notations
-- source: docs/output-contract.md (patients[].mechanisms); clinical-reference §6
-- twin: queries/findings/mechanisms.rq (the same rows; a column x__d carries the datatype of a literal column x)
SELECT f.o AS p, f.s AS f, n.o AS code, v.o AS v, COALESCE(vn.o, v.o) AS via
FROM p_trd_aboutPatient f
JOIN p_rdf_type t ON t.s = f.s AND t.o = trd('MechanismFinding')
JOIN p_trd_mechanism m ON m.s = f.s
JOIN p_skos_notation n ON n.s = m.o
LEFT JOIN (p_trd_via v LEFT JOIN p_skos_notation vn ON vn.s = v.o) ON v.s = f.s

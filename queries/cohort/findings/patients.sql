-- intent: every patient of the workspace with its identifier (the id outputs show)
-- inputs: asserted trd:Patient nodes and trd:identifier
-- source: docs/output-contract.md (patients[].id)
-- twin: queries/findings/patients.rq (the same rows; a column x__d carries the datatype of a literal column x)
SELECT t.s AS p, i.o AS id, i.d AS id__d FROM p_rdf_type t LEFT JOIN p_trd_identifier i ON i.s = t.s
WHERE t.o = trd('Patient')

-- intent: what each finding was derived from (the data items of its evidence)
-- inputs: derived prov:wasDerivedFrom links
-- source: docs/output-contract.md (evidence: data items)
-- twin: queries/findings/derived-from.rq (the same rows; a column x__d carries the datatype of a literal column x)
SELECT s AS f, o AS d FROM p_prov_wasDerivedFrom

-- intent: each rule's query file and published source, as evidence items cite them
-- inputs: the rules graph (trd:InferenceRule, trd:queryFile, dcterms:source), written by the rule engine
-- source: docs/output-contract.md (evidence: rule items)
-- twin: queries/findings/rule-info.rq (the same rows; a column x__d carries the datatype of a literal column x)
SELECT q.s AS rule, q.o AS file, q.d AS file__d, src.o AS source, src.d AS source__d
FROM p_trd_queryFile q JOIN p_dcterms_source src ON src.s = q.s

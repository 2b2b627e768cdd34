-- intent: the rule that generated each finding (the rule items of its evidence)
-- inputs: derived prov:wasGeneratedBy links of the findings (instances of the subclasses of trd:Finding)
-- source: docs/output-contract.md (evidence: rule items); docs/data-model.md §7 (PROV-O)
-- twin: queries/findings/finding-rules.rq (the same rows; a column x__d carries the datatype of a literal column x)
SELECT t.s AS f, g.o AS rule
FROM p_rdfs_subClassOf sc
JOIN p_rdf_type t ON t.o = sc.s
JOIN p_prov_wasGeneratedBy g ON g.s = t.s
WHERE sc.o = trd('Finding')

-- intent: each treatment option of a patient with its one status, reasons and missing criteria
-- inputs: derived trd:OptionFinding (rule option-status), trd:statusReason, trd:missingCriterion
-- source: docs/output-contract.md (patients[].options); clinical-reference §7
-- twin: queries/findings/options.rq (the same rows; a column x__d carries the datatype of a literal column x)
SELECT f.o AS p, f.s AS f, n.o AS code, sn.o AS status, r.o AS reason, m.o AS missing
FROM p_trd_aboutPatient f
JOIN p_rdf_type t ON t.s = f.s AND t.o = trd('OptionFinding')
JOIN p_trd_option o ON o.s = f.s
JOIN p_trd_optionStatus s ON s.s = f.s
JOIN p_skos_notation n ON n.s = o.o
JOIN p_skos_notation sn ON sn.s = s.o
LEFT JOIN p_trd_statusReason r ON r.s = f.s
LEFT JOIN p_trd_missingCriterion m ON m.s = f.s

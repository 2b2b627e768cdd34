-- intent: each patient's TRD status with the counts behind it
-- inputs: derived trd:TRDStatusFinding (rule trd-status), trd:failedAdequateTrials, trd:distinctFailedClasses
-- source: docs/output-contract.md (patients[].trd); clinical-reference §4
-- twin: queries/findings/trd-status.rq (the same rows; a column x__d carries the datatype of a literal column x)
SELECT f.o AS p, f.s AS f, n.o AS status, c.o AS n, c.d AS n__d, cl.o AS classes, cl.d AS classes__d
FROM p_trd_aboutPatient f
JOIN p_rdf_type t ON t.s = f.s AND t.o = trd('TRDStatusFinding')
JOIN p_trd_trdStatus s ON s.s = f.s
JOIN p_skos_notation n ON n.s = s.o
LEFT JOIN p_trd_failedAdequateTrials c ON c.s = f.s
LEFT JOIN p_trd_distinctFailedClasses cl ON cl.s = f.s

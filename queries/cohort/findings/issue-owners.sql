-- intent: the patient each node belongs to, to file a validation result under the patient of its focus node;
--   when the caller knows which nodes it needs, every `VALUES ?n { UNDEF }` line is replaced by the list of
--   those nodes (one VALUES per branch: one VALUES joined with the whole UNION plans far slower)
-- inputs: trd:patient, trd:aboutPatient, trd:aboutTrial and trd:hasCriterionResult links
-- source: docs/output-contract.md (dataIssues listed with their patient; the rest top-level)
-- twin: queries/findings/issue-owners.rq (the same rows; a column x__d carries the datatype of a literal column x)
SELECT n AS n, p AS p FROM (
  SELECT s AS n, o AS p FROM p_trd_patient
  UNION ALL SELECT s, o FROM p_trd_aboutPatient
  UNION ALL SELECT a.s, pa.o FROM p_trd_aboutTrial a JOIN p_trd_patient pa ON pa.s = a.o
  UNION ALL SELECT h.o, pa.o FROM p_trd_aboutTrial a JOIN p_trd_hasCriterionResult h ON h.s = a.s
            JOIN p_trd_patient pa ON pa.s = a.o)

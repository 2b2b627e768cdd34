-- intent: adequacy of each antidepressant trial: inadequate when a criterion fails, indeterminate when a needed fact is missing, adequate otherwise
-- inputs: trd:hasCriterionResult / trd:reason of the trial's adequacy finding (rule adequacy-criteria)
-- source: clinical-reference §2 (a missing dose, duration or adherence makes the trial indeterminate, never silently adequate)
-- twin: queries/infer/adequacy-status.rq (the same facts, set-at-a-time over the predicate tables)
SELECT af.o AS s, trd('adequacy') AS p,
       CASE WHEN EXISTS (SELECT 1 FROM p_trd_hasCriterionResult h JOIN p_trd_reason r ON r.s = h.o
                         WHERE h.s = af.o AND r.o NOT IN (trd('reason-dose-unknown'), trd('reason-duration-unknown'),
                                                          trd('reason-adherence-unknown')))
            THEN trd('adequacy-inadequate')
            WHEN EXISTS (SELECT 1 FROM p_trd_hasCriterionResult h WHERE h.s = af.o) THEN trd('adequacy-indeterminate')
            ELSE trd('adequacy-adequate') END AS o, 'I' AS k, NULL AS d
FROM p_rdf_type t JOIN p_trd_adequacyFinding af ON af.s = t.s
WHERE t.o = trd('AntidepressantTrial')

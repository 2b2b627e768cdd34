-- intent: which antidepressant trials and ECT courses belong to the current episode (they end on or after its start; every one counts when the start is unknown)
-- inputs: trd:episodeStartDay of the patient's episode finding; trd:startDay/trd:endDay of trials and ECT courses
-- source: clinical-reference §4 (failed-trial counts, TRD, Thase–Rush, Maudsley and MGH-S count the current episode only; no episode start: every trial counts)
-- twin: queries/infer/in-current-episode.rq (the same facts, set-at-a-time over the predicate tables)
SELECT DISTINCT n.s AS s, trd('inCurrentEpisode') AS p, 'true' AS o, 'L' AS k, xsd('boolean') AS d
FROM p_rdf_type n
JOIN p_trd_patient pa ON pa.s = n.s
JOIN p_trd_episodeFinding ef ON ef.s = pa.o
LEFT JOIN p_trd_episodeStartDay es ON es.s = ef.o
LEFT JOIN r_trd_startDay st ON st.s = n.s
LEFT JOIN r_trd_endDay en ON en.s = n.s
WHERE n.o IN (trd('AntidepressantTrial'), trd('ECTCourse'))
  AND (es.n IS NULL OR COALESCE(en.n, st.n, es.n) >= es.n)

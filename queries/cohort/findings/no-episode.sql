-- intent: patients whose current episode start is unknown (no active depressive-disorder diagnosis with an onset)
-- inputs: derived trd:episodeFinding without trd:episodeStartDay (rule current-episode)
-- source: clinical-reference §4 (current episode: if none, every trial counts and a data issue says so)
-- twin: queries/findings/no-episode.rq (the same rows; a column x__d carries the datatype of a literal column x)
SELECT t.s AS p FROM p_rdf_type t JOIN p_trd_episodeFinding e ON e.s = t.s
WHERE t.o = trd('Patient') AND NOT EXISTS (SELECT 1 FROM p_trd_episodeStartDay d WHERE d.s = e.o)

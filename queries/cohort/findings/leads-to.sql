-- intent: the mechanism graph's edges, to print a chain in its order (a process before those it leads to)
-- inputs: the ontology's trd:leadsTo links
-- source: clinical-reference §6 (mechanism chains)
-- twin: queries/findings/leads-to.rq (the same rows; a column x__d carries the datatype of a literal column x)
SELECT s AS a, o AS b FROM p_trd_leadsTo

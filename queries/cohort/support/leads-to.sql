-- intent: the mechanism chains of the trd:leadsTo graph as a table macro: leads_to_star(start) gives
--   every node ?m with start trd:leadsTo* ?m (start itself included), with each ?via such that
--   start trd:leadsTo+ ?via and ?via trd:leadsTo+ ?m (NULL when the path has no step between)
-- inputs: trd:leadsTo over the union of knowledge, asserted and derived data (as the SPARQL paths read it)
-- source: SPARQL 1.1 §9.1 (zero-or-more and one-or-more property paths); clinical-reference §6 (chains of
--   the mechanism graph)
CREATE OR REPLACE MACRO leads_to_star(start) AS TABLE
WITH RECURSIVE plus(a, b) AS (
  SELECT s, o FROM p_trd_leadsTo WHERE k <> 'L'
  UNION
  SELECT plus.a, l.o FROM plus JOIN p_trd_leadsTo l ON l.s = plus.b WHERE l.k <> 'L'
),
star(m) AS (SELECT start UNION SELECT b FROM plus WHERE a = start)
SELECT star.m, v.via
FROM star LEFT JOIN (SELECT p1.b AS via, p2.b AS m FROM plus p1 JOIN plus p2 ON p2.a = p1.b WHERE p1.a = start) v
  ON v.m = star.m

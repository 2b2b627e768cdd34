-- intent: what each data node cited as evidence shows: id, value, date, source resource, label (read once per
--   node, not once per finding that cites it)
-- inputs: the nodes any finding prov:wasDerivedFrom; their trd:identifier, trd:score/trd:value,
--   trd:date/startDate/onsetDate, trd:sourceResource, rdfs:label
-- source: docs/output-contract.md (evidence: data items)
-- twin: queries/findings/data-nodes.rq (the same rows; a column x__d carries the datatype of a literal column x)
WITH nodes AS (SELECT DISTINCT o AS d FROM p_prov_wasDerivedFrom)
SELECT nodes.d, id.o AS id, id.d AS id__d, v.o AS value, v.d AS value__d, dt.o AS date, dt.d AS date__d,
       src.o AS src, src.d AS src__d, lb.o AS label, lb.d AS label__d
FROM nodes
LEFT JOIN p_trd_identifier id ON id.s = nodes.d
LEFT JOIN (SELECT s, o, d FROM p_trd_score UNION ALL SELECT s, o, d FROM p_trd_value) v ON v.s = nodes.d
LEFT JOIN (SELECT s, o, d FROM p_trd_date UNION ALL SELECT s, o, d FROM p_trd_startDate
           UNION ALL SELECT s, o, d FROM p_trd_onsetDate) dt ON dt.s = nodes.d
LEFT JOIN p_trd_sourceResource src ON src.s = nodes.d
LEFT JOIN p_rdfs_label lb ON lb.s = nodes.d

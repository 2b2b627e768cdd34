-- intent: the derived facts about a record node as a later SPARQL rule can join them: the SPARQL engine
--   loads each rule's CONSTRUCT result as a document of its own, so a blank node of the patient data
--   becomes a fresh blank node in the derived graph, and a fact derived about a blank-node record
--   (its day numbers, whether it is in the current episode) never joins the record again. These views
--   (r_<predicate>) hold the knowledge and asserted facts and the derived facts about IRIs only, for the
--   twins that join such a derived fact on a record.
-- inputs: the k_/a_/d_ tables of trd:dayNumber, trd:onsetDay, trd:startDay, trd:endDay, trd:inCurrentEpisode,
--   trd:startDayLatest, trd:endDayEarliest, trd:dayNumberLatest
-- source: reasoner/rules/workspace.py OxigraphWorkspace.derive (CONSTRUCT serialised as N-Triples and loaded:
--   RDF 1.1 Concepts §3.4, blank node identifiers are local to a document)
CREATE OR REPLACE VIEW r_trd_dayNumber AS SELECT * FROM k_trd_dayNumber UNION ALL SELECT * FROM a_trd_dayNumber
  UNION ALL SELECT * FROM d_trd_dayNumber WHERE is_iri(s);
CREATE OR REPLACE VIEW r_trd_onsetDay AS SELECT * FROM k_trd_onsetDay UNION ALL SELECT * FROM a_trd_onsetDay
  UNION ALL SELECT * FROM d_trd_onsetDay WHERE is_iri(s);
CREATE OR REPLACE VIEW r_trd_startDay AS SELECT * FROM k_trd_startDay UNION ALL SELECT * FROM a_trd_startDay
  UNION ALL SELECT * FROM d_trd_startDay WHERE is_iri(s);
CREATE OR REPLACE VIEW r_trd_endDay AS SELECT * FROM k_trd_endDay UNION ALL SELECT * FROM a_trd_endDay
  UNION ALL SELECT * FROM d_trd_endDay WHERE is_iri(s);
CREATE OR REPLACE VIEW r_trd_inCurrentEpisode AS SELECT * FROM k_trd_inCurrentEpisode
  UNION ALL SELECT * FROM a_trd_inCurrentEpisode UNION ALL SELECT * FROM d_trd_inCurrentEpisode WHERE is_iri(s);
CREATE OR REPLACE VIEW r_trd_startDayLatest AS SELECT * FROM k_trd_startDayLatest UNION ALL SELECT * FROM a_trd_startDayLatest
  UNION ALL SELECT * FROM d_trd_startDayLatest WHERE is_iri(s);
CREATE OR REPLACE VIEW r_trd_endDayEarliest AS SELECT * FROM k_trd_endDayEarliest UNION ALL SELECT * FROM a_trd_endDayEarliest
  UNION ALL SELECT * FROM d_trd_endDayEarliest WHERE is_iri(s);
CREATE OR REPLACE VIEW r_trd_dayNumberLatest AS SELECT * FROM k_trd_dayNumberLatest UNION ALL SELECT * FROM a_trd_dayNumberLatest
  UNION ALL SELECT * FROM d_trd_dayNumberLatest WHERE is_iri(s);

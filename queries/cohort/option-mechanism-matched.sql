-- intent: options matched to a flagged (or implied) mechanism. A trigger-only option (no
--   eligibility data of its own: anti-inflammatory-augmentation, hpa-targeted-agent,
--   switch-to-non-pgp-substrate) gets its own status (investigational / consider) whenever the
--   mechanism is present, TRD or not; an option with §7 eligibility (esketamine, IV ketamine for
--   neuroplasticity-deficit) keeps its §7 status and the mechanism only joins its evidence
--   (a "supporting" candidate without a status). Infliximab has an extra CRP condition:
--   option-infliximab.rq.
-- inputs: derived <patient>/mechanism/<code> trd:MechanismFinding (rules mechanism-*), ontology
--   trd:targetsMechanism, trd:statusWhenEligible and eligibility data.
-- source: clinical-reference §6 (matched options; "investigational whenever their mechanism is
--   flagged, TRD or not; the others keep the status that §5 or §7 gives them").
-- twin: queries/infer/option-mechanism-matched.rq (the same facts, set-at-a-time over the predicate tables)
WITH flagged AS (  -- the mechanism findings, and the patient recovered from the minted IRI <patient>/mechanism/<code>
  SELECT DISTINCT mf.s AS mf, me.o AS m, me.k AS m_k, strafter(me.o, '#mechanism-') AS code,
         iri(substr(mf.s, 1, length(mf.s) - length('/mechanism/' || strafter(me.o, '#mechanism-')))) AS p
  FROM p_rdf_type mf JOIN p_trd_mechanism me ON me.s = mf.s
  WHERE mf.o = trd('MechanismFinding') AND mf.k = 'I' AND is_iri(mf.s) AND me.k <> 'B'
),
gated AS (  -- options with eligibility data of their own (§7)
  SELECT s FROM p_trd_minimumFailedAdequateTrials UNION SELECT s FROM p_trd_minimumThaseRushStage
  UNION SELECT s FROM p_trd_requiresConfirmedTRD UNION SELECT s FROM p_trd_minimumEpisodeMonths
),
found AS (
  SELECT fl.*, tm.s AS opt, sw.o AS own_status, sw.k AS own_status_k, sw.d AS own_status_d, (g.s IS NOT NULL) AS is_gated,
         fl.code || ' flagged' AS why,
         CASE WHEN is_iri(tm.s) AND sw.k <> 'B'
              THEN iri(fl.p || '/option/' || strafter(tm.s, '#option-') || '/candidate/'
                       || CASE WHEN g.s IS NOT NULL THEN 'supporting/' ELSE 'triggered/' END
                       || fl.code || '-' || strafter(sw.o, '#status-')) END AS c
  FROM flagged fl
  JOIN p_trd_targetsMechanism tm ON tm.o = fl.m AND (tm.k = 'L') = (fl.m_k = 'L')
  JOIN p_trd_statusWhenEligible sw ON sw.s = tm.s
  LEFT JOIN (SELECT DISTINCT s FROM gated) g ON g.s = tm.s
  WHERE fl.p IS NOT NULL AND NOT (tm.s = trd('option-infliximab'))
)
SELECT c AS s, rdf('type') AS p, trd('OptionCandidate') AS o, 'I' AS k, NULL AS d FROM found
UNION ALL SELECT c, trd('candidateFor'), p, 'I', NULL FROM found
UNION ALL SELECT c, trd('candidateOption'), opt, 'I', NULL FROM found
UNION ALL SELECT c, trd('candidateKind'), CASE WHEN is_gated THEN trd('candidate-supporting') ELSE trd('candidate-triggered') END,
                 'I', NULL FROM found
UNION ALL SELECT c, trd('candidateStatus'), CASE WHEN NOT is_gated THEN own_status END, own_status_k,
                 lit_d(own_status, own_status_d) FROM found
UNION ALL SELECT c, trd('candidateReason'), why, 'L', NULL FROM found
UNION ALL SELECT c, trd('candidateEvidence'), mf, 'I', NULL FROM found

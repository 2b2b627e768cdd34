-- intent: whether each trial is a failed adequate trial: adequate, with a known outcome that meets the policy's failure definition, and (where the policy says so) not discontinued early
-- inputs: trd:adequacy of the trial's adequacy finding; trd:outcome of its outcome finding; trial trd:startDay/trd:endDay/trd:endDate; policy param-failure-definition, param-early-discontinuation-weeks (optional)
-- source: clinical-reference §3 (an adequate trial fails when the endpoint is not remission; outcome-unknown is not failed); EU-PEARL Delphi consensus 2022, PMC9095475 (failure = < 25% improvement; discontinuation before week 4 is not a failure)
-- twin: queries/infer/trial-failure.rq (the same facts, set-at-a-time over the predicate tables)
WITH setting AS (SELECT pr.s AS setting, pr.o AS param, v.o AS value, v.n AS number
                 FROM p_trd_parameter pr JOIN p_trd_value v ON v.s = pr.s),
rows AS (
  SELECT t.s AS trial, af.o AS f, ofi.o AS o, ad.o AS adequacy, oc.o AS outcome,
         def.setting AS definition, def.value AS failure_definition,
         early.setting AS early, early.number AS early_weeks,
         st.n AS start, en.n AS stop, (ed.s IS NOT NULL) AS stopped
  FROM p_rdf_type t
  JOIN p_trd_adequacyFinding af ON af.s = t.s
  JOIN p_trd_outcomeFinding ofi ON ofi.s = t.s
  JOIN p_trd_adequacy ad ON ad.s = af.o
  JOIN p_trd_outcome oc ON oc.s = ofi.o
  JOIN setting def ON def.param = trd('param-failure-definition')
  LEFT JOIN setting early ON early.param = trd('param-early-discontinuation-weeks')
  LEFT JOIN (p_trd_endDate ed JOIN r_trd_startDay st ON st.s = ed.s JOIN r_trd_endDay en ON en.s = ed.s) ON ed.s = t.s
  WHERE t.o = trd('AntidepressantTrial')
),
judged AS (
  SELECT *, (adequacy = trd('adequacy-adequate')
             AND CASE WHEN failure_definition = trd('failure-non-response') THEN outcome = trd('outcome-non-response')
                      ELSE outcome <> trd('outcome-remission') AND outcome <> trd('outcome-outcome-unknown') END
             AND NOT COALESCE(early_weeks IS NOT NULL AND stop IS NOT NULL AND stop - start < 7 * early_weeks, FALSE)
            ) AS failed
  FROM rows
)
SELECT o AS s, trd('failed') AS p, CASE WHEN failed THEN 'true' ELSE 'false' END AS o, 'L' AS k, xsd('boolean') AS d FROM judged
UNION ALL SELECT o, prov('wasDerivedFrom'), f, 'I', NULL FROM judged
UNION ALL SELECT o, prov('wasDerivedFrom'), definition, 'I', NULL FROM judged
UNION ALL SELECT o, prov('wasDerivedFrom'), early, 'I', NULL FROM judged

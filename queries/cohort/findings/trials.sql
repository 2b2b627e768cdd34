-- intent: each antidepressant trial with its own data: drug (label, RxNorm, class name), dates, dose, adherence;
--   its adequacy and outcome are read by trial-adequacy.rq and trial-outcome.rq (three small queries plan
--   faster on Oxigraph than one with all the OPTIONALs)
-- inputs: asserted trd:AntidepressantTrial, trd:drug and the drug's ontology label, trd:rxnormCode, trd:className
-- source: docs/output-contract.md (patients[].trials)
-- twin: queries/findings/trials.rq (the same rows; a column x__d carries the datatype of a literal column x)
SELECT t.s AS t, pa.o AS p, id.o AS id, id.d AS id__d, lb.o AS drugLabel, lb.d AS drugLabel__d,
       rx.o AS rxnorm, rx.d AS rxnorm__d, cn.o AS className, cn.d AS className__d,
       st.o AS start, st.d AS start__d, en.o AS "end", en.d AS end__d, ds.o AS dose, ds.d AS dose__d,
       ad.o AS adherence, ad.d AS adherence__d
FROM p_rdf_type t
JOIN p_trd_patient pa ON pa.s = t.s
LEFT JOIN p_trd_identifier id ON id.s = t.s
LEFT JOIN (p_trd_drug dr
           LEFT JOIN p_rdfs_label lb ON lb.s = dr.o
           LEFT JOIN p_trd_rxnormCode rx ON rx.s = dr.o
           LEFT JOIN (p_rdf_type dt JOIN p_trd_className cn ON cn.s = dt.o) ON dt.s = dr.o) ON dr.s = t.s
LEFT JOIN p_trd_startDate st ON st.s = t.s
LEFT JOIN p_trd_endDate en ON en.s = t.s
-- only numbers: a value that is none (reasoner/io/numbers.py) reads as unknown (null)
LEFT JOIN p_trd_dailyDoseMg ds ON ds.s = t.s AND ds.n IS NOT NULL
LEFT JOIN p_trd_adherence ad ON ad.s = t.s AND ad.n IS NOT NULL
WHERE t.o = trd('AntidepressantTrial')

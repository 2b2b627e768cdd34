-- intent: RDF terms as the fast validator sees them in Oxigraph, for the columnar validator: a literal's
--   canonical lexical form and datatype as Oxigraph stores it (0.50 -> 0.5, "1"^^xsd:boolean -> true,
--   xsd:int 05 -> xsd:integer 5, +00:00 -> Z; an ill-typed literal stays as written), whether it is a
--   valid value of its datatype, and SPARQL's comparison of two terms (<, =, > or an error)
-- inputs: a term as the predicate tables hold it: o (IRI, _:label or lexical form), k ('I', 'B', 'L'),
--   d (a literal's datatype IRI)
-- source: XML Schema 1.1 Part 2 (lexical spaces, canonical mappings; date/time order with and without a
--   time zone, §D.2.2); SPARQL 1.1 §17.3 (operator mapping, numeric type promotion); Oxigraph's value
--   encoding (xsd:integer in 64 bits, xsd:decimal with 18 fraction digits), checked against Oxigraph
--   itself by tests/columnar/test_validation.py. sv_lex gives NULL where only Oxigraph can tell (double,
--   float, dateTime, time, durations, g* types, years beyond six digits): the validator asks Oxigraph.
CREATE OR REPLACE MACRO sv_xsd(local) AS 'http://www.w3.org/2001/XMLSchema#' || local;

CREATE OR REPLACE MACRO sv_is_int(d) AS d IN (
  'http://www.w3.org/2001/XMLSchema#integer', 'http://www.w3.org/2001/XMLSchema#byte',
  'http://www.w3.org/2001/XMLSchema#short', 'http://www.w3.org/2001/XMLSchema#int',
  'http://www.w3.org/2001/XMLSchema#long', 'http://www.w3.org/2001/XMLSchema#unsignedByte',
  'http://www.w3.org/2001/XMLSchema#unsignedShort', 'http://www.w3.org/2001/XMLSchema#unsignedInt',
  'http://www.w3.org/2001/XMLSchema#unsignedLong', 'http://www.w3.org/2001/XMLSchema#positiveInteger',
  'http://www.w3.org/2001/XMLSchema#negativeInteger', 'http://www.w3.org/2001/XMLSchema#nonPositiveInteger',
  'http://www.w3.org/2001/XMLSchema#nonNegativeInteger');

CREATE OR REPLACE MACRO sv_is_hard(d) AS d IN (
  'http://www.w3.org/2001/XMLSchema#double', 'http://www.w3.org/2001/XMLSchema#float',
  'http://www.w3.org/2001/XMLSchema#dateTime', 'http://www.w3.org/2001/XMLSchema#dateTimeStamp',
  'http://www.w3.org/2001/XMLSchema#time', 'http://www.w3.org/2001/XMLSchema#gYearMonth',
  'http://www.w3.org/2001/XMLSchema#gYear', 'http://www.w3.org/2001/XMLSchema#gMonthDay',
  'http://www.w3.org/2001/XMLSchema#gDay', 'http://www.w3.org/2001/XMLSchema#gMonth',
  'http://www.w3.org/2001/XMLSchema#duration', 'http://www.w3.org/2001/XMLSchema#yearMonthDuration',
  'http://www.w3.org/2001/XMLSchema#dayTimeDuration');

-- xsd:integer (and the types derived from it): a 64-bit integer
CREATE OR REPLACE MACRO sv_int_digits(o) AS ltrim(ltrim(o, '+-'), '0');
CREATE OR REPLACE MACRO sv_int_ok(o) AS regexp_full_match(o, '[+-]?[0-9]+') AND (length(sv_int_digits(o)) < 19
  OR (length(sv_int_digits(o)) = 19 AND sv_int_digits(o) <= CASE WHEN starts_with(o, '-')
      THEN '9223372036854775808' ELSE '9223372036854775807' END));
CREATE OR REPLACE MACRO sv_int_lex(o) AS CASE WHEN sv_int_digits(o) = '' THEN '0'
  WHEN starts_with(o, '-') THEN '-' || sv_int_digits(o) ELSE sv_int_digits(o) END;

-- xsd:decimal: a 128-bit integer of 10^-18 units
CREATE OR REPLACE MACRO sv_dec_int(o) AS ltrim(regexp_extract(o, '^[+-]?([0-9]*)', 1), '0');
CREATE OR REPLACE MACRO sv_dec_frac(o) AS rtrim(regexp_extract(o, '\.([0-9]*)$', 1), '0');
CREATE OR REPLACE MACRO sv_dec_ok(o) AS regexp_full_match(o, '[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)')
  AND length(sv_dec_frac(o)) <= 18 AND (length(sv_dec_int(o)) < 21 OR (length(sv_dec_int(o)) = 21
  AND sv_dec_int(o) || rpad(sv_dec_frac(o), 18, '0') <= CASE WHEN starts_with(o, '-')
      THEN '170141183460469231731687303715884105728' ELSE '170141183460469231731687303715884105727' END));
CREATE OR REPLACE MACRO sv_dec_lex(o) AS CASE WHEN sv_dec_int(o) = '' AND sv_dec_frac(o) = '' THEN '0'
  ELSE (CASE WHEN starts_with(o, '-') THEN '-' ELSE '' END)
       || (CASE WHEN sv_dec_int(o) = '' THEN '0' ELSE sv_dec_int(o) END)
       || (CASE WHEN sv_dec_frac(o) = '' THEN '' ELSE '.' || sv_dec_frac(o) END) END;

-- xsd:date: [-]YYYY-MM-DD with an optional time zone (at most 14:00 away from UTC)
CREATE OR REPLACE MACRO sv_date_big(o) AS regexp_matches(o, '^-?[0-9]{7,}-');
CREATE OR REPLACE MACRO sv_date_day(o) AS regexp_extract(o, '^(-?([1-9][0-9]{4,5}|[0-9]{4})-[0-9]{2}-[0-9]{2})', 1);
CREATE OR REPLACE MACRO sv_date_tz(o) AS regexp_extract(o, '(Z|[+-][0-9]{2}:[0-9]{2})$', 1);
CREATE OR REPLACE MACRO sv_tz_minutes(tz) AS CASE WHEN tz = 'Z' THEN 0 WHEN tz = '' THEN NULL
  ELSE (CASE WHEN starts_with(tz, '-') THEN -1 ELSE 1 END)
       * (TRY_CAST(substr(tz, 2, 2) AS INTEGER) * 60 + TRY_CAST(substr(tz, 5, 2) AS INTEGER)) END;
CREATE OR REPLACE MACRO sv_date_ok(o) AS
  regexp_full_match(o, '-?([1-9][0-9]{4,5}|[0-9]{4})-[0-9]{2}-[0-9]{2}(Z|[+-][0-9]{2}:[0-9]{2})?')
  AND TRY_CAST(sv_date_day(o) AS DATE) IS NOT NULL
  AND (sv_date_tz(o) IN ('', 'Z') OR (TRY_CAST(substr(sv_date_tz(o), 5, 2) AS INTEGER) < 60
       AND abs(sv_tz_minutes(sv_date_tz(o))) <= 840));
CREATE OR REPLACE MACRO sv_date_lex(o) AS
  (CASE WHEN regexp_full_match(sv_date_day(o), '-0+-.*') THEN substr(sv_date_day(o), 2) ELSE sv_date_day(o) END)
  || (CASE WHEN sv_date_tz(o) IN ('+00:00', '-00:00') THEN 'Z' ELSE sv_date_tz(o) END);
-- seconds since 1970-01-01T00:00:00 (in UTC when the date has a time zone)
CREATE OR REPLACE MACRO sv_date_secs(o) AS CAST(TRY_CAST(sv_date_day(o) AS DATE) - DATE '1970-01-01' AS BIGINT) * 86400
  - COALESCE(sv_tz_minutes(sv_date_tz(o)), 0) * 60;

-- the canonical form of a term: NULL for a literal only Oxigraph can canonicalise
CREATE OR REPLACE MACRO sv_lex(o, k, d) AS CASE
  WHEN k <> 'L' OR d = 'http://www.w3.org/2001/XMLSchema#string' THEN o
  WHEN d = 'http://www.w3.org/2001/XMLSchema#date' THEN
    CASE WHEN sv_date_big(o) THEN NULL WHEN sv_date_ok(o) THEN sv_date_lex(o) ELSE o END
  WHEN d = 'http://www.w3.org/2001/XMLSchema#decimal' THEN CASE WHEN sv_dec_ok(o) THEN sv_dec_lex(o) ELSE o END
  WHEN sv_is_int(d) THEN CASE WHEN sv_int_ok(o) THEN sv_int_lex(o) ELSE o END
  WHEN d = 'http://www.w3.org/2001/XMLSchema#boolean' THEN
    CASE o WHEN '1' THEN 'true' WHEN '0' THEN 'false' ELSE o END
  WHEN sv_is_hard(d) THEN NULL
  ELSE o END;
CREATE OR REPLACE MACRO sv_dt(o, k, d) AS CASE
  WHEN k = 'L' AND sv_is_int(d) AND sv_int_ok(o) THEN 'http://www.w3.org/2001/XMLSchema#integer' ELSE d END;
-- whether a literal is a valid value (only meaningful for numbers, booleans and dates)
CREATE OR REPLACE MACRO sv_ok(o, k, d) AS CASE
  WHEN k <> 'L' THEN FALSE
  WHEN d = 'http://www.w3.org/2001/XMLSchema#date' THEN sv_date_ok(o)
  WHEN d = 'http://www.w3.org/2001/XMLSchema#decimal' THEN sv_dec_ok(o)
  WHEN sv_is_int(d) THEN sv_int_ok(o)
  WHEN d = 'http://www.w3.org/2001/XMLSchema#boolean' THEN o IN ('true', 'false', '1', '0')
  ELSE FALSE END;

-- what comparing a valid literal needs, computed once per distinct literal: nk its numeric kind (1 integer,
-- 2 decimal, 3 float, 4 double); an integer or decimal exactly as ip + fp / 10^18 (ip = its floor, 0 <= fp <
-- 10^18; NULL beyond 64 bits, where it is compared as a double); nf, nx its value as float and double; ds the
-- seconds of a date since 1970-01-01 (in UTC when it has a time zone), dz whether it has one; NULL for
-- anything else. Plain 64-bit fields: they are carried through joins far more cheaply than a 128-bit decimal.
CREATE OR REPLACE MACRO sv_num_kind(d) AS CASE d
  WHEN 'http://www.w3.org/2001/XMLSchema#integer' THEN 1 WHEN 'http://www.w3.org/2001/XMLSchema#decimal' THEN 2
  WHEN 'http://www.w3.org/2001/XMLSchema#float' THEN 3 WHEN 'http://www.w3.org/2001/XMLSchema#double' THEN 4 END;
CREATE OR REPLACE MACRO sv_whole(o) AS TRY_CAST(regexp_extract(o, '^-?([0-9]+)', 1) AS BIGINT);
CREATE OR REPLACE MACRO sv_part(o) AS CAST(rpad(regexp_extract(o, '\.([0-9]+)$', 1), 18, '0') AS BIGINT);
CREATE OR REPLACE MACRO sv_key(o, d, ok) AS CASE
  WHEN ok AND sv_num_kind(d) IS NOT NULL THEN {'nk': sv_num_kind(d),
    'ip': CASE WHEN sv_num_kind(d) > 2 THEN NULL WHEN NOT starts_with(o, '-') THEN sv_whole(o)
               WHEN sv_part(o) = 0 THEN -sv_whole(o) ELSE -sv_whole(o) - 1 END,
    'fp': CASE WHEN sv_num_kind(d) > 2 THEN NULL WHEN NOT starts_with(o, '-') OR sv_part(o) = 0 THEN sv_part(o)
               ELSE 1000000000000000000 - sv_part(o) END,
    'nf': TRY_CAST(o AS FLOAT),
    'nx': CASE WHEN sv_num_kind(d) = 3 THEN CAST(TRY_CAST(o AS FLOAT) AS DOUBLE) ELSE TRY_CAST(o AS DOUBLE) END,
    'ds': NULL::BIGINT, 'dz': NULL::BOOLEAN}
  WHEN ok AND d = 'http://www.w3.org/2001/XMLSchema#date' THEN {'nk': NULL::INTEGER, 'ip': NULL::BIGINT,
    'fp': NULL::BIGINT, 'nf': NULL::FLOAT, 'nx': NULL::DOUBLE, 'ds': sv_date_secs(o), 'dz': sv_date_tz(o) <> ''} END;
-- whether a canonical literal has the lexical form the fast validator takes as surely valid for its
-- datatype (fast._SAFE_LEXICAL: REGEX on STR(?v), and a date that xsd:date accepts)
CREATE OR REPLACE MACRO sv_safe(o, d, ok) AS CASE d
  WHEN 'http://www.w3.org/2001/XMLSchema#integer' THEN regexp_full_match(o, '-?[0-9]+')
  WHEN 'http://www.w3.org/2001/XMLSchema#decimal' THEN regexp_full_match(o, '-?[0-9]+\.[0-9]+')
  WHEN 'http://www.w3.org/2001/XMLSchema#boolean' THEN o IN ('true', 'false')
  WHEN 'http://www.w3.org/2001/XMLSchema#date' THEN regexp_full_match(o, '[0-9]{4}-[0-9]{2}-[0-9]{2}') AND ok
  ELSE FALSE END;

-- SPARQL's order of two canonical terms (k, o, d, key) as Oxigraph evaluates <, <= and >: -1, 0, 1, or
-- NULL where it raises an error (incomparable types, NaN, a date with and one without a time zone less
-- than 14 hours apart). The same term is equal to itself whatever it is; booleans are not ordered.
CREATE OR REPLACE MACRO sv_order(a, b) AS CASE WHEN a < b THEN -1 WHEN a > b THEN 1 WHEN a = b THEN 0 END;
CREATE OR REPLACE MACRO sv_order_f(a, b) AS CASE WHEN isnan(a) OR isnan(b) THEN NULL ELSE sv_order(a, b) END;
CREATE OR REPLACE MACRO sv_cmp(ak, ao, ad, ac, bk, bo, bd, bc) AS CASE
  WHEN ak = bk AND ao = bo AND ad IS NOT DISTINCT FROM bd THEN 0
  WHEN ak <> 'L' OR bk <> 'L' THEN NULL
  WHEN ac.nk IS NOT NULL AND bc.nk IS NOT NULL THEN
    CASE WHEN greatest(ac.nk, bc.nk) <= 2 AND ac.ip IS NOT NULL AND bc.ip IS NOT NULL
           THEN coalesce(nullif(sv_order(ac.ip, bc.ip), 0), sv_order(ac.fp, bc.fp))
         WHEN greatest(ac.nk, bc.nk) = 3 THEN sv_order_f(ac.nf, bc.nf)
         ELSE sv_order_f(ac.nx, bc.nx) END
  WHEN ac.ds IS NOT NULL AND bc.ds IS NOT NULL THEN
    CASE WHEN ac.dz = bc.dz THEN sv_order(ac.ds, bc.ds)
         WHEN ac.dz THEN CASE WHEN sv_order(ac.ds, bc.ds + 50400) = sv_order(ac.ds, bc.ds - 50400)
                              THEN sv_order(ac.ds, bc.ds + 50400) END
         ELSE CASE WHEN sv_order(ac.ds + 50400, bc.ds) = sv_order(ac.ds - 50400, bc.ds)
                   THEN sv_order(ac.ds + 50400, bc.ds) END END
  WHEN ad = 'http://www.w3.org/2001/XMLSchema#string' AND bd = ad THEN sv_order(ao, bo)
  END;

-- the kind of a subject ('B' for a blank node label, 'I' for an IRI)
CREATE OR REPLACE MACRO sv_node_kind(s) AS CASE WHEN starts_with(s, '_:') THEN 'B' ELSE 'I' END;

-- intent: the SPARQL functions the twins need beyond the engine's macros, as SQL macros with SPARQL's
--   semantics on the predicate tables' columns (o lexical form or IRI, k kind, d datatype, n number):
--   what STR() gives for a literal as Oxigraph stores it, STRAFTER, IRI() (NULL where SPARQL raises
--   an error, i.e. leaves the variable unbound), numeric type promotion, and the lexical form of a
--   computed number, so that a twin's literals have the value and datatype the SPARQL rule gives
-- inputs: none (macros only)
-- source: SPARQL 1.1 Query §17.4 (functions on strings and RDF terms), §17.3 (operator mapping and
--   numeric type promotion); XML Schema 1.1 Part 2 §3.3 (lexical and canonical forms of xsd:integer,
--   xsd:decimal, xsd:double, xsd:boolean); Oxigraph stores literals of these types in canonical form
--   (xsd:int and the other integer types as xsd:integer)
CREATE OR REPLACE MACRO xsd_integers() AS [xsd('integer'), xsd('int'), xsd('long'), xsd('short'), xsd('byte'),
  xsd('nonNegativeInteger'), xsd('positiveInteger'), xsd('nonPositiveInteger'), xsd('negativeInteger'),
  xsd('unsignedLong'), xsd('unsignedInt'), xsd('unsignedShort'), xsd('unsignedByte')];
-- a valid integer lexical form within Oxigraph's 64-bit range (NULL otherwise: ill-typed)
CREATE OR REPLACE MACRO int_value(o) AS
  CASE WHEN regexp_full_match(o, '[+-]?[0-9]+') THEN TRY_CAST(o AS BIGINT) END;
-- a valid decimal lexical form (at most 18 fractional digits, as Oxigraph's decimals)
CREATE OR REPLACE MACRO dec_value(o) AS
  CASE WHEN regexp_full_match(o, '[+-]?([0-9]+(\.[0-9]{0,18})?|\.[0-9]{1,18})') THEN TRY_CAST(o AS DECIMAL(38, 18)) END;
-- the lexical form of a decimal value (a DECIMAL, or a DOUBLE computed for a decimal result): no
-- exponent, no trailing zeros, '0' for zero
CREATE OR REPLACE MACRO dec_text(x) AS
  CASE WHEN x IS NULL THEN NULL WHEN x = 0 THEN '0'
       ELSE regexp_replace(CASE WHEN contains(CAST(x AS VARCHAR), 'e') THEN CAST(CAST(x AS DECIMAL(38, 18)) AS VARCHAR)
                                ELSE CAST(x AS VARCHAR) END, '(\.[0-9]*[1-9])0+$|\.0+$', '\1') END;
-- the lexical form of a computed double (the shortest form that reads back as the same double)
CREATE OR REPLACE MACRO dbl_text(x) AS
  CASE WHEN isinf(x) AND x > 0 THEN 'INF' WHEN isinf(x) THEN '-INF' WHEN isnan(x) THEN 'NaN'
       WHEN x = trunc(x) AND abs(x) < 1e15 THEN CAST(CAST(x AS BIGINT) AS VARCHAR)
       ELSE CAST(x AS VARCHAR) END;
-- the lexical form of a computed float (single precision)
CREATE OR REPLACE MACRO flt_text(x) AS
  CASE WHEN isinf(x) OR isnan(x) OR (x = trunc(x) AND abs(x) < 1e15) THEN dbl_text(x)
       ELSE CAST(CAST(x AS FLOAT) AS VARCHAR) END;
-- the datatype of a literal as Oxigraph stores it (every valid integer type is xsd:integer), and
-- NULL for a string (a plain literal, as the derived graph gives it back)
CREATE OR REPLACE MACRO lit_d(o, d) AS
  CASE WHEN d IS NULL OR d IN (xsd('string'), rdf('langString')) THEN NULL
       WHEN list_contains(xsd_integers(), d) AND int_value(o) IS NOT NULL THEN xsd('integer')
       ELSE d END;
-- STR() of a term: an IRI's text, a literal's lexical form in Oxigraph's canonical form for the
-- numeric and boolean types, NULL (an error) for a blank node
CREATE OR REPLACE MACRO str_of(o, k, d) AS
  CASE WHEN k = 'B' THEN NULL
       WHEN k = 'I' OR d IS NULL THEN o
       WHEN list_contains(xsd_integers(), d) THEN COALESCE(CAST(int_value(o) AS VARCHAR), o)
       WHEN d = xsd('decimal') THEN COALESCE(dec_text(dec_value(o)), o)
       WHEN d = xsd('double') AND o IN ('INF', '+INF', '-INF', 'NaN') THEN (CASE o WHEN '+INF' THEN 'INF' ELSE o END)
       WHEN d IN (xsd('double'), xsd('float'))
         AND regexp_full_match(o, '[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?')
         THEN (CASE WHEN d = xsd('float') THEN flt_text(CAST(CAST(o AS FLOAT) AS DOUBLE)) ELSE dbl_text(CAST(o AS DOUBLE)) END)
       WHEN d = xsd('boolean') AND o IN ('1', '0') THEN (CASE o WHEN '1' THEN 'true' ELSE 'false' END)
       ELSE o END;
-- a string literal (simple, xsd:string or language-tagged): what CONCAT accepts
CREATE OR REPLACE MACRO is_str(k, d) AS k = 'L' AND (d IS NULL OR d IN (xsd('string'), rdf('langString')));
-- STRAFTER on texts: '' when the separator does not occur (the text is referenced once, so that a
-- macro argument is not expanded several times)
CREATE OR REPLACE MACRO strafter(s, sep) AS array_to_string(string_split(s, sep)[2:], sep);
-- STRBEFORE on texts: '' when the separator does not occur
CREATE OR REPLACE MACRO strbefore(s, sep) AS
  CASE WHEN s IS NULL THEN NULL WHEN strpos(s, sep) > 0 THEN substr(s, 1, strpos(s, sep) - 1) ELSE '' END;
-- IRI(s): the text when it is an absolute IRI, NULL (an error) otherwise (s referenced once)
CREATE OR REPLACE MACRO iri(s) AS
  nullif(regexp_extract(s, '^([A-Za-z][A-Za-z0-9+.\-]*:[^\x00-\x20<>"{}|\\^`]*)$', 1), '');
-- the datatype of a numeric operation on two operands (SPARQL's numeric type promotion)
CREATE OR REPLACE MACRO num_d(d1, d2) AS
  CASE WHEN d1 = xsd('double') OR d2 = xsd('double') THEN xsd('double')
       WHEN d1 = xsd('float') OR d2 = xsd('float') THEN xsd('float')
       WHEN d1 = xsd('decimal') OR d2 = xsd('decimal') THEN xsd('decimal')
       ELSE xsd('integer') END;
-- the lexical form of a computed number of a given numeric datatype
CREATE OR REPLACE MACRO num_text(x, d) AS
  CASE WHEN d = xsd('integer') THEN CAST(CAST(x AS BIGINT) AS VARCHAR)
       WHEN d = xsd('decimal') THEN dec_text(x)
       WHEN d = xsd('float') THEN flt_text(CAST(CAST(x AS FLOAT) AS DOUBLE))
       ELSE dbl_text(x) END;
-- SPARQL's ROUND (half up, towards positive infinity)
CREATE OR REPLACE MACRO round_half_up(x) AS floor(x + 0.5);
-- the lexical form of the product of two numeric literals (datatype num_d(ad, bd)): exact for integers
-- and decimals (to 9 fractional digits of each factor; NULL on overflow, an error in SPARQL too),
-- IEEE arithmetic for floats and doubles
CREATE OR REPLACE MACRO mul_text(ao, ad, an, bo, bd, bn) AS
  CASE WHEN an IS NULL OR bn IS NULL THEN NULL
       WHEN num_d(ad, bd) = xsd('double') THEN dbl_text(an * bn)
       WHEN num_d(ad, bd) = xsd('float') THEN flt_text(CAST(CAST(an AS FLOAT) * CAST(bn AS FLOAT) AS DOUBLE))
       ELSE dec_text(TRY(CAST(ao AS DECIMAL(38, 9)) * CAST(bo AS DECIMAL(38, 9)))) END;
-- the calendar day of an xsd:date or xsd:dateTime literal as SPARQL's YEAR/MONTH/DAY read it (the
-- local date, its timezone ignored; 24:00:00 is the next day), NULL for any other datatype or an
-- invalid lexical form (an error in SPARQL)
CREATE OR REPLACE MACRO xsd_day(o, d) AS
  CASE WHEN (d = xsd('date') AND regexp_full_match(o,
               '([1-9][0-9]{4,}|[0-9]{4})-[0-9]{2}-[0-9]{2}(Z|[+-](0[0-9]|1[0-3]):[0-5][0-9]|[+-]14:00)?'))
         OR (d = xsd('dateTime') AND regexp_full_match(o,
               '([1-9][0-9]{4,}|[0-9]{4})-[0-9]{2}-[0-9]{2}T(([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]+)?|24:00:00(\.0+)?)(Z|[+-](0[0-9]|1[0-3]):[0-5][0-9]|[+-]14:00)?'))
       THEN CAST(TRY(make_date(CAST(regexp_extract(o, '^([0-9]+)-', 1) AS BIGINT),
                                CAST(regexp_extract(o, '^[0-9]+-([0-9]{2})', 1) AS BIGINT),
                                CAST(regexp_extract(o, '^[0-9]+-[0-9]{2}-([0-9]{2})', 1) AS BIGINT)))
                 + CASE WHEN d = xsd('dateTime') AND contains(o, 'T24:') THEN 1 ELSE 0 END AS DATE)
  END;
-- the effective boolean value of a term (SPARQL §17.2.2): a boolean's value (false when ill-typed), a
-- number other than zero or NaN, a non-empty string; NULL (an error) for anything else
CREATE OR REPLACE MACRO ebv(o, k, d, n, b) AS
  CASE WHEN k <> 'L' THEN NULL
       WHEN d = xsd('boolean') THEN COALESCE(b, FALSE)
       WHEN list_contains(xsd_integers() || [xsd('decimal'), xsd('double'), xsd('float')], d)
         THEN COALESCE(n <> 0 AND NOT isnan(n), FALSE)
       WHEN d IS NULL OR d IN (xsd('string'), rdf('langString')) THEN length(o) > 0
  END;
-- floor division of integers (DuckDB's // truncates towards zero)
CREATE OR REPLACE MACRO floor_div(a, b) AS
  CASE WHEN a % b <> 0 AND ((a < 0) <> (b < 0)) THEN a // b - 1 ELSE a // b END;
-- ROUND(num / den * k) for exact decimals num, den (k an integer): SPARQL's round half up of the exact
-- quotient, computed on integers so that a quotient exactly halfway is never lost to binary rounding
-- (NULL when den is zero, an error in SPARQL, or on overflow)
CREATE OR REPLACE MACRO round_ratio(num, den, k) AS
  CASE WHEN den <> 0 THEN floor_div(
    TRY(CAST((2 * k * CAST(num AS DECIMAL(38, 10)) + CAST(den AS DECIMAL(38, 10))) * 10000000000 AS HUGEINT)),
    TRY(CAST(2 * CAST(den AS DECIMAL(38, 10)) * 10000000000 AS HUGEINT))) END;

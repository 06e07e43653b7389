-- Every sequence of a user schema (not one an extension owns): its type, start, bounds,
-- increment, whether it cycles, whether this role may read its last value (pg_sequences shows
-- last_value only with SELECT or USAGE on the sequence, which pg_monitor does not give), the
-- last value (NULL also when it was never used), and the columns it feeds: the column that
-- owns it (serial, identity) and any column whose DEFAULT calls nextval() on it, each with its
-- type and the single-column foreign keys that reference it (they must widen with it).
WITH feeds AS (
    SELECT d.objid AS seq, d.refobjid AS relid, d.refobjsubid AS attnum
      FROM pg_depend d
     WHERE d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass
       AND d.deptype IN ('a', 'i') AND d.refobjsubid > 0
    UNION
    SELECT d.refobjid, ad.adrelid, ad.adnum
      FROM pg_depend d
      JOIN pg_attrdef ad ON ad.oid = d.objid
     WHERE d.classid = 'pg_attrdef'::regclass AND d.refclassid = 'pg_class'::regclass
)
SELECT c.oid,
       n.nspname AS schema,
       c.relname AS name,
       format_type(s.seqtypid, NULL) AS type,
       s.seqstart AS start,
       s.seqincrement AS increment,
       s.seqmin AS min,
       s.seqmax AS max,
       s.seqcycle AS cycle,
       has_sequence_privilege(c.oid, 'SELECT,USAGE') AS readable,
       CASE WHEN has_sequence_privilege(c.oid, 'SELECT,USAGE')
            THEN pg_sequence_last_value(c.oid) END AS last_value,
       current_user AS reader,
       coalesce((SELECT json_agg(json_build_object(
                    'schema', tn.nspname, 'table', t.relname, 'column', a.attname,
                    'type', format_type(a.atttypid, NULL),
                    'identity', a.attidentity <> '',
                    'referenced_by', coalesce((
                        SELECT json_agg(json_build_object(
                                   'schema', rn.nspname, 'table', r.relname,
                                   'column', ra.attname,
                                   'type', format_type(ra.atttypid, NULL))
                                 ORDER BY rn.nspname, r.relname, ra.attname)
                          FROM pg_constraint k
                          JOIN pg_class r ON r.oid = k.conrelid
                          JOIN pg_namespace rn ON rn.oid = r.relnamespace
                          JOIN pg_attribute ra ON ra.attrelid = k.conrelid
                                              AND ra.attnum = k.conkey[1]
                         WHERE k.contype = 'f' AND k.conparentid = 0
                           AND k.confrelid = f.relid AND k.confkey = ARRAY[f.attnum]::int2[]
                      ), '[]'::json))
                  ORDER BY tn.nspname, t.relname, a.attname)
                   FROM feeds f
                   JOIN pg_class t ON t.oid = f.relid
                   JOIN pg_namespace tn ON tn.oid = t.relnamespace
                   JOIN pg_attribute a ON a.attrelid = f.relid AND a.attnum = f.attnum
                  WHERE f.seq = c.oid AND NOT a.attisdropped AND t.relkind IN ('r', 'p')
                    AND NOT t.relispartition),
                '[]'::json) AS columns
  FROM pg_sequence s
  JOIN pg_class c ON c.oid = s.seqrelid
  JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname <> 'information_schema' AND n.nspname !~ '^pg_'
   AND NOT EXISTS (SELECT 1 FROM pg_depend e
                    WHERE e.classid = 'pg_class'::regclass AND e.objid = c.oid
                      AND e.deptype = 'e')
 ORDER BY n.nspname, c.relname

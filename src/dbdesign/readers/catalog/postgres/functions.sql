-- Functions, procedures and aggregates that no extension owns and that are not part of another
-- object (deptype 'i': the constructors the server creates with a range or multirange type).
-- Argument arrays are positional over all arguments (proallargtypes when there are OUT/TABLE
-- arguments). Grants leave out the owner's own and the defaults (PUBLIC EXECUTE) that
-- acldefault gives every function; public_execute says whether PUBLIC still has EXECUTE.
SELECT p.oid,
       n.nspname AS schema,
       p.proname AS name,
       p.prokind,
       ARRAY(SELECT format_type(x.typ, NULL)
               FROM unnest(coalesce(p.proallargtypes, p.proargtypes::oid[])) WITH ORDINALITY x(typ, o)
              ORDER BY x.o)::text[] AS arg_types,
       p.proargmodes::text[] AS arg_modes,
       p.proargnames::text[] AS arg_names,
       ARRAY(SELECT pg_get_function_arg_default(p.oid, g.o)
               FROM generate_series(1, cardinality(coalesce(p.proallargtypes, p.proargtypes::oid[]))) g(o)
              ORDER BY g.o)::text[] AS arg_defaults,
       CASE WHEN p.prokind <> 'p' THEN pg_get_function_result(p.oid) END AS result,
       format_type(p.prorettype, NULL) AS rettype,
       p.proretset AS retset,
       l.lanname AS language,
       CASE WHEN p.prosqlbody IS NOT NULL THEN pg_get_function_sqlbody(p.oid) ELSE p.prosrc END AS body,
       p.provolatile AS volatility,
       p.proisstrict AS strict,
       p.prosecdef AS security_definer,
       p.proleakproof AS leakproof,
       p.proparallel AS parallel,
       p.proconfig::text[] AS config,
       CASE WHEN p.prokind = 'a' THEN concat_ws(', ',
            'SFUNC = ' || ag.aggtransfn::text,
            'STYPE = ' || format_type(ag.aggtranstype, NULL),
            CASE WHEN ag.aggtransspace <> 0 THEN 'SSPACE = ' || ag.aggtransspace END,
            CASE WHEN ag.aggfinalfn::oid <> 0 THEN 'FINALFUNC = ' || ag.aggfinalfn::text END,
            CASE WHEN ag.aggfinalextra THEN 'FINALFUNC_EXTRA' END,
            CASE WHEN ag.aggcombinefn::oid <> 0 THEN 'COMBINEFUNC = ' || ag.aggcombinefn::text END,
            CASE WHEN ag.aggserialfn::oid <> 0 THEN 'SERIALFUNC = ' || ag.aggserialfn::text END,
            CASE WHEN ag.aggdeserialfn::oid <> 0 THEN 'DESERIALFUNC = ' || ag.aggdeserialfn::text END,
            CASE WHEN ag.agginitval IS NOT NULL THEN 'INITCOND = ' || quote_literal(ag.agginitval) END,
            CASE WHEN ag.aggmtransfn::oid <> 0 THEN 'MSFUNC = ' || ag.aggmtransfn::text END,
            CASE WHEN ag.aggminvtransfn::oid <> 0 THEN 'MINVFUNC = ' || ag.aggminvtransfn::text END,
            CASE WHEN ag.aggmtranstype <> 0 THEN 'MSTYPE = ' || format_type(ag.aggmtranstype, NULL) END,
            CASE WHEN ag.aggmfinalfn::oid <> 0 THEN 'MFINALFUNC = ' || ag.aggmfinalfn::text END,
            CASE WHEN ag.aggminitval IS NOT NULL THEN 'MINITCOND = ' || quote_literal(ag.aggminitval) END,
            CASE WHEN ag.aggsortop <> 0 THEN 'SORTOP = ' || (SELECT o.oprname FROM pg_operator o
                                                               WHERE o.oid = ag.aggsortop) END,
            CASE WHEN ag.aggkind = 'h' THEN 'HYPOTHETICAL' END) END AS aggregate_options,
       d.description AS comment,
       p.proacl IS NULL OR EXISTS (SELECT 1 FROM aclexplode(p.proacl) a
                                    WHERE a.grantee = 0 AND a.privilege_type = 'EXECUTE')
         AS public_execute,
       (SELECT coalesce(json_agg(json_build_object(
                   'grantee', CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE pg_get_userbyid(a.grantee) END,
                   'privilege', a.privilege_type, 'grantable', a.is_grantable)), '[]'::json)
          FROM aclexplode(p.proacl) a
         WHERE a.grantee <> p.proowner
           AND NOT EXISTS (SELECT 1 FROM aclexplode(acldefault('f', p.proowner)) df
                            WHERE df.grantee = a.grantee AND df.privilege_type = a.privilege_type
                              AND df.is_grantable = a.is_grantable)) AS grants
  FROM pg_proc p
  JOIN pg_namespace n ON n.oid = p.pronamespace
  JOIN pg_language l ON l.oid = p.prolang
  LEFT JOIN pg_aggregate ag ON ag.aggfnoid = p.oid
  LEFT JOIN pg_description d
         ON d.objoid = p.oid AND d.classoid = 'pg_proc'::regclass AND d.objsubid = 0
 WHERE n.nspname <> 'information_schema' AND n.nspname !~ '^pg_'
   AND (%(schemas)s::text[] IS NULL OR n.nspname = ANY (%(schemas)s::text[]))
   AND NOT EXISTS (SELECT 1 FROM pg_depend e
                    WHERE e.classid = 'pg_proc'::regclass AND e.objid = p.oid
                      AND e.deptype IN ('e', 'i'))
 ORDER BY n.nspname, p.proname, p.oid

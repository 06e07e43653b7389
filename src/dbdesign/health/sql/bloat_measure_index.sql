-- One B-tree index's pages and how full its leaf pages are, as pgstatindex measures them by
-- reading every page. @extschema@ is the extension's schema; the parameter is the index's oid.
SELECT m.index_size, m.internal_pages, m.leaf_pages, m.empty_pages, m.deleted_pages,
       m.avg_leaf_density
  FROM @extschema@.pgstatindex(%s::oid::regclass) m

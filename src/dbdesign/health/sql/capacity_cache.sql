-- Blocks of this database's user tables and indexes found in shared_buffers (hit) or read
-- from the operating system or disk since the statistics were reset; and the misses: the
-- reads beyond one per block the relation has now. The first read of a block is not a sign
-- of a cache too small: loading data counts each new block as read, and after a restart
-- every block is read once. With shared_buffers (in bytes and as set), the block size and
-- the database's size for the advice.
SELECT t.hit AS table_hit, t.read AS table_read, t.misses AS table_misses,
       i.hit AS index_hit, i.read AS index_read, i.misses AS index_misses,
       current_database() AS database,
       current_setting('shared_buffers') AS shared_buffers,
       pg_size_bytes(current_setting('shared_buffers')) AS shared_buffers_bytes,
       current_setting('block_size')::int AS block_size,
       pg_database_size(current_database()) AS database_size
  FROM (SELECT coalesce(sum(s.heap_blks_hit), 0)::bigint AS hit,
               coalesce(sum(s.heap_blks_read), 0)::bigint AS read,
               coalesce(sum(greatest(s.heap_blks_read - pg_relation_size(s.relid)
                                     / current_setting('block_size')::int, 0)), 0)::bigint
                 AS misses
          FROM pg_statio_user_tables s) t,
       (SELECT coalesce(sum(s.idx_blks_hit), 0)::bigint AS hit,
               coalesce(sum(s.idx_blks_read), 0)::bigint AS read,
               coalesce(sum(greatest(s.idx_blks_read - pg_relation_size(s.indexrelid)
                                     / current_setting('block_size')::int, 0)), 0)::bigint
                 AS misses
          FROM pg_statio_user_indexes s) i

-- Every index (PRIMARY, unique keys, plain, FULLTEXT, SPATIAL), one row per key part.
-- COLLATION is 'D' for a descending part; SUB_PART is a prefix length.
SELECT TABLE_NAME AS table_name,
       INDEX_NAME AS name,
       NON_UNIQUE AS non_unique,
       SEQ_IN_INDEX AS seq,
       COLUMN_NAME AS column_name,
       SUB_PART AS sub_part,
       INDEX_TYPE AS index_type,
       COLLATION AS collation,
       INDEX_COMMENT AS comment
FROM information_schema.STATISTICS
WHERE TABLE_SCHEMA = %(db)s
ORDER BY TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX

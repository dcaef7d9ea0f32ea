-- Runs once when the postgres container initialises an empty data volume
-- (/docker-entrypoint-initdb.d/, see the postgres image docs). The library also runs
-- CREATE EXTENSION IF NOT EXISTS vector when a lab needs pgvector; this makes it present from the start.
CREATE EXTENSION IF NOT EXISTS vector;

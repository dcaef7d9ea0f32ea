/**
 * The change feed's source for a test file (Q24): Postgres from the services fixture (DATABASE_URL
 * when set, else the embedded PGlite), the feed's migrations, and a datagen corpus written to
 * `documents` before the first test (its topic as metadata, its updatedAt as updated_at), so every
 * document has one insert event on the feed. The indexing, audit and migration tests start from it.
 */
import type { CorpusDocument } from '@mlops-lab/datagen';
import type { ServicesWithExtras } from '@mlops-lab/services';
import { testServices } from '@mlops-lab/services/vitest';
import { CHANGE_FEED_MIGRATIONS } from '../change-feed.ts';

/** Registers the file's set-up and close; returns the services as they are inside its tests. */
export function feedSource(namespace: string, documents: readonly CorpusDocument[]): ServicesWithExtras {
  return testServices({
    needs: ['postgres'],
    namespace,
    prepare: async (s) => {
      await s.migrate('retriever-feed', CHANGE_FEED_MIGRATIONS);
      await s.pg.query(
        `INSERT INTO documents (id, text, metadata, updated_at)
         SELECT id, text, jsonb_build_object('topic', topic), to_timestamp(ms / 1000.0)
         FROM unnest($1::text[], $2::text[], $3::text[], $4::float8[]) AS t(id, text, topic, ms)`,
        [
          documents.map((d) => d.id),
          documents.map((d) => d.text),
          documents.map((d) => d.topic),
          documents.map((d) => d.updatedAt),
        ],
      );
    },
  });
}

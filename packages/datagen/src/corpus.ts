/**
 * A seeded document world for RAG evaluation (Q23, and the knowledge-base updates of Q24): short
 * company profiles built from topic vocabularies, and queries with graded relevance labels in the
 * style of TREC / BEIR qrels (3 = answer-bearing, 2 = closely related, 1 = same topic; documents
 * not listed are unjudged, not "irrelevant").
 *
 * Every document states one or two facts ("<Entity> was founded in <year>.", "<Entity> is based in
 * <city>."), so an extractive answerer has something to quote and a claim checker something to
 * verify. Texts share words within a topic and almost none across topics, so a lexical or hashed
 * n-gram embedder can find the right documents. Hand-written; no reference implementation.
 */
import { createRng, DatagenInputError, mixSeed, type Rng } from './rng.ts';

export interface CorpusDocument {
  id: string;
  topic: string;
  title: string;
  text: string;
  /** Integer ms, when the source last changed it (for staleness / re-indexing, Q24). */
  updatedAt: number;
  /** The company the document is about (unique per document). */
  entity: string;
  /** The fact sentences contained in `text`, verbatim. */
  facts: string[];
}

export type RelevanceGrade = 0 | 1 | 2 | 3;

export interface CorpusQuery {
  id: string;
  text: string;
  /** Judged documents only; a document not listed is unjudged. */
  relevance: Record<string, RelevanceGrade>;
  /** The fact a correct answer states (a sentence of the grade-3 document). */
  answer: string;
}

export interface Corpus {
  documents: CorpusDocument[];
  queries: CorpusQuery[];
}

export interface CorpusSpec {
  seed: number;
  documents: number;
  queries: number;
  /** How many topics to draw from (1..TOPICS.length, default 8). */
  topics?: number;
}

interface Topic {
  name: string;
  kind: string;
  /** Focus words: documents sharing one are "closely related" (grade 2). */
  focus: readonly string[];
  words: readonly string[];
}

/** Vocabularies with no word shared across topics, so topics are lexically separable. */
export const TOPICS: readonly Topic[] = [
  t(
    'energy',
    'Power',
    'solar wind battery grid',
    'turbine panel storage voltage renewable megawatt inverter',
  ),
  t(
    'health',
    'Health',
    'clinic vaccine diagnostic therapy',
    'patient hospital doctor treatment trial nurse dosage',
  ),
  t(
    'finance',
    'Capital',
    'lending payments insurance trading',
    'loan credit bank interest ledger portfolio broker',
  ),
  t('food', 'Foods', 'bakery dairy coffee organic', 'farm harvest recipe flour kitchen grocery flavor'),
  t(
    'transport',
    'Motors',
    'railway trucking aviation shipping',
    'freight cargo route fleet engine depot airport',
  ),
  t(
    'software',
    'Systems',
    'database cloud security analytics',
    'server code platform developer api cluster deploy',
  ),
  t(
    'retail',
    'Stores',
    'fashion furniture electronics toys',
    'shop customer store checkout brand outlet catalog',
  ),
  t(
    'media',
    'Studios',
    'film music publishing podcast',
    'audience studio broadcast editor streaming album story',
  ),
  t('mining', 'Minerals', 'copper lithium gold quarry', 'ore drill excavation mineral shaft smelter deposit'),
  t(
    'education',
    'Academy',
    'tutoring language robotics coding',
    'student school teacher course lesson campus exam',
  ),
  t('farming', 'Agro', 'wheat cattle orchard irrigation', 'tractor soil crop seed pasture barn fertilizer'),
  t('travel', 'Travel', 'hotel cruise hiking tours', 'guest resort booking passport luggage beach itinerary'),
];

function t(name: string, kind: string, focus: string, words: string): Topic {
  return { name, kind, focus: focus.split(' '), words: words.split(' ') };
}

// biome-ignore format: a compact table reads better
const CITIES = [
  'Lisbon', 'Oslo', 'Denver', 'Osaka', 'Nairobi', 'Lyon', 'Quito', 'Perth', 'Austin', 'Krakow',
  'Porto', 'Seoul', 'Dublin', 'Tampere', 'Halifax', 'Cusco',
];
const SYLLABLES = (
  'ka ro vi mel dor an sul te bri no zar lu fen ta qui mos ' +
  'ber ix pal ven or ca dri lem su gor hal ne tib rav el ju'
).split(' ');
const MAX_DOCUMENTS = SYLLABLES.length ** 4; // entity names are 4 syllables: 2^20 unique names

const FILLERS = [
  (a: string, b: string, c: string) => `The team works on ${a} and ${b} for every ${c}.`,
  (a: string, b: string, c: string) => `Its ${a} unit serves the ${b} market with a new ${c}.`,
  (a: string, b: string, c: string) => `Analysts follow its ${a} plans, its ${b} and its ${c}.`,
  (a: string, b: string, c: string) => `A recent report covers ${a}, ${b} and ${c} growth.`,
];

const START = Date.UTC(2023, 0, 1);
const SPAN_MS = 2 * 365 * 86_400_000;

/** A unique name per index: an odd multiplier permutes [0, 2^20), so names look unrelated to ids. */
function entityName(index: number, salt: number): string {
  const n = (Math.imul(index, 0x9e3779b1) + salt) & (MAX_DOCUMENTS - 1);
  const s = (k: number) => SYLLABLES[(n >>> (5 * k)) & 31];
  const cap = (w: string) => w[0].toUpperCase() + w.slice(1);
  return `${cap(s(0) + s(1))} ${cap(s(2) + s(3))}`;
}

function pickOf<T>(rng: Rng, items: readonly T[]): T {
  return items[rng.int(0, items.length - 1)];
}

function checkCount(name: string, value: number, max: number): void {
  if (!Number.isSafeInteger(value) || value < 0 || value > max) {
    throw new DatagenInputError(`generateCorpus: ${name} must be an integer in [0, ${max}], got ${value}`);
  }
}

export function generateCorpus(spec: CorpusSpec): Corpus {
  const topicCount = spec.topics ?? 8;
  checkCount('documents', spec.documents, MAX_DOCUMENTS);
  checkCount('queries', spec.queries, 10_000_000);
  checkCount('topics', topicCount, TOPICS.length);
  if (topicCount < 1) throw new DatagenInputError('generateCorpus: topics must be at least 1');
  if (spec.queries > 0 && spec.documents === 0) {
    throw new DatagenInputError('generateCorpus: queries need at least one document to be about');
  }
  const docRng = createRng(mixSeed(spec.seed, 'corpus-documents'));
  const salt = mixSeed(spec.seed, 'corpus-entities');
  const topics = TOPICS.slice(0, topicCount);

  const documents: CorpusDocument[] = [];
  // Index by topic and by (topic, focus) so grade-1/2 candidates are found without scanning.
  const byTopic: number[][] = topics.map(() => []);
  const byFocus: number[][][] = topics.map((tp) => tp.focus.map(() => []));
  const focusOf: number[] = [];
  const topicOf: number[] = [];
  for (let i = 0; i < spec.documents; i++) {
    const ti = docRng.int(0, topics.length - 1);
    const tp = topics[ti];
    const fi = docRng.int(0, tp.focus.length - 1);
    const entity = `${entityName(i, salt)} ${tp.kind}`;
    const facts = [`${entity} was founded in ${docRng.int(1950, 2022)}.`];
    if (docRng.next() < 0.5) facts.push(`${entity} is based in ${pickOf(docRng, CITIES)}.`);
    const w = () => pickOf(docRng, tp.words);
    const sentences = [
      `${entity} works in ${tp.name}.`,
      pickOf(docRng, FILLERS)(tp.focus[fi], w(), w()),
      pickOf(docRng, FILLERS)(w(), w(), w()),
    ];
    // Facts go at a random place among the other sentences, not always first.
    for (const fact of facts) sentences.splice(docRng.int(1, sentences.length), 0, fact);
    documents.push({
      id: `d${i}`,
      topic: tp.name,
      title: `${entity}: ${tp.focus[fi]} ${w()}`,
      text: sentences.join(' '),
      updatedAt: START + Math.floor(docRng.next() * SPAN_MS),
      entity,
      facts,
    });
    byTopic[ti].push(i);
    byFocus[ti][fi].push(i);
    focusOf.push(fi);
    topicOf.push(ti);
  }

  // Queries draw from their own stream: adding queries never changes the documents.
  const queryRng = createRng(mixSeed(spec.seed, 'corpus-queries'));
  const queries: CorpusQuery[] = [];
  for (let q = 0; q < spec.queries; q++) {
    const target = queryRng.int(0, documents.length - 1);
    const doc = documents[target];
    const tp = topics[topicOf[target]];
    const focus = tp.focus[focusOf[target]];
    const askCity = doc.facts.length > 1 && queryRng.next() < 0.5;
    const text = askCity
      ? `Where is the ${focus} company ${doc.entity} based?`
      : `When was the ${focus} company ${doc.entity} founded?`;
    const relevance: Record<string, RelevanceGrade> = { [doc.id]: 3 };
    judge(queryRng, byFocus[topicOf[target]][focusOf[target]], 2, relevance, documents);
    judge(queryRng, byTopic[topicOf[target]], 1, relevance, documents);
    queries.push({ id: `q${q}`, text, relevance, answer: doc.facts[askCity ? 1 : 0] });
  }
  return { documents, queries };
}

/** Judge up to 2 random documents of a pool at `grade` (never downgrading an earlier judgment). */
function judge(
  rng: Rng,
  pool: number[],
  grade: RelevanceGrade,
  relevance: Record<string, RelevanceGrade>,
  documents: CorpusDocument[],
): void {
  const wanted = rng.int(1, 2);
  for (let tries = 0, added = 0; added < wanted && tries < 6; tries++) {
    const id = documents[pool[rng.int(0, pool.length - 1)]].id;
    if (relevance[id] !== undefined) continue;
    relevance[id] = grade;
    added++;
  }
}

/**
 * The transaction this package's writes run in (snapshots, history, gc) is the services' one: one
 * pooled client, BEGIN / COMMIT, ROLLBACK on any error, the client released before the result is
 * used (@mlops-lab/services transaction.ts says why `fn` must query through its client).
 */
export { inTransaction } from '@mlops-lab/services';

/**
 * One way to name the field a JSON-schema (Ajv) error is about, for the server's 400 replies and the
 * model's own check alike: a missing or unknown property by its name, anything else by its path.
 */
export interface AjvIssue {
  instancePath?: string;
  message?: string;
  params?: Record<string, unknown>;
}

export function issueField(issue: AjvIssue): string {
  const named = issue.params?.missingProperty ?? issue.params?.additionalProperty;
  if (typeof named === 'string') return named;
  return issue.instancePath ? issue.instancePath.replace(/^\//, '').replaceAll('/', '.') : 'body';
}

// Sends an operation to the public API by its trusted-document id: queries
// as GET (`documentId` in the query string), mutations as POST. When the
// server does not know the id (an operation it has not registered yet, in
// `allow` mode) the text goes with the id once (APQ-style registration).
import { documents, type OperationName } from '../graphql/documents';

export const GRAPHQL_URL = '/graphql';

export interface GraphQLError {
  message: string;
  extensions?: { code?: string; [key: string]: unknown };
}

export interface GraphQLResponse<T = unknown> {
  data?: T | null;
  errors?: GraphQLError[];
  extensions?: Record<string, unknown>;
}

/** The raw answer: status and body text (urql parses it itself). */
export interface RawAnswer {
  status: number;
  text: string;
  body: GraphQLResponse | null;
}

const ACCEPT = 'application/graphql-response+json, application/json;q=0.9';

export function errorCodes(body: GraphQLResponse | null): string[] {
  return (body?.errors ?? []).map((e) => e.extensions?.code ?? '').filter(Boolean);
}

async function send(
  name: OperationName,
  variables: Record<string, unknown> | undefined,
  token: string | null,
  withText: boolean,
  signal?: AbortSignal,
): Promise<RawAnswer> {
  const doc = documents[name];
  const headers: Record<string, string> = { accept: ACCEPT };
  if (token) headers.authorization = `Bearer ${token}`;
  let response: Response;
  if (doc.kind === 'query' && !withText) {
    const params = new URLSearchParams({ documentId: `sha256:${doc.id}`, operationName: name });
    if (variables && Object.keys(variables).length) params.set('variables', JSON.stringify(variables));
    response = await fetch(`${GRAPHQL_URL}?${params.toString()}`, { headers, signal, cache: 'no-store' });
  } else {
    headers['content-type'] = 'application/json';
    const body: Record<string, unknown> = { documentId: `sha256:${doc.id}`, operationName: name, variables: variables ?? {} };
    if (withText) body.query = doc.text;
    response = await fetch(GRAPHQL_URL, { method: 'POST', headers, body: JSON.stringify(body), signal, cache: 'no-store' });
  }
  const text = await response.text();
  let parsed: GraphQLResponse | null = null;
  try {
    parsed = JSON.parse(text) as GraphQLResponse;
  } catch {
    parsed = null;
  }
  return { status: response.status, text, body: parsed };
}

/** One operation by id, registering its text if the server asks for it. */
export async function execute(
  name: OperationName,
  variables: Record<string, unknown> | undefined,
  token: string | null,
  signal?: AbortSignal,
): Promise<RawAnswer> {
  const answer = await send(name, variables, token, false, signal);
  if (errorCodes(answer.body).includes('PERSISTED_QUERY_NOT_FOUND')) {
    return send(name, variables, token, true, signal);
  }
  return answer;
}

export function isOperationName(name: unknown): name is OperationName {
  return typeof name === 'string' && Object.hasOwn(documents, name);
}

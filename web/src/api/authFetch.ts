// The `fetch` urql uses: it reads the operation urql would send, sends it
// by document id with the current access token, and on UNAUTHENTICATED
// refreshes (one refresh in flight) and retries once. urql then parses the
// answer as usual.
import { errorCodes, execute, isOperationName } from './transport';
import { session } from './session';

interface UrqlBody {
  operationName?: string;
  variables?: Record<string, unknown>;
}

function readOperation(input: RequestInfo | URL, init?: RequestInit): UrqlBody {
  if (typeof init?.body === 'string') return JSON.parse(init.body) as UrqlBody;
  const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url, location.href);
  const variables = url.searchParams.get('variables');
  return {
    operationName: url.searchParams.get('operationName') ?? undefined,
    variables: variables ? (JSON.parse(variables) as Record<string, unknown>) : undefined,
  };
}

export const authFetch: typeof fetch = async (input, init) => {
  const { operationName, variables } = readOperation(input, init);
  if (!isOperationName(operationName)) {
    throw new Error(`operation ${String(operationName)} is not a registered document`);
  }
  const signal = init?.signal ?? undefined;
  const token = await session.accessToken();
  let answer = await execute(operationName, variables, token, signal);
  if (token && errorCodes(answer.body).includes('UNAUTHENTICATED')) {
    const fresh = await session.refresh(token);
    answer = await execute(operationName, variables, fresh, signal);
  }
  return new Response(answer.text, {
    status: answer.status,
    headers: { 'content-type': 'application/json' },
  });
};

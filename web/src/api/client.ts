// The urql client: document cache, HTTP by document id (authFetch), and
// subscriptions through the live socket. One per signed-in session, so
// signing out drops everything cached.
import { Client, cacheExchange, fetchExchange, subscriptionExchange } from 'urql';
import { authFetch } from './authFetch';
import { live } from './live';
import { isOperationName } from './transport';

export function createApiClient(): Client {
  return new Client({
    url: '/graphql',
    fetch: authFetch,
    preferGetMethod: false,
    requestPolicy: 'cache-and-network',
    exchanges: [
      cacheExchange,
      fetchExchange,
      subscriptionExchange({
        forwardSubscription(request) {
          return {
            subscribe(sink) {
              const name = request.operationName;
              if (!isOperationName(name)) {
                sink.error(new Error(`subscription ${String(name)} is not a registered document`));
                return { unsubscribe() {} };
              }
              const unsubscribe = live.subscribe(name, request.variables ?? {}, {
                next: (value) => sink.next(value as Parameters<typeof sink.next>[0]),
              });
              return { unsubscribe };
            },
          };
        },
      }),
    ],
  });
}

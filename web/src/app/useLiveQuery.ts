// useQuery that refetches from the network whenever the server changed
// something (a write, a finished sync, a pushed alert).
import { useQuery, type AnyVariables, type UseQueryArgs } from 'urql';
import { useOn } from './events';

export function useLiveQuery<Data, Variables extends AnyVariables>(args: UseQueryArgs<Variables, Data>) {
  const [result, reexecute] = useQuery<Data, Variables>(args);
  useOn('data', () => reexecute({ requestPolicy: 'network-only' }));
  return [result, reexecute] as const;
}

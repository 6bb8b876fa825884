// What changed on the server, for the screens to refetch: `data` after any
// write or push, `synced` when an account's sync finished (the transaction
// list starts over). Also the last sync result of each account.
import { useEffect, useRef, useSyncExternalStore } from 'react';
import type { AccountSyncedSubscription } from '../graphql/generated';

type Topic = 'data' | 'synced';
const topics: Record<Topic, Set<() => void>> = { data: new Set(), synced: new Set() };

export function emit(topic: Topic): void {
  for (const l of [...topics[topic]]) l();
  if (topic === 'synced') emit('data');
}

export function useOn(topic: Topic, handler: () => void): void {
  const ref = useRef(handler);
  ref.current = handler;
  useEffect(() => {
    const l = () => ref.current();
    topics[topic].add(l);
    return () => {
      topics[topic].delete(l);
    };
  }, [topic]);
}

export type SyncEvent = AccountSyncedSubscription['accountSynced'];

let syncEvents: ReadonlyMap<string, SyncEvent> = new Map();
const syncListeners = new Set<() => void>();

export function recordSync(event: SyncEvent): void {
  const next = new Map(syncEvents);
  next.set(event.account.id, event);
  syncEvents = next;
  for (const l of [...syncListeners]) l();
}

export function useSyncEvents(): ReadonlyMap<string, SyncEvent> {
  return useSyncExternalStore(
    (l) => {
      syncListeners.add(l);
      return () => syncListeners.delete(l);
    },
    () => syncEvents,
  );
}

export function resetSyncEvents(): void {
  syncEvents = new Map();
}

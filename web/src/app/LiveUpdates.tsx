// The two subscriptions of a signed-in session: a finished sync refreshes
// what is on screen; a budget alert is a toast the moment it is pushed.
import { useSubscription } from 'urql';
import { AccountSyncedDocument, BudgetAlertsDocument } from '../graphql/generated';
import { useToasts } from '../components/Toasts';
import { categoryLabel } from '../lib/categories';
import { money } from '../lib/money';
import { emit, recordSync } from './events';

export function LiveUpdates() {
  const toasts = useToasts();
  useSubscription({ query: AccountSyncedDocument }, (_previous, data) => {
    recordSync(data.accountSynced);
    emit('synced');
    return data;
  });
  useSubscription({ query: BudgetAlertsDocument }, (_previous, data) => {
    const alert = data.budgetAlerts;
    const exceeded = alert.notification.kind === 'BUDGET_EXCEEDED';
    toasts.push({
      id: alert.notification.id,
      tone: 'alert',
      title: `${categoryLabel(alert.category)}: budget ${exceeded ? 'exceeded' : 'almost reached'}`,
      message: `${alert.notification.message} (spent ${money(alert.spent)} of ${money(alert.budgeted)})`,
    });
    emit('data');
    return data;
  });
  return null;
}

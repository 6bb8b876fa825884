// Inline category change: a labelled select, "remember for this
// merchant", Save / Cancel. Keyboard: Escape cancels.
import { useId, useState, type FormEvent } from 'react';
import { useMutation } from 'urql';
import { RecategorizeDocument, type Category } from '../graphql/generated';
import { CATEGORIES, categoryLabel } from '../lib/categories';
import { UserErrorText } from './UserErrors';

export interface CategoryEditorProps {
  transactionId: string;
  seller: string;
  category: Category;
  onDone(result: { category: Category; categorySource: string } | null): void;
}

export function CategoryEditor({ transactionId, seller, category, onDone }: CategoryEditorProps) {
  const [, recategorize] = useMutation(RecategorizeDocument);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const selectId = useId();
  const rememberId = useId();

  async function save(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setBusy(true);
    const result = await recategorize({
      input: {
        transactionId,
        category: String(form.get('category')) as Category,
        rememberForMerchant: form.get('remember') === 'on',
      },
    });
    setBusy(false);
    const payload = result.data?.setTransactionCategory;
    const message = payload?.userErrors[0]?.message ?? result.error?.message ?? null;
    if (message || !payload?.transaction) {
      setError(message ?? 'The category could not be changed.');
      return;
    }
    onDone(payload.transaction);
  }

  return (
    <form
      className="category-editor"
      onSubmit={save}
      onKeyDown={(e) => {
        if (e.key === 'Escape') onDone(null);
      }}
    >
      <label htmlFor={selectId}>
        Category for <span className="seller-name">{seller}</span>
      </label>
      <select id={selectId} name="category" defaultValue={category} autoFocus>
        {CATEGORIES.map((c) => (
          <option key={c} value={c}>
            {categoryLabel(c)}
          </option>
        ))}
      </select>
      <span className="check">
        <input id={rememberId} name="remember" type="checkbox" />
        <label htmlFor={rememberId}>Remember for this merchant</label>
      </span>
      <span className="editor-actions">
        <button type="submit" className="primary" disabled={busy}>
          Save
        </button>
        <button type="button" className="secondary" onClick={() => onDone(null)}>
          Cancel
        </button>
      </span>
      <UserErrorText message={error} />
    </form>
  );
}

// The categories, labelled. `Record<Category, …>` makes a category added to
// the schema a build error until it is labelled here.
import type { Category } from '../graphql/generated';

export const CATEGORY_LABELS: Record<Category, string> = {
  HOUSING: 'Housing',
  FOOD: 'Food',
  GAS: 'Gas',
  SHOPPING: 'Shopping',
  UTILITIES: 'Utilities',
  TRANSPORTATION: 'Transportation',
  HEALTH: 'Health',
  ENTERTAINMENT: 'Entertainment',
  TRAVEL: 'Travel',
  PERSONAL_CARE: 'Personal care',
  INCOME: 'Income',
  TRANSFER: 'Transfer',
  UNCATEGORIZED: 'Uncategorized',
};

export const CATEGORIES = Object.keys(CATEGORY_LABELS) as Category[];

/** One colour per spending category for the chart (not the only cue). */
export const CATEGORY_COLORS: Record<Category, string> = {
  HOUSING: '#1d4ed8',
  FOOD: '#c2410c',
  GAS: '#4d7c0f',
  SHOPPING: '#7e22ce',
  UTILITIES: '#0f766e',
  TRANSPORTATION: '#b45309',
  HEALTH: '#be123c',
  ENTERTAINMENT: '#a21caf',
  TRAVEL: '#0369a1',
  PERSONAL_CARE: '#57534e',
  INCOME: '#15803d',
  TRANSFER: '#64748b',
  UNCATEGORIZED: '#94a3b8',
};

export function categoryLabel(category: Category): string {
  return CATEGORY_LABELS[category];
}

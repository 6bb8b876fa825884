// Monthly spending by category as stacked bars (Chart.js, only the parts
// used are registered). The canvas is an image to assistive technology;
// the same numbers are in the table beside it.
import { useEffect, useRef } from 'react';
import { BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, Tooltip } from 'chart.js';
import type { Category } from '../graphql/generated';
import { CATEGORY_COLORS, categoryLabel } from '../lib/categories';
import { money, moneyWhole } from '../lib/money';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Legend, Tooltip);

export interface SpendingSeries {
  months: string[];
  labels: string[];
  categories: Category[];
  /** amounts[category][monthIndex] */
  amounts: Record<string, number[]>;
}

export function SpendingChart({ series, description }: { series: SpendingSeries; description: string }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const chart = useRef<Chart<'bar'> | null>(null);

  useEffect(() => {
    if (!canvas.current) return;
    const datasets = series.categories.map((c) => ({
      label: categoryLabel(c),
      data: series.amounts[c] ?? [],
      backgroundColor: CATEGORY_COLORS[c],
      borderWidth: 0,
    }));
    if (chart.current) {
      chart.current.data.labels = series.labels;
      chart.current.data.datasets = datasets;
      chart.current.update();
      return;
    }
    chart.current = new Chart(canvas.current, {
      type: 'bar',
      data: { labels: series.labels, datasets },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        scales: {
          x: { stacked: true },
          y: { stacked: true, ticks: { callback: (v) => moneyWhole(Number(v)) } },
        },
        plugins: {
          legend: { position: 'bottom', labels: { boxWidth: 12 } },
          tooltip: { callbacks: { label: (item) => `${item.dataset.label ?? ''}: ${money(String(item.parsed.y))}` } },
        },
      },
    });
  }, [series]);

  useEffect(
    () => () => {
      chart.current?.destroy();
      chart.current = null;
    },
    [],
  );

  return (
    <div className="chart-box">
      <canvas ref={canvas} role="img" aria-label={description} data-testid="spending-chart" />
    </div>
  );
}

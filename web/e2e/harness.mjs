// Steps with timings, a summary line, and everything a failure needs:
// the server's output tail and the browser console.
export class Harness {
  constructor() {
    this.results = [];
    this.console = [];
    this.violations = [];
    this.started = Date.now();
  }

  watch(page, label) {
    page.on('console', (msg) => {
      const line = `[${label}] ${msg.type()}: ${msg.text()}`;
      this.console.push(line);
      if (this.console.length > 300) this.console.shift();
      if (/Content[- ]Security[- ]Policy/i.test(msg.text())) this.violations.push(line);
    });
    page.on('pageerror', (error) => {
      const line = `[${label}] pageerror: ${error.stack ?? error.message}`;
      this.console.push(line);
      this.violations.push(line);
    });
  }

  async step(name, fn) {
    const t0 = Date.now();
    try {
      const detail = await fn();
      if (this.violations.length) throw new Error(`browser errors or CSP violations:\n${this.violations.join('\n')}`);
      const ms = Date.now() - t0;
      this.results.push({ name, ok: true, ms });
      console.log(`  ✓ ${name} (${(ms / 1000).toFixed(1)} s)${detail ? ` — ${detail}` : ''}`);
    } catch (error) {
      this.results.push({ name, ok: false, ms: Date.now() - t0, error });
      console.log(`  ✗ ${name}\n    ${String(error?.stack ?? error).split('\n').join('\n    ')}`);
      throw error;
    }
  }

  summary() {
    const passed = this.results.filter((r) => r.ok).length;
    const failed = this.results.length - passed;
    return { passed, failed, line: `${passed} passed, ${failed} failed` };
  }
}

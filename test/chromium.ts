/**
 * Chromium for the tests that drive a real browser (the viewer, the static site, `gymnast record`):
 * Debian's build at /usr/bin/chromium, or GYMNAST_CHROMIUM. Without it outside CI those tests are
 * skipped, saying why and how to install it; under CI (CI=true) they run, and fail: a browser test
 * that passes without a browser proves nothing.
 */
import { existsSync } from 'node:fs';
import { test } from 'uvu';

export const CHROMIUM = process.env.GYMNAST_CHROMIUM ?? '/usr/bin/chromium';
const IN_CI = Boolean(process.env.CI) && process.env.CI !== 'false';

/** `test`, or `test.skip` with the reason printed once; `missing` says what needs the browser. */
export function browserTests(what: string): { browserTest: typeof test | typeof test.skip; missing: string; skipped: boolean } {
  const missing = `${CHROMIUM} is missing: ${what} needs Debian's chromium (apt-get install -y chromium; .ci/run installs it)`;
  const skipped = !existsSync(CHROMIUM) && !IN_CI;
  if (skipped) console.log(`skipped: ${missing}`);
  return { browserTest: skipped ? test.skip : test, missing, skipped };
}

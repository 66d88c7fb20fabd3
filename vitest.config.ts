import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['src/**/*.test.ts', 'scripts/**/*.test.ts'],
          environment: 'node',
          // One database per worker process: files in a worker share modules (and so the open database).
          pool: 'forks',
          isolate: false,
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        // `npm run agent:build:check` (and the last step of `npm test`): builds the 证书助手's executables
        // (scripts/agent-build.mjs) and runs the Linux one; 2–3 minutes, node binaries cached after the first.
        test: {
          name: 'agent-build',
          include: ['scripts/agent-build.check.ts'],
          environment: 'node',
          testTimeout: 60_000,
          hookTimeout: 300_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['e2e/**/*.test.ts'],
          environment: 'node',
          pool: 'forks',
          // Browser tests share one server and one Chromium; run them one file at a time.
          fileParallelism: false,
          isolate: false,
          testTimeout: 90_000,
          hookTimeout: 120_000,
          // A page waits on the server (scrypt password hashing, PDF rendering): 1 s, vitest's default for
          // expect.poll, makes browser tests flaky on a busy 2-core machine.
          expect: { poll: { timeout: 15_000 } },
        },
      },
    ],
  },
});

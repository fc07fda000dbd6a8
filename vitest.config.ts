import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['hub-core/test/**/*.test.ts', 'renderer/test/**/*.test.ts', 'bench/test/**/*.test.ts'],
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'electron',
          include: ['electron/test/**/*.test.ts'],
          exclude: ['electron/test/packaging/**'],
          testTimeout: 30_000,
        },
      },
      {
        // Builds the app with electron-builder and launches it where an Electron binary exists: slow.
        test: {
          name: 'electron-packaging',
          include: ['electron/test/packaging/**/*.test.ts'],
          testTimeout: 600_000,
          hookTimeout: 600_000,
          fileParallelism: false,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['e2e/**/*.test.ts'],
          testTimeout: 240_000,
          hookTimeout: 240_000,
          // One engine, one hub port range: run e2e files one after another.
          fileParallelism: false,
        },
      },
    ],
  },
});

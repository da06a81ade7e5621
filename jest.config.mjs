/** Integration tests boot the real server on a real database; see test/helpers/store/inProcess.ts. */
export default {
  testEnvironment: 'node',
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  // TEST_SKIP_FILES=a,b leaves out test files whose names contain a or b (CI runs the files that
  // do not depend on the database kind on one database only, to stay within its time budget).
  testPathIgnorePatterns: [
    '/node_modules/',
    ...(process.env.TEST_SKIP_FILES ?? '')
      .split(',')
      .map((name) => name.trim())
      .filter(Boolean)
      .map((name) => name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')),
  ],
  extensionsToTreatAsEsm: ['.ts', '.tsx'],
  transform: {
    '^.+\\.(t|j)sx?$': [
      '@swc/jest',
      {
        jsc: { target: 'es2022', parser: { syntax: 'typescript', tsx: true } },
        module: { type: 'es6' },
      },
    ],
  },
  moduleNameMapper: { '^@payload-config$': '<rootDir>/payload.config.ts' },
  // Payload and its adapters keep timers and pool clients alive after destroy().
  forceExit: true,
  testEnvironmentOptions: { globalsCleanup: 'off' },
  testTimeout: 60_000,
  maxWorkers: 2,
  reporters: ['default', '<rootDir>/test/helpers/summaryReporter.cjs'],
}

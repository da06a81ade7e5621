/** Integration tests boot the real server on a real database; see test/helpers/server.ts. */
export default {
  testEnvironment: 'node',
  testMatch: ['<rootDir>/test/**/*.test.ts'],
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

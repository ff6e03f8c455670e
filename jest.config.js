/**
 * unit: specs beside the code; e2e: test/ on a real database; mysql: what only MySQL/MariaDB has (row
 * locks); redis: the multi-process scale-out suite.
 */
const tsJest = ['ts-jest', { tsconfig: 'tsconfig.json' }];
module.exports = {
  projects: [
    {
      displayName: 'unit',
      testEnvironment: 'node',
      rootDir: '.',
      testMatch: ['<rootDir>/src/**/*.spec.ts'],
      transform: { '^.+\\.ts$': tsJest },
    },
    {
      displayName: 'e2e',
      testEnvironment: 'node',
      rootDir: '.',
      testMatch: ['<rootDir>/test/*.e2e-spec.ts'],
      transform: { '^.+\\.ts$': tsJest },
      setupFilesAfterEnv: ['<rootDir>/test/setup-e2e.ts'],
    },
    {
      // MySQL/MariaDB only (row locks): run by .ci/run's MariaDB step with DATABASE_URL.
      displayName: 'mysql',
      testEnvironment: 'node',
      rootDir: '.',
      testMatch: ['<rootDir>/test/mysql/*.e2e-spec.ts'],
      transform: { '^.+\\.ts$': tsJest },
      setupFilesAfterEnv: ['<rootDir>/test/setup-e2e.ts'],
    },
    {
      // Several processes on MariaDB and Redis: run by .ci/run's Redis step with DATABASE_URL and REDIS_URL.
      displayName: 'redis',
      testEnvironment: 'node',
      rootDir: '.',
      testMatch: ['<rootDir>/test/redis/*.e2e-spec.ts'],
      transform: { '^.+\\.ts$': tsJest },
      setupFilesAfterEnv: ['<rootDir>/test/setup-e2e.ts'],
    },
  ],
};

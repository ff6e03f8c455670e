import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';
import importX, { createNodeResolver } from 'eslint-plugin-import-x';

/**
 * The house's drawing, held by the linter (docs/architecture.md shows it). Each entry: the files it
 * covers, and the folders those files must not import (type-only imports aside). Entry files —
 * main.ts, worker.ts, the app and worker modules, cli/, deliveries.module.ts and the delivery thread's
 * own entry — wire everything and are not listed.
 */
const PIPELINE_STAGES = {
  transports: '**/deliveries/transports/**',
  log: '**/deliveries/log/**',
  attempt: '**/deliveries/attempt/**',
  outcomes: '**/deliveries/outcomes/**',
  fanOut: '**/deliveries/fan-out/**',
  pacing: '**/deliveries/pacing/**',
};
const ENTRY_FILES = [
  '**/app.module',
  '**/worker.module',
  '**/main',
  '**/worker',
  '**/cli/**',
  '**/deliveries.module',
];
const borders = [
  {
    name: 'features and foundations know nothing of webhooks or the pipeline',
    files: [
      'src/{tickets,auth,departments,audit,audit-log,events,database,config,common,secrets,network,logging,metrics,health,console}/**/*.ts',
    ],
    forbid: ['**/webhooks/**', '**/deliveries/**'],
  },
  {
    name: 'telemetry is a foundation: it knows nothing of webhooks or the pipeline, and only otel-spans.ts (loaded lazily) touches OpenTelemetry',
    files: ['src/telemetry/**/*.ts'],
    except: ['src/telemetry/otel-spans.ts'],
    forbid: ['**/webhooks/**', '**/deliveries/**', '@opentelemetry/*', '**/otel-spans'],
  },
  {
    name: 'webhook settings never reach into the delivery pipeline (it listens to their events)',
    files: ['src/webhooks/**/*.ts'],
    forbid: ['**/deliveries/**'],
  },
  {
    name: 'the first stages (entities, outbox, leases, store) come before fan-out, outcomes and the rest',
    files: [
      'src/deliveries/{entities,events,outbox,leases,store}/**/*.ts',
      'src/deliveries/retry-policy.ts',
    ],
    forbid: Object.values(PIPELINE_STAGES),
  },
  {
    name: 'pacing is asked by the attempt and told by outcomes; it knows no later stage',
    files: ['src/deliveries/pacing/**/*.ts'],
    forbid: Object.values(PIPELINE_STAGES).filter((stage) => stage !== PIPELINE_STAGES.pacing),
  },
  {
    name: 'fan-out hands deliveries to the transport contract (transports/delivery-queue.ts) only',
    files: ['src/deliveries/fan-out/**/*.ts'],
    forbid: [
      PIPELINE_STAGES.log,
      PIPELINE_STAGES.attempt,
      PIPELINE_STAGES.outcomes,
      PIPELINE_STAGES.pacing,
      '**/deliveries/transports/*/**',
    ],
  },
  {
    name: 'outcomes record what an attempt came to; they never start one',
    files: ['src/deliveries/outcomes/**/*.ts'],
    forbid: [PIPELINE_STAGES.transports, PIPELINE_STAGES.log, PIPELINE_STAGES.attempt],
  },
  {
    name: 'an attempt knows no transport and no admin API',
    files: ['src/deliveries/attempt/**/*.ts'],
    forbid: [PIPELINE_STAGES.transports, PIPELINE_STAGES.log],
  },
  {
    name: 'the delivery log and admin API know no transport',
    files: ['src/deliveries/log/**/*.ts'],
    forbid: [PIPELINE_STAGES.transports],
  },
];

const bordersConfig = borders.map(({ name, files, forbid, except = [] }) => ({
  name: `borders: ${name}`,
  files,
  ignores: [
    '**/*.spec.ts',
    'src/deliveries/transports/thread/{thread-main,delivery-thread.module}.ts',
    ...except,
  ],
  rules: {
    '@typescript-eslint/no-restricted-imports': [
      'error',
      {
        patterns: [
          { group: forbid, allowTypeImports: true, message: `Borders run one way: ${name}.` },
          {
            group: ENTRY_FILES,
            allowTypeImports: true,
            message: 'Only entry files wire modules together.',
          },
        ],
      },
    ],
  },
}));

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'node_modules/**',
      'data/**',
      'coverage/**',
      'eslint.config.mjs',
      'jest.config.js',
    ],
  },
  eslint.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  prettier,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
      '@typescript-eslint/no-extraneous-class': 'off',
      '@typescript-eslint/unbound-method': 'off',
    },
  },
  {
    name: 'no import cycles between source files (type-only imports aside); files stay readable',
    files: ['src/**/*.ts'],
    ignores: ['**/*.spec.ts'],
    plugins: { 'import-x': importX },
    settings: {
      'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.js'] })],
      'import-x/extensions': ['.ts', '.js'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
    },
    rules: {
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      'max-lines': ['error', { max: 300, skipBlankLines: true, skipComments: true }],
    },
  },
  ...bordersConfig,
  {
    name: 'unit specs stand beside their code and never import the e2e suite',
    files: ['src/**/*.spec.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        { patterns: [{ group: ['**/test/**'], message: 'Unit specs do not import from test/.' }] },
      ],
    },
  },
  {
    files: ['test/**/*.ts', '**/*.spec.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
);

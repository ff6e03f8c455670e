// e2e tests boot apps, start receivers and wait on retries: give them more than jest's default 5 s.
jest.setTimeout(60_000);

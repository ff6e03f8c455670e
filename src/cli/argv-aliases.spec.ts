import { rewriteAliases } from './argv-aliases';

describe('rewriteAliases', () => {
  it('maps the guide forms onto subcommands, whatever the flag order', () => {
    expect(rewriteAliases(['--migration-do'])).toEqual(['migrate']);
    expect(rewriteAliases(['--generate-webhook', '--url', 'http://x', '--send'])).toEqual([
      'generate-webhook',
      '--url',
      'http://x',
      '--send',
    ]);
    expect(rewriteAliases(['--url', 'http://x', '--send', '--generate-webhook'])).toEqual([
      'generate-webhook',
      '--url',
      'http://x',
      '--send',
    ]);
    expect(rewriteAliases(['--create-admin', '--email', 'a@b.c'])).toEqual([
      'user:create',
      '--admin',
      '--email',
      'a@b.c',
    ]);
  });

  it('leaves plain subcommands alone', () => {
    expect(rewriteAliases(['migrate:status'])).toEqual(['migrate:status']);
  });
});

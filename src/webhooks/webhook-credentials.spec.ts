import { restoreMasked } from './masked-input';
import {
  MASKED,
  maskHeaders,
  maskUrl,
  urlHasCredentials,
  urlSearchForm,
  urlWithoutCredentials,
} from './webhook-credentials';

const M = MASKED;

describe('webhook credentials', () => {
  it.each([
    ['https://example.com/hook', 'https://example.com/hook'],
    ['https://user:pw@example.com/hook', `https://${M}:${M}@example.com/hook`],
    ['https://token@example.com/hook', `https://${M}@example.com/hook`],
    [
      'https://example.com/h?api_key=k1&channel=support&access_token=t2&sig=abc',
      `https://example.com/h?api_key=${M}&channel=support&access_token=${M}&sig=${M}`,
    ],
    // A value that looks like a key is masked whatever its name; a short plain one is not.
    [
      'https://example.com/h?x=Ab3dE5fG7hJ9kL2mN4pQ6r&page=2',
      `https://example.com/h?x=${M}&page=2`,
    ],
    ['https://example.com/h?code=abc#access_token=t', `https://example.com/h?code=${M}#${M}`],
    ['https://example.com/h?flag&a=1&&b=2', 'https://example.com/h?flag&a=1&&b=2'],
  ])('masks %s', (url, expected) => {
    expect(maskUrl(url)).toBe(expected);
  });

  it('says which URLs to encrypt: any with user info, query or fragment', () => {
    expect(urlHasCredentials('https://example.com/hook')).toBe(false);
    expect(urlHasCredentials('https://u:p@example.com/hook')).toBe(true);
    expect(urlHasCredentials('https://example.com/hook?channel=support')).toBe(true);
    expect(urlHasCredentials('https://example.com/hook#x')).toBe(true);
  });

  it('takes every credential out of a URL for alerts', () => {
    expect(urlWithoutCredentials('https://u:p@example.com:8443/a/b?key=k#f')).toBe(
      'https://example.com:8443/a/b',
    );
  });

  it('masks every header value', () => {
    expect(maskHeaders({ Authorization: 'Bearer x', 'X-Team': 'a' })).toEqual({
      Authorization: M,
      'X-Team': M,
    });
    expect(maskHeaders(null)).toBeNull();
  });

  it('searches a URL as views show it, in lower case, with no credential in it', () => {
    const form = urlSearchForm(
      'https://Bot:S3cret@Hooks.Example.com/In/Box?api_key=KEY-1&team=Ops#frag',
    );
    expect(form).toBe(`https://${M}:${M}@hooks.example.com/in/box?api_key=${M}&team=ops#${M}`);
    expect(form).not.toMatch(/s3cret|key-1|frag/);
    expect(urlSearchForm(`https://example.com/${'a'.repeat(3000)}`)).toHaveLength(2048);
  });

  describe('restoreMasked', () => {
    const current = {
      url: 'https://u:secret@example.com/h?api_key=k&c=1',
      headers: { Authorization: 'Bearer t', 'X-Team': 'a' },
    };

    it('puts back what was read masked and sent back unchanged', () => {
      const input = {
        url: maskUrl(current.url),
        headers: { Authorization: M, 'X-Team': 'b' },
        name: 'n',
      };
      expect(restoreMasked(input, current)).toEqual({
        url: current.url,
        headers: { Authorization: 'Bearer t', 'X-Team': 'b' },
        name: 'n',
      });
    });

    it('leaves real values alone', () => {
      const input = { url: 'https://other.example.com/h', headers: { A: 'b' } };
      expect(restoreMasked(input, current)).toEqual(input);
    });

    it('refuses a masked value that stands for nothing stored, naming the field', () => {
      expect(() => restoreMasked({ url: `https://${M}@evil.example.com/h` }, current)).toThrow(
        /url holds masked values/,
      );
      expect(() => restoreMasked({ headers: { 'X-New': M } }, current)).toThrow(
        /headers X-New is masked/,
      );
    });
  });
});

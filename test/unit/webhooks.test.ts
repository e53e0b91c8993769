import { HttpWebhookSender } from '../../shared/adapters/webhooks/http-webhook-sender';
import { forbiddenAddress, WebhookRefusedError, webhookUrlIssues } from '../../shared/domain/webhooks';
import { signatureHeader, verifySignature } from '../../shared/services/webhook-signature';

describe('addresses a webhook may not reach (SSRF)', () => {
  test.each([
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.10', 'private'],
    ['127.0.0.1', 'loopback'],
    ['127.9.9.9', 'loopback'],
    ['169.254.169.254', 'link-local (instance metadata)'],
    ['169.254.0.1', 'link-local (instance metadata)'],
    ['0.0.0.0', 'unspecified'],
    ['100.64.0.1', 'shared address space'],
    ['224.0.0.1', 'multicast'],
    ['255.255.255.255', 'reserved'],
    ['::1', 'loopback'],
    ['::', 'unspecified'],
    ['fd00::1', 'unique-local'],
    ['fc12:3456::1', 'unique-local'],
    ['fe80::1', 'link-local'],
    ['fe80::1%eth0', 'link-local'],
    ['ff02::1', 'multicast'],
    ['::ffff:169.254.169.254', 'link-local (instance metadata)'],
    ['::ffff:a9fe:a9fe', 'link-local (instance metadata)'],
    ['::ffff:10.0.0.1', 'private'],
    ['64:ff9b::7f00:1', 'loopback'],
    ['2002:0a00:0001::1', 'private'],
    ['fd00:ec2::254', 'unique-local'],
  ])('%s is refused (%s)', (ip, why) => {
    expect(forbiddenAddress(ip)).toBe(why);
  });

  test.each(['93.184.216.34', '8.8.8.8', '172.32.0.1', '169.255.0.1', '2606:4700:4700::1111', '2a00:1450:4001:81c::200e', '::ffff:8.8.8.8'])('%s is public', (ip) => {
    expect(forbiddenAddress(ip)).toBeUndefined();
  });

  test.each(['', 'example.com', '1.2.3', '1.2.3.256', '1::2::3', 'gggg::1'])('%j is not an address, so refused', (text) => {
    expect(forbiddenAddress(text)).toBe('not an IP address');
  });
});

describe('webhook URLs by their text', () => {
  test.each([
    ['strict', 'https://hooks.example.com/x', []],
    ['strict', 'http://hooks.example.com/x', ['must use https']],
    ['strict', 'http://127.0.0.1:8080/x', ['must use https']],
    ['local', 'http://127.0.0.1:8080/x', []],
    ['local', 'http://localhost:8080/x', []],
    ['local', 'http://[::1]:8080/x', []],
    ['local', 'http://10.0.0.5/x', ['must use https (plain http only to localhost or 127.0.0.1)']],
    ['strict', 'ftp://hooks.example.com/x', ['must use https']],
    ['strict', 'https://user:pw@hooks.example.com/x', ['must not carry credentials']],
    ['strict', 'https://hooks.example.com/x#part', ['must not have a fragment']],
    ['strict', 'hooks.example.com/x', ['must be an absolute URL']],
  ] as const)('%s: %s', (policy, url, messages) => {
    expect(webhookUrlIssues(url, policy)).toEqual(messages.map((message) => ({ path: 'url', message })));
  });
});

describe('registration and delivery checks of the HTTP sender (resolver faked: no network)', () => {
  const sender = (answers: Record<string, string[]>, policy: 'strict' | 'local' = 'strict') =>
    new HttpWebhookSender({ policy, resolve: async (host) => (answers[host] ?? []).map((address) => ({ address, family: address.includes(':') ? 6 : 4 })) });

  test('a host is refused when any of its addresses is forbidden', async () => {
    const check = sender({ 'ok.example': ['93.184.216.34'], 'mixed.example': ['93.184.216.34', '10.0.0.8'], 'none.example': [] });
    expect(await check.refusal('https://ok.example/hook')).toBeUndefined();
    expect(await check.refusal('https://mixed.example/hook')).toBe('mixed.example resolves to 10.0.0.8, a private address');
    expect(await check.refusal('https://none.example/hook')).toBe('none.example resolves to no address');
    expect(await check.refusal('https://169.254.169.254/latest/meta-data/')).toBe(
      '169.254.169.254 resolves to 169.254.169.254, a link-local (instance metadata) address',
    );
    expect(await check.refusal('https://[fd00:ec2::254]/')).toBe('fd00:ec2::254 resolves to fd00:ec2::254, a unique-local address');
    expect(await check.refusal('https://localhost/hook')).toBe('localhost resolves to no address');
    expect(await sender({ localhost: ['127.0.0.1'] }).refusal('https://localhost/hook')).toBe('localhost resolves to 127.0.0.1, a loopback address');
  });

  test('the local policy lets this machine through by name only; other private hosts stay refused', async () => {
    const check = sender({ 'lan.example': ['192.168.1.20'] }, 'local');
    expect(await check.refusal('http://127.0.0.1:9000/hook')).toBeUndefined();
    expect(await check.refusal('http://localhost:9000/hook')).toBeUndefined();
    expect(await check.refusal('https://lan.example/hook')).toBe('lan.example resolves to 192.168.1.20, a private address');
  });

  test('a post to a forbidden IP literal is refused before any connection', async () => {
    await expect(sender({}).post('https://10.0.0.1/hook', '{}', {})).rejects.toBeInstanceOf(WebhookRefusedError);
    await expect(sender({}).post('http://93.184.216.34/hook', '{}', {})).rejects.toThrow('must use https');
  });
});

describe('delivery signatures', () => {
  test('HMAC-SHA256 over "<timestamp>.<body>", hex, with the timestamp in the header; verified within the tolerance only', () => {
    const header = signatureHeader('whsec_test', 1_767_000_000, '{"a":1}');
    // The vector was computed apart (Python's hmac module), not by this code.
    expect(header).toBe('t=1767000000,v1=6f24603708a54226f383774b9189a74c5efa08084f57a6abbb81f529cbfe14bb');
    expect(verifySignature('whsec_test', header, '{"a":1}', 1_767_000_100)).toBe(true);
    expect(verifySignature('whsec_test', header, '{"a":2}', 1_767_000_100)).toBe(false);
    expect(verifySignature('whsec_other', header, '{"a":1}', 1_767_000_100)).toBe(false);
    expect(verifySignature('whsec_test', header, '{"a":1}', 1_767_000_301)).toBe(false);
    expect(verifySignature('whsec_test', 'garbage', '{"a":1}', 1_767_000_100)).toBe(false);
  });
});

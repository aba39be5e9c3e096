// Per-entity detection: every entity type found in its usual spellings (positive) and left alone
// when the format or the checksum says it is not one (negative).
import { describe, expect, it } from 'vitest';
import { compileConfig } from '../../processors/redaction/config.ts';
import { ENTITY_TYPES, type EntityType } from '../../processors/redaction/entities.ts';
import { redactText } from '../../processors/redaction/scan.ts';
import { icaoCheckDigit, ibanValid, luhnValid, nirValid, ninoValid, ssnValid, verhoeffValid } from '../../processors/redaction/validators.ts';

const all = compileConfig({});
const red = (s: string) => redactText(s, all).text;

/** Asserts `value` inside `text` is replaced by the tag of `type` and does not survive. */
function found(type: EntityType, text: string, value: string) {
  const out = red(text);
  expect(out, `${type} in ${JSON.stringify(text)} -> ${JSON.stringify(out)}`).toContain(`<${type}>`);
  expect(out).not.toContain(value);
}

/** Asserts `value` survives and no tag of `type` was produced. */
function notFound(type: EntityType, text: string, value = text) {
  const out = red(text);
  expect(out, `${type} in ${JSON.stringify(text)} -> ${JSON.stringify(out)}`).not.toContain(`<${type}>`);
  expect(out).toContain(value);
}

describe('redaction detectors', () => {
  it('has a detector for every entity type', () => {
    expect(all.detectors.map((d) => d.type).sort()).toEqual([...ENTITY_TYPES].sort());
  });

  it('EMAIL_ADDRESS', () => {
    found('EMAIL_ADDRESS', 'write to john.doe+ai@example.co.uk today', 'john.doe+ai@example.co.uk');
    found('EMAIL_ADDRESS', '<a@b.io>', 'a@b.io');
    expect(red('a@b.com,c@d.org')).toBe('<EMAIL_ADDRESS>,<EMAIL_ADDRESS>');
    for (const s of ['a@b', 'user@localhost', '@example.com', 'foo@bar.c', 'foo@-bar.com', 'x@1.2']) notFound('EMAIL_ADDRESS', s);
  });

  it('PHONE_NUMBER: international and national formats', () => {
    found('PHONE_NUMBER', 'call +1 (415) 555-0132 now', '555-0132');
    found('PHONE_NUMBER', 'call +44 20 7946 0958', '7946 0958');
    found('PHONE_NUMBER', 'whatsapp +919876543210', '9876543210');
    found('PHONE_NUMBER', 'US (212) 555-0199', '555-0199');
    found('PHONE_NUMBER', 'US 212-555-0199', '555-0199');
    found('PHONE_NUMBER', 'UK 020 7946 0958', '7946 0958');
    found('PHONE_NUMBER', 'UK mobile 07700 900123', '900123');
    found('PHONE_NUMBER', 'DE 030 12345678', '12345678');
    found('PHONE_NUMBER', 'FR 01 23 45 67 89', '45 67 89');
    found('PHONE_NUMBER', 'phone: 4155550132', '4155550132');
    for (const s of ['version 1.2.3', 'on 2024-01-15', 'order 12345', 'ticket 0012-3456', 'value +1234', 'id 123-45-6789-0']) notFound('PHONE_NUMBER', s);
  });

  it('CREDIT_CARD: Luhn and scheme prefixes', () => {
    found('CREDIT_CARD', 'visa 4111 1111 1111 1111', '1111 1111 1111 1111');
    found('CREDIT_CARD', 'mc 5555-5555-5555-4444', '5555-5555-5555-4444');
    found('CREDIT_CARD', 'amex 378282246310005', '378282246310005');
    found('CREDIT_CARD', 'disc 6011111111111117.', '6011111111111117');
    notFound('CREDIT_CARD', 'bad luhn 4111 1111 1111 1112', '4111 1111 1111 1112');
    notFound('CREDIT_CARD', 'no scheme 1234 5678 9012 3452', '1234 5678 9012 3452'); // Luhn-valid, no issuer
    notFound('CREDIT_CARD', 'zeros 0000 0000 0000 0000', '0000 0000 0000 0000');
    notFound('CREDIT_CARD', 'mixed 4111 1111-1111 1111', '4111 1111-1111 1111');
    expect(luhnValid('4111111111111111')).toBe(true);
    expect(luhnValid('4111111111111112')).toBe(false);
  });

  it('IBAN: length per country and mod-97', () => {
    found('IBAN', 'pay DE89 3704 0044 0532 0130 00 please', '0532 0130 00');
    found('IBAN', 'GB82WEST12345698765432', 'GB82WEST12345698765432');
    found('IBAN', 'FR1420041010050500013M02606 ok', 'FR1420041010050500013M02606');
    found('IBAN', 'to DE89 3704 0044 0532 0130 00 AND more', '0532 0130');
    found('IBAN', 'typed de89 3704 0044 0532 0130 00', '0532 0130 00');
    notFound('IBAN', 'bad DE89 3704 0044 0532 0130 01', 'DE89 3704 0044 0532 0130 01');
    notFound('IBAN', 'GB82WEST12345698765431', 'GB82WEST12345698765431');
    notFound('IBAN', 'length DE89370400440532013000123', 'DE89370400440532013000123');
    expect(ibanValid('NL91ABNA0417164300')).toBe(true);
    expect(ibanValid('NL91ABNA0417164301')).toBe(false);
  });

  it('US_SSN: valid ranges only; 9 plain digits only after a keyword', () => {
    found('US_SSN', 'SSN 123-45-6789', '123-45-6789');
    found('US_SSN', 'ssn 123 45 6789', '123 45 6789');
    found('US_SSN', 'social security number: 123456789', '123456789');
    for (const bad of ['000-12-3456', '666-12-3456', '900-12-3456', '999-12-3456', '123-00-4567', '123-45-0000']) {
      notFound('US_SSN', `SSN ${bad}`, bad);
      expect(red(`SSN ${bad}`)).toBe(`SSN ${bad}`);
    }
    notFound('US_SSN', 'order 123456789', '123456789');
    notFound('US_SSN', 'ssn: 666456789', '666456789');
    expect(ssnValid('123', '45', '6789')).toBe(true);
    expect(ssnValid('899', '45', '6789')).toBe(true);
    expect(ssnValid('900', '45', '6789')).toBe(false);
  });

  it('IP_ADDRESS: IPv4 and IPv6', () => {
    found('IP_ADDRESS', 'from 192.168.1.10.', '192.168.1.10');
    found('IP_ADDRESS', 'from 8.8.8.8:53', '8.8.8.8');
    found('IP_ADDRESS', 'v6 2001:db8::8a2e:370:7334 ok', '2001:db8::8a2e:370:7334');
    found('IP_ADDRESS', 'v6 2001:0db8:85a3:0000:0000:8a2e:0370:7334', '2001:0db8:85a3');
    found('IP_ADDRESS', 'link fe80::1%eth0', 'fe80::1');
    found('IP_ADDRESS', 'mapped ::ffff:192.0.2.128', '192.0.2.128');
    found('IP_ADDRESS', 'loopback ::1', '::1');
    for (const s of ['999.1.1.1', '1.2.3', '1.2.3.4.5', 'std::vector', 'a::b', '12:30:45', 'Foo::Bar::baz']) notFound('IP_ADDRESS', s);
  });

  it('DATE_OF_BIRTH: only in context', () => {
    found('DATE_OF_BIRTH', 'DOB: 1985-03-12', '1985-03-12');
    found('DATE_OF_BIRTH', 'Date of birth is 12/03/1985.', '12/03/1985');
    found('DATE_OF_BIRTH', 'I was born on March 12, 1985', 'March 12, 1985');
    found('DATE_OF_BIRTH', 'born 12th of March 1985', '12th of March 1985');
    found('DATE_OF_BIRTH', 'Geburtsdatum: 12.03.1985', '12.03.1985');
    notFound('DATE_OF_BIRTH', 'meeting on 1985-03-12', '1985-03-12');
    notFound('DATE_OF_BIRTH', 'DOB: unknown');
  });

  it('PASSPORT_NUMBER: in context, any country', () => {
    found('PASSPORT_NUMBER', 'passport number: X1234567', 'X1234567'); // IN
    found('PASSPORT_NUMBER', 'US passport 123456789', '123456789');
    found('PASSPORT_NUMBER', 'Reisepass Nr. C01X00T47', 'C01X00T47'); // DE
    found('PASSPORT_NUMBER', 'passeport 12AB34567', '12AB34567'); // FR
    notFound('PASSPORT_NUMBER', 'my passport is valid');
    notFound('PASSPORT_NUMBER', 'X1234567 is a part number', 'X1234567');
  });

  it('UK_NINO with the HMRC prefix rules', () => {
    found('UK_NINO', 'NI AB123456C', 'AB123456C');
    found('UK_NINO', 'NI AB 12 34 56 C', 'AB 12 34 56 C');
    for (const bad of ['BG123456C', 'GB123456C', 'DA123456C', 'AO123456C', 'AB123456E']) notFound('UK_NINO', `NI ${bad}`, bad);
    expect(ninoValid('QQ123456C')).toBe(false);
  });

  it('DE_ID_CARD in context, with the ICAO check digit when present', () => {
    found('DE_ID_CARD', 'Personalausweis: T22000129', 'T22000129');
    found('DE_ID_CARD', 'Ausweisnummer T220001293', 'T220001293');
    notFound('DE_ID_CARD', 'Ausweisnummer T220001294', 'T220001294');
    notFound('DE_ID_CARD', 'code T22000129', 'T22000129');
    expect(icaoCheckDigit('T22000129')).toBe(3);
  });

  it('FR_NIR with its key', () => {
    found('FR_NIR', 'NIR 1 85 05 78 006 084 91', '006 084 91');
    found('FR_NIR', 'sécu 185057800608491', '185057800608491');
    notFound('FR_NIR', 'sécu 185057800608492', '185057800608492');
    expect(nirValid('185057800608491')).toBe(true);
  });

  it('IN_AADHAAR with Verhoeff; plain 12 digits only in context', () => {
    found('IN_AADHAAR', 'Aadhaar 2341 2341 2346', '2341 2341 2346');
    found('IN_AADHAAR', 'aadhaar no: 234123412346', '234123412346');
    notFound('IN_AADHAAR', 'Aadhaar 2341 2341 2345', '2341 2341 2345');
    notFound('IN_AADHAAR', 'id 234123412346', '234123412346');
    notFound('IN_AADHAAR', 'Aadhaar 1341 2341 2346', '1341 2341 2346');
    expect(verhoeffValid('2363')).toBe(true);
  });

  it('IN_PAN', () => {
    found('IN_PAN', 'PAN ABCPE1234F', 'ABCPE1234F');
    notFound('IN_PAN', 'PAN ABCXE1234F', 'ABCXE1234F');
    notFound('IN_PAN', 'pan abcpe1234f', 'abcpe1234f');
  });

  it('STREET_ADDRESS', () => {
    found('STREET_ADDRESS', 'I live at 221B Baker Street, London', '221B Baker Street');
    found('STREET_ADDRESS', 'ship to 1600 Pennsylvania Avenue NW, Apt 4', '1600 Pennsylvania Avenue');
    found('STREET_ADDRESS', 'at 42 Wallaby Way.', '42 Wallaby Way');
    found('STREET_ADDRESS', 'Hauptstraße 12, Berlin', 'Hauptstraße 12');
    found('STREET_ADDRESS', 'Berliner Straße 5a', 'Berliner Straße 5a');
    found('STREET_ADDRESS', 'au 12 rue de la Paix', 'rue de la Paix');
    for (const s of ['I have 3 Big Dogs', '2024 Annual Report', 'room 101 on the Main floor']) notFound('STREET_ADDRESS', s);
  });

  it('PERSON: names in context only', () => {
    found('PERSON', 'Hi, my name is Jane Smith.', 'Jane Smith');
    found('PERSON', 'Dear Dr. John O\'Neil,', "John O'Neil");
    found('PERSON', 'Thanks for the help.\n\nBest regards,\nAlice Cooper\nACME Corp', 'Alice Cooper');
    found('PERSON', 'Cheers,\nBob', 'Bob');
    found('PERSON', 'Full name: Émile Zola', 'Émile Zola');
    for (const s of ['Dear Sir,', 'Dear Valued Customer,', 'Hello World', 'my name is not important', 'Alice Cooper wrote a song']) notFound('PERSON', s);
  });

  it('provider secrets', () => {
    const cases: [EntityType, string][] = [
      ['OPENAI_API_KEY', 'sk-proj-abc123DEF456ghi789JKL012mno345PQR'],
      ['OPENAI_API_KEY', 'sk-' + 'a1B2c3D4e5F6g7H8i9J0'.repeat(2) + 'k1L2m3N4'],
      ['ANTHROPIC_API_KEY', 'sk-ant-api03-' + 'Ab1_Cd2-Ef3'.repeat(8) + 'AA'],
      ['AWS_ACCESS_KEY_ID', 'AKIAIOSFODNN7EXAMPLE'],
      ['AWS_ACCESS_KEY_ID', 'ASIAY34FZKBOKMUTVV7A'],
      ['GITHUB_TOKEN', 'ghp_' + 'a1B2c3D4e5F6'.repeat(3)],
      ['GITHUB_TOKEN', 'gho_' + 'Z9y8X7w6V5u4'.repeat(3)],
      ['GITHUB_TOKEN', 'github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ012345'],
      ['SLACK_TOKEN', 'xoxb-1234567890-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx'],
      ['SLACK_TOKEN', 'xoxp-1234567890-abcdefghij'],
      ['SLACK_WEBHOOK_URL', 'https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX'],
      ['STRIPE_KEY', 'sk_live_' + '4eC39HqLyjWDarjtT1zdp7dc'],
      ['STRIPE_KEY', 'rk_test_' + '4eC39HqLyjWDarjtT1zdp7dc'],
      ['STRIPE_KEY', 'pk_live_' + '4eC39HqLyjWDarjtT1zdp7dc'],
      ['GOOGLE_API_KEY', 'AIzaSyA-1234567890abcdefghijklmnopqrstu'],
    ];
    for (const [type, secret] of cases) {
      found(type, `key: "${secret}"`, secret);
      found(type, `export X=${secret}\n`, secret);
    }
    for (const s of ['sk-short', 'task-force-alpha-bravo-charlie-delta', 'AKIA1234', 'ghp_short', 'xoxb-abc', 'AIzaShort', 'risk-assessment-document-for-the-board-2024']) {
      const out = red(s);
      expect(out, s).toBe(s);
    }
  });

  it('JWT: the header must decode to JSON with alg', () => {
    const jwt = 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIn0.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c';
    found('JWT', `Authorization: Bearer ${jwt}`, 'SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c');
    expect(red(`token ${jwt} end`)).toBe('token <JWT> end');
    const noAlg = Buffer.from('{"typ":"JWT"}').toString('base64url') + '.eyJzdWIiOiIxIn0.abc';
    notFound('JWT', `t ${noAlg}`, noAlg);
    notFound('JWT', 'eyJnotbase64.eyJx.y', 'eyJnotbase64.eyJx.y');
  });

  it('PRIVATE_KEY blocks, whole or cut off', () => {
    const pem = '-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA3Tz2mr7SZiAMfQyuvBjM9Oi\nZ1BXBhn0VXAB==\n-----END RSA PRIVATE KEY-----';
    expect(red(`key:\n${pem}\nnext`)).toBe('key:\n<PRIVATE_KEY>\nnext');
    expect(red('-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA')).toBe('<PRIVATE_KEY>');
    expect(red('-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----')).toBe('<PRIVATE_KEY>');
    notFound('PRIVATE_KEY', '-----BEGIN PUBLIC KEY-----\nMIIBIjANBg\n-----END PUBLIC KEY-----');
  });

  it('GENERIC_SECRET: high-entropy values next to key-like names; passwords always', () => {
    expect(red('api_key=Zx9Qp2Lm7Rt4Vb8N')).toBe('api_key=<GENERIC_SECRET>');
    expect(red('{"client_secret": "aB3dE5fG7hJ9kL1m"}')).toBe('{"client_secret": "<GENERIC_SECRET>"}');
    expect(red('password: hunter22')).toBe('password: <GENERIC_SECRET>');
    expect(red('password = "correct horse battery staple" ok')).toBe('password = "<GENERIC_SECRET>" ok');
    expect(red("secret: 'aB3dE5fG7hJ9kL1m'")).toBe("secret: '<GENERIC_SECRET>'");
    expect(red('DB_PASSWORD=hunter22')).toBe('DB_PASSWORD=<GENERIC_SECRET>');
    expect(red('Authorization: Bearer a8f5f167f44f4964e6c998dee827110c')).toBe('Authorization: Bearer <GENERIC_SECRET>');
    expect(red('postgres://app:s3cretPw@db:5432/x')).toBe('postgres://app:<GENERIC_SECRET>@db:5432/x');
    for (const s of ['token: abc', 'api_key=${env:API_KEY}', 'password: ****', 'secret = aaaaaaaaaaaaaaaa', 'max_tokens: 4096', 'input_tokens=120', 'token_count=12345678901234']) {
      expect(red(s), s).toBe(s);
    }
  });
});

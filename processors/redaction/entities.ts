// Entity types the redaction processor detects, and what a detector reports.

export const ENTITY_TYPES = [
  // contact
  'EMAIL_ADDRESS',
  'PHONE_NUMBER',
  // financial
  'CREDIT_CARD',
  'IBAN',
  // network
  'IP_ADDRESS',
  // identity
  'US_SSN',
  'DATE_OF_BIRTH',
  'PASSPORT_NUMBER',
  'UK_NINO',
  'DE_ID_CARD',
  'FR_NIR',
  'IN_AADHAAR',
  'IN_PAN',
  'STREET_ADDRESS',
  'PERSON',
  // secrets
  'OPENAI_API_KEY',
  'ANTHROPIC_API_KEY',
  'AWS_ACCESS_KEY_ID',
  'GITHUB_TOKEN',
  'SLACK_TOKEN',
  'SLACK_WEBHOOK_URL',
  'STRIPE_KEY',
  'GOOGLE_API_KEY',
  'JWT',
  'PRIVATE_KEY',
  'GENERIC_SECRET',
] as const;

export type EntityType = (typeof ENTITY_TYPES)[number];

/** A detection in the normalised text: [start, end) in UTF-16 code units. */
export interface Match {
  start: number;
  end: number;
  type: EntityType;
}

/** Overlap resolution: the higher priority wins; on a tie the longer match wins. */
export const PRIORITY: Record<EntityType, number> = {
  PRIVATE_KEY: 100,
  JWT: 95,
  SLACK_WEBHOOK_URL: 92,
  ANTHROPIC_API_KEY: 91,
  OPENAI_API_KEY: 90,
  AWS_ACCESS_KEY_ID: 90,
  GITHUB_TOKEN: 90,
  SLACK_TOKEN: 90,
  STRIPE_KEY: 90,
  GOOGLE_API_KEY: 90,
  GENERIC_SECRET: 85,
  CREDIT_CARD: 80,
  IBAN: 80,
  US_SSN: 75,
  UK_NINO: 75,
  FR_NIR: 75,
  IN_AADHAAR: 75,
  IN_PAN: 75,
  EMAIL_ADDRESS: 70,
  PASSPORT_NUMBER: 70,
  DE_ID_CARD: 70,
  DATE_OF_BIRTH: 65,
  IP_ADDRESS: 60,
  STREET_ADDRESS: 50,
  PHONE_NUMBER: 40,
  PERSON: 30,
};

export function isEntityType(s: string): s is EntityType {
  return (ENTITY_TYPES as readonly string[]).includes(s);
}

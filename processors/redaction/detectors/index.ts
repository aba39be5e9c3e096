// Every detector, by entity type.
import type { EntityType } from '../entities.ts';
import { addressDetector } from './address.ts';
import { emailDetector, phoneDetector } from './contact.ts';
import { cardDetector, ibanDetector } from './financial.ts';
import { aadhaarDetector, deIdDetector, dobDetector, ninoDetector, nirDetector, panDetector, passportDetector, ssnDetector } from './identity.ts';
import { ipDetector } from './network.ts';
import { personDetector } from './person.ts';
import { secretDetectors } from './secrets.ts';
import type { Detector } from './util.ts';

export type { Detector, DetectOptions } from './util.ts';

const ALL: Detector[] = [
  emailDetector,
  phoneDetector,
  cardDetector,
  ibanDetector,
  ipDetector,
  ssnDetector,
  dobDetector,
  passportDetector,
  ninoDetector,
  deIdDetector,
  nirDetector,
  aadhaarDetector,
  panDetector,
  addressDetector,
  personDetector,
  ...secretDetectors,
];

export const DETECTORS: ReadonlyMap<EntityType, Detector> = new Map(ALL.map((d) => [d.type, d]));

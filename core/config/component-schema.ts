// The schema a component's config is validated against: the factory's own, plus for exporters the
// exporter helper settings (sending_queue, retry_on_failure, timeout) every exporter accepts.
import type { Factory } from '../component.ts';
import { exporterHelperSchema } from '../queue/config.ts';
import type { JsonSchema } from './schema-types.ts';

const cache = new WeakMap<Factory, JsonSchema>();

export function componentSchema(factory: Factory): JsonSchema {
  let s = cache.get(factory);
  if (s) return s;
  s = factory.configSchema;
  if (factory.kind === 'exporter') {
    // The exporter's own keys first (print-config order); its own definition of a helper key
    // (say a different timeout default) wins.
    const properties = { ...s.properties };
    for (const [k, v] of Object.entries(exporterHelperSchema(factory.queueDefaults))) if (!Object.hasOwn(properties, k)) properties[k] = v;
    s = { ...s, type: 'object', properties };
  }
  cache.set(factory, s);
  return s;
}

import type { JsonSchema } from '../../core/component.ts';

export interface HealthCheckConfig {
  endpoint: string;
  path: string;
}

export const configSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  description: 'HTTP health endpoint for load balancers and orchestrators.',
  properties: {
    endpoint: { type: 'string', format: 'endpoint', default: '127.0.0.1:13133', description: 'host:port to listen on; use 0.0.0.0:13133 to be reachable from outside the host.' },
    path: { type: 'string', pattern: '^/', default: '/', description: 'Path that answers the health check.' },
  },
};

import swagger from '@fastify/swagger';
import type { FastifyInstance } from 'fastify';
import { version } from '../version.js';

/** The OpenAPI document is generated from the route schemas; `/api/openapi.json` serves it. */
export async function installOpenApi(app: FastifyInstance): Promise<void> {
  await app.register(swagger, {
    openapi: {
      info: {
        title: 'casebridge',
        version,
        description:
          'Kibana-compatible connectors and cases APIs, plus casebridge additions under /api/casebridge.',
      },
      components: {
        securitySchemes: {
          apiKey: { type: 'apiKey', in: 'header', name: 'Authorization', description: 'ApiKey <key>' },
          basic: { type: 'http', scheme: 'basic' },
        },
      },
      security: [{ apiKey: [] }, { basic: [] }],
    },
  });
}

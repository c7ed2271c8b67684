import { Ajv, type ErrorObject } from 'ajv';
import addFormatsPlugin from 'ajv-formats';
import type { FastifySchemaCompiler } from 'fastify';
import { typeName } from '../connectors/schema-errors.js';

/**
 * Route schemas are compiled by two Ajv instances: bodies are checked strictly (no type coercion,
 * unknown keys refused) so `{"name": 42}` is an error as in Kibana; query strings and path
 * parameters are text on the wire and are coerced to the declared types.
 */
const strict = new Ajv({
  allErrors: false,
  verbose: true,
  removeAdditional: false,
  useDefaults: true,
  coerceTypes: false,
});
const coercing = new Ajv({
  allErrors: false,
  verbose: true,
  removeAdditional: false,
  useDefaults: true,
  coerceTypes: 'array',
});
// ajv-formats ships CommonJS; under NodeNext its default export is the module object.
const addFormats = addFormatsPlugin as unknown as (ajv: Ajv) => Ajv;
for (const ajv of [strict, coercing]) addFormats(ajv.addKeyword('kind').addKeyword('modifier'));

export const validatorCompiler: FastifySchemaCompiler<unknown> = ({ schema, httpPart }) =>
  (httpPart === 'body' ? strict : coercing).compile(schema as object);

const partNames: Record<string, string> = {
  body: 'request body',
  querystring: 'request query',
  params: 'request params',
  headers: 'request headers',
};

/** Kibana's wording for a route validation failure: `[request body.name]: expected value of type …`. */
export function describeRouteValidation(errors: ErrorObject[], context: string): string {
  const error = errors[0];
  const part = partNames[context] ?? context;
  if (!error) return `[${part}]: invalid value`;
  const base = error.instancePath.replace(/^\//, '').replaceAll('/', '.');
  const at = (path: string) => `[${part}${path === '' ? '' : `.${path}`}]`;
  const join = (child: string) => (base === '' ? child : `${base}.${child}`);
  switch (error.keyword) {
    case 'required': {
      const missing = String(error.params.missingProperty);
      const expected = propertyType(error.parentSchema, missing);
      return `${at(join(missing))}: expected value of type [${expected}] but got [undefined]`;
    }
    case 'additionalProperties':
      return `${at(join(String(error.params.additionalProperty)))}: definition for this key is missing`;
    case 'type':
      return `${at(base)}: expected value of type [${String(error.params.type)}] but got [${typeName(error.data)}]`;
    case 'minLength':
      if (typeof error.data === 'string' && error.data.trim() === '')
        return `${at(base)}: value '' is not valid`;
      return `${at(base)}: value has length [${String(error.data).length}] but it must have a minimum length of [${String(error.params.limit)}].`;
    case 'enum':
    case 'const':
      return `${at(base)}: expected value to equal [${[error.params.allowedValues ?? error.params.allowedValue].flat().join(', ')}]`;
    default:
      return `${at(base)}: ${error.message ?? 'invalid value'}`;
  }
}

function propertyType(parentSchema: unknown, property: string): string {
  const properties = (parentSchema as { properties?: Record<string, { type?: unknown }> } | undefined)
    ?.properties;
  const type = properties?.[property]?.type;
  return typeof type === 'string' ? type : 'object';
}

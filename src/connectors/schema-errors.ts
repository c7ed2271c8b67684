import { Kind, type TSchema } from '@sinclair/typebox';
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';
import { Value, ValueErrorType, type ValueError } from '@sinclair/typebox/value';

/**
 * Turns a TypeBox validation failure into the detail Kibana 8.x prints after
 * `error validating action type config: `, e.g. `[url]: expected value of type [string] but got
 * [undefined]`, so scripts that match on Kibana's messages keep working. Returns null when valid.
 */
export function describeSchemaErrors(schema: TSchema, value: unknown): string | null {
  if (compiled(schema).Check(value)) return null;
  if (schema[Kind] === 'Union' && Array.isArray(schema.anyOf))
    return describeUnion(schema.anyOf as TSchema[], value);
  const first = firstInSchemaOrder(schema, [...Value.Errors(schema, value)]);
  return first ? describeError(first) : 'invalid value';
}

/**
 * Connector schemas are checked on every execute; compiling each once makes the common (valid)
 * case a fast function call instead of a walk of the schema.
 */
const checks = new WeakMap<TSchema, TypeCheck<TSchema>>();
function compiled(schema: TSchema): TypeCheck<TSchema> {
  let check = checks.get(schema);
  if (check === undefined) {
    check = TypeCompiler.Compile(schema);
    checks.set(schema, check);
  }
  return check;
}

/**
 * Kibana's validator walks an object's keys in declaration order and reports the first failure;
 * TypeBox reports required-key failures first. Pick the error whose top-level key comes first.
 */
function firstInSchemaOrder(schema: TSchema, errors: ValueError[]): ValueError | undefined {
  const keys = schema.properties ? Object.keys(schema.properties as object) : [];
  const rank = (error: ValueError) => {
    const index = keys.indexOf(error.path.split('/')[1] ?? '');
    return index === -1 ? keys.length : index;
  };
  return [...errors].sort((a, b) => rank(a) - rank(b))[0];
}

function describeUnion(variants: TSchema[], value: unknown): string {
  const lines = variants.map((variant, index) => {
    const detail = describeSchemaErrors(variant, value) ?? 'invalid value';
    // Kibana prefixes the variant index onto the field path: `- [0.subAction]: …`.
    return detail.startsWith('[') ? `- [${index}.${detail.slice(1)}` : `- [${index}]: ${detail}`;
  });
  return `types that failed validation:\n${lines.join('\n')}`;
}

function describeError(error: ValueError): string {
  const path = error.path.replace(/^\//, '').replaceAll('/', '.');
  const where = path === '' ? '' : `[${path}]: `;
  switch (error.type) {
    case ValueErrorType.ObjectAdditionalProperties:
      return `${where}definition for this key is missing`;
    case ValueErrorType.ObjectRequiredProperty: {
      const expected = expectedType(error.schema) ?? 'object';
      return `${where}expected value of type [${expected}] but got [undefined]`;
    }
    case ValueErrorType.Literal:
      return `${where}expected value to equal [${String(error.schema.const)}]`;
    case ValueErrorType.StringMinLength:
      return `${where}value has length [${String(error.value).length}] but it must have a minimum length of [${String(error.schema.minLength)}].`;
    case ValueErrorType.StringMaxLength:
      return `${where}value has length [${String(error.value).length}] but it must have a maximum length of [${String(error.schema.maxLength)}].`;
    case ValueErrorType.Union:
      if (
        Array.isArray(error.schema.anyOf) &&
        error.schema.anyOf.every((s: TSchema) => s.const !== undefined)
      ) {
        const allowed = error.schema.anyOf.map((s: TSchema) => `[${String(s.const)}]`).join(', ');
        return `${where}expected value to equal one of ${allowed} but got [${describeValue(error.value)}]`;
      }
      return `${where}${error.message.toLowerCase()}`;
    default: {
      const expected = expectedType(error.schema);
      if (expected !== undefined && (error.type === ValueErrorType.Object || isTypeError(error))) {
        return `${where}expected value of type [${expected}] but got [${typeName(error.value)}]`;
      }
      return `${where}${error.message.toLowerCase()}`;
    }
  }
}

const typeErrors = new Set<ValueErrorType>([
  ValueErrorType.String,
  ValueErrorType.Number,
  ValueErrorType.Integer,
  ValueErrorType.Boolean,
  ValueErrorType.Array,
  ValueErrorType.Object,
  ValueErrorType.Null,
]);

function isTypeError(error: ValueError): boolean {
  return typeErrors.has(error.type);
}

function expectedType(schema: TSchema): string | undefined {
  if (typeof schema.type === 'string') return schema.type === 'integer' ? 'number' : schema.type;
  return undefined;
}

/** Kibana's config-schema names: `null` and `Array` are called out, everything else is typeof. */
export function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'Array';
  return typeof value;
}

function describeValue(value: unknown): string {
  return typeof value === 'string' ? value : (JSON.stringify(value) ?? 'undefined');
}

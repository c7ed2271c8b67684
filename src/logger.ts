import { pino, type Logger, type LoggerOptions } from 'pino';

/**
 * Paths pino masks wherever they appear in a log line. Connector code never logs secrets on
 * purpose; this is the net under it (a request object, a config dump, an error with a body).
 */
export const redactPaths = [
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  '*.password',
  '*.secrets',
  '*.clientSecret',
  '*.privateKey',
  '*.privateKeyPassword',
  '*.token',
  '*.accessToken',
  '*.access_token',
  '*.refresh_token',
  '*.apiKey',
  '*.key',
  '*.pfx',
  'secrets',
  'password',
];

export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  const options: LoggerOptions = {
    level,
    redact: { paths: redactPaths, censor: '[REDACTED]' },
    base: { service: 'casebridge' },
  };
  return destination ? pino(options, destination as never) : pino(options);
}

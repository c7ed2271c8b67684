/**
 * The `FormatNumber` lambda: `number; locales; options` → `Intl.NumberFormat`. Both semicolons
 * are required (Kibana's rule); locales is a comma list (default `en-US`); options is a comma
 * list of `key: value` where numbers and booleans are parsed.
 *
 * @example formatNumber('42.0; en-US; style: currency, currency: EUR') // { ok: true, text: '€42.00' }
 */
export function formatNumber(input: string): { ok: true; text: string } | { ok: false; error: string } {
  const parts = input.split(';');
  if (parts.length !== 3) return { ok: false, error: `invalid format, missing semicolons: '${input}'` };
  const [numberText = '', localesText = '', optionsText = ''] = parts.map((part) => part.trim());
  const number = Number(numberText);
  if (numberText === '' || Number.isNaN(number))
    return { ok: false, error: `invalid number: '${numberText}'` };
  const locales = localesText
    .split(',')
    .map((locale) => locale.trim())
    .filter((locale) => locale !== '');
  const options: Record<string, string | number | boolean> = {};
  for (const option of optionsText
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '')) {
    const colon = option.indexOf(':');
    if (colon === -1) return { ok: false, error: `invalid options: missing colon in option: '${option}'` };
    const key = option.slice(0, colon).trim();
    const value = option.slice(colon + 1).trim();
    options[key] =
      value === 'true'
        ? true
        : value === 'false'
          ? false
          : value !== '' && !Number.isNaN(Number(value))
            ? Number(value)
            : value;
  }
  try {
    return {
      ok: true,
      text: new Intl.NumberFormat(
        locales.length > 0 ? locales : 'en-US',
        options as Intl.NumberFormatOptions,
      ).format(number),
    };
  } catch (error) {
    return { ok: false, error: `error formatting number: ${(error as Error).message}` };
  }
}

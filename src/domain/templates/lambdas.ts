import { evaluateMath } from './eval-math.js';
import { formatDate } from './format-date.js';
import { formatNumber } from './format-number.js';

/** Mustache hands a lambda its raw inner text and a function that renders text in the current context. */
type RenderFn = (text: string) => string;
type LambdaBody = (this: unknown, text: string, render: RenderFn) => string;

/**
 * Kibana's lambdas (actions-framework.md §6.4), used as sections: `{{#FormatDate}}…{{/FormatDate}}`.
 * Mustache looks a section name up, calls what it finds with the view as `this`, and calls the
 * returned function with the section text; hence the function returning a function.
 * Errors come back as the rendered text (Kibana's behaviour) and are also passed to `onError`.
 *
 * ParseHjson is left out: the only Hjson parser on npm has had no release in years (see
 * docs/alerts.md), so `{{#ParseHjson}}` renders nothing.
 */
export function mustacheLambdas(onError: (message: string) => void): Record<string, () => LambdaBody> {
  const failed = (message: string) => {
    onError(message);
    return message;
  };
  return {
    EvalMath: () =>
      function (this: unknown, text, render) {
        const expression = render(text.trim());
        try {
          return `${evaluateMath(expression, this)}`;
        } catch (error) {
          return failed(`error evaluating tinymath expression "${expression}": ${(error as Error).message}`);
        }
      },
    FormatDate: () =>
      function (text, render) {
        const result = formatDate(render(text.trim()).trim());
        return result.ok ? result.text : failed(result.error);
      },
    FormatNumber: () =>
      function (text, render) {
        const result = formatNumber(render(text.trim()).trim());
        return result.ok ? result.text : failed(result.error);
      },
    EncodeURI: () =>
      function (text, render) {
        return encodeURI(render(text));
      },
    EncodeURIComponent: () =>
      function (text, render) {
        return encodeURIComponent(render(text));
      },
  };
}

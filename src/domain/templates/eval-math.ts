/**
 * A small arithmetic evaluator for the `EvalMath` lambda, covering the tinymath subset alert
 * templates use: numbers, variables (dotted paths into the current Mustache context), `+ - * / ^ %`,
 * unary minus, parentheses and a fixed set of functions. It parses by recursive descent and never
 * calls `eval`, so a template cannot run code. Messages differ from tinymath's where noted in
 * docs/alerts.md.
 */
type Node =
  | { kind: 'number'; value: number }
  | { kind: 'variable'; name: string }
  | { kind: 'unary'; operand: Node }
  | { kind: 'binary'; operator: string; left: Node; right: Node }
  | { kind: 'call'; name: string; args: Node[] };

const functions: Record<string, (...args: number[]) => number> = {
  abs: Math.abs,
  add: (...args) => args.reduce((sum, value) => sum + value, 0),
  subtract: (a = 0, b = 0) => a - b,
  multiply: (...args) => args.reduce((product, value) => product * value, 1),
  divide: (a = 0, b = 0) => a / b,
  mod: (a = 0, b = 0) => a % b,
  pow: (a = 0, b = 0) => a ** b,
  sqrt: Math.sqrt,
  cbrt: Math.cbrt,
  square: (a = 0) => a * a,
  cube: (a = 0) => a * a * a,
  exp: Math.exp,
  log: (a = 0, base?: number) => (base === undefined ? Math.log(a) : Math.log(a) / Math.log(base)),
  log10: Math.log10,
  ceil: Math.ceil,
  floor: Math.floor,
  fix: Math.trunc,
  round: (a = 0, digits = 0) => Math.round(a * 10 ** digits) / 10 ** digits,
  min: (...args) => Math.min(...args),
  max: (...args) => Math.max(...args),
  mean: (...args) => args.reduce((sum, value) => sum + value, 0) / args.length,
  clamp: (a = 0, low = -Infinity, high = Infinity) => Math.min(Math.max(a, low), high),
  pi: () => Math.PI,
};

class Parser {
  private position = 0;
  constructor(private readonly source: string) {}

  parse(): Node {
    const node = this.additive();
    this.skipSpace();
    if (this.position < this.source.length) this.fail(`unexpected "${this.source[this.position]}"`);
    return node;
  }

  private fail(message: string): never {
    throw new Error(`${message} at ${this.position + 1}`);
  }

  private skipSpace(): void {
    while (/\s/.test(this.source[this.position] ?? '')) this.position += 1;
  }

  private peek(): string {
    this.skipSpace();
    return this.source[this.position] ?? '';
  }

  private additive(): Node {
    let left = this.multiplicative();
    for (let op = this.peek(); op === '+' || op === '-'; op = this.peek()) {
      this.position += 1;
      left = { kind: 'binary', operator: op, left, right: this.multiplicative() };
    }
    return left;
  }

  private multiplicative(): Node {
    let left = this.unary();
    for (let op = this.peek(); op === '*' || op === '/' || op === '%'; op = this.peek()) {
      this.position += 1;
      left = { kind: 'binary', operator: op, left, right: this.unary() };
    }
    return left;
  }

  private unary(): Node {
    const op = this.peek();
    if (op === '-' || op === '+') {
      this.position += 1;
      const operand = this.unary();
      return op === '-' ? { kind: 'unary', operand } : operand;
    }
    return this.power();
  }

  /** `^` binds tighter than unary minus on its left and is right-associative: 2^3^2 = 2^9. */
  private power(): Node {
    const base = this.primary();
    if (this.peek() === '^') {
      this.position += 1;
      return { kind: 'binary', operator: '^', left: base, right: this.unary() };
    }
    return base;
  }

  private primary(): Node {
    const char = this.peek();
    if (char === '') this.fail('expression ends too early');
    if (char === '(') {
      this.position += 1;
      const inner = this.additive();
      if (this.peek() !== ')') this.fail('missing ")"');
      this.position += 1;
      return inner;
    }
    const number = /^(\d+\.?\d*|\.\d+)(e[+-]?\d+)?/i.exec(this.source.slice(this.position));
    if (number) {
      this.position += number[0].length;
      return { kind: 'number', value: Number(number[0]) };
    }
    if (char === '"' || char === "'") return this.quotedVariable(char);
    // Names with other characters (spaces, dashes) are written quoted: "host.cpu-pct".
    const name = /^[A-Za-z_@$][\w.@$]*/.exec(this.source.slice(this.position));
    if (!name) this.fail(`unexpected "${char}"`);
    const identifier = name[0];
    this.position += identifier.length;
    if (this.peek() === '(') {
      this.position += 1;
      return { kind: 'call', name: identifier, args: this.arguments() };
    }
    return { kind: 'variable', name: identifier };
  }

  private quotedVariable(quote: string): Node {
    const end = this.source.indexOf(quote, this.position + 1);
    if (end === -1) this.fail('unclosed quote');
    const name = this.source.slice(this.position + 1, end);
    this.position = end + 1;
    return { kind: 'variable', name };
  }

  private arguments(): Node[] {
    const args: Node[] = [];
    if (this.peek() === ')') {
      this.position += 1;
      return args;
    }
    for (;;) {
      args.push(this.additive());
      const next = this.peek();
      this.position += 1;
      if (next === ')') return args;
      if (next !== ',') this.fail('expected "," or ")"');
    }
  }
}

/** Like lodash `get`: a key holding the whole name wins, else the dotted path is walked. */
function resolve(scope: unknown, name: string): unknown {
  if (scope !== null && typeof scope === 'object' && Object.prototype.hasOwnProperty.call(scope, name))
    return (scope as Record<string, unknown>)[name];
  let current: unknown = scope;
  for (const segment of name.split('.')) {
    if (
      current === null ||
      typeof current !== 'object' ||
      !Object.prototype.hasOwnProperty.call(current, segment)
    )
      return undefined;
    current = (current as Record<string, unknown>)[segment];
  }
  return current;
}

function evaluateNode(node: Node, scope: unknown): number {
  switch (node.kind) {
    case 'number':
      return node.value;
    case 'variable': {
      const value = resolve(scope, node.name);
      if (typeof value === 'number') return value;
      if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value)))
        return Number(value);
      if (value === undefined) throw new Error(`Unknown variable: ${node.name}`);
      throw new Error(`Variable ${node.name} is not a number`);
    }
    case 'unary':
      return -evaluateNode(node.operand, scope);
    case 'binary': {
      const left = evaluateNode(node.left, scope);
      const right = evaluateNode(node.right, scope);
      if (node.operator === '+') return left + right;
      if (node.operator === '-') return left - right;
      if (node.operator === '*') return left * right;
      if (node.operator === '/') return left / right;
      if (node.operator === '%') return left % right;
      return left ** right;
    }
    case 'call': {
      const fn = Object.prototype.hasOwnProperty.call(functions, node.name)
        ? functions[node.name]
        : undefined;
      if (!fn) throw new Error(`No such function: ${node.name}`);
      return fn(...node.args.map((arg) => evaluateNode(arg, scope)));
    }
  }
}

/**
 * Evaluates `expression` with variables looked up in `scope`. Throws an Error whose message
 * says what is wrong; the lambda turns it into Kibana's `error evaluating tinymath expression`.
 *
 * @example evaluateMath('1 + c.d * 2', { c: { d: 3 } }) // 7
 */
export function evaluateMath(expression: string, scope: unknown): number {
  return evaluateNode(new Parser(expression).parse(), scope);
}

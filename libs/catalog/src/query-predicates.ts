import { InvalidInput } from '../../common/src';

/**
 * The subset of commercetools query predicates (`where=`) the read API supports: equality and `in` on
 * `id`, `key` and a resource's natural keys (`sku`, `orderNumber`, `email`, …), and on one locale of a
 * localized field (`slug(en = "x")`), joined by `and`; several `where` parameters are joined by `and` too.
 * Anything else is refused with 400 InvalidInput naming what is not supported — never ignored.
 */
export interface PredicateFields {
  /** Plain fields: name → SQL expression yielding text (columns of the document table, `data->>'…'`). */
  plain: Record<string, string>;
  /** Localized fields: name → SQL expression yielding the jsonb LocalizedString. */
  localized: Record<string, string>;
}

export interface CompiledPredicate {
  /** SQL conditions (AND-ed), with `$n` placeholders numbered from `firstParam`. */
  conditions: string[];
  params: string[];
}

const MAX_TERMS = 20;
const MAX_IN_VALUES = 500;

type Token = { kind: 'ident' | 'string' | 'punct' | 'number'; text: string; at: number };

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  const pattern = /\s*(?:([A-Za-z][A-Za-z0-9_-]*)|"((?:[^"\\]|\\.)*)"|(<>|!=|>=|<=|[()=,<>])|(-?\d+(?:\.\d+)?))/y;
  let at = 0;
  while (at < source.length) {
    if (/^\s*$/.test(source.slice(at))) break;
    pattern.lastIndex = at;
    const match = pattern.exec(source);
    if (!match) throw new InvalidInput(`Malformed query predicate near '${source.slice(at, at + 20).trim()}': Berth supports <field> = "value", <field> in ("a", "b") and <localizedField>(<locale> = "value"), joined by and.`);
    if (match[1] !== undefined) tokens.push({ kind: 'ident', text: match[1], at });
    else if (match[2] !== undefined) tokens.push({ kind: 'string', text: match[2].replace(/\\(.)/g, '$1'), at });
    else if (match[3] !== undefined) tokens.push({ kind: 'punct', text: match[3], at });
    else tokens.push({ kind: 'number', text: match[4], at });
    at = pattern.lastIndex;
  }
  return tokens;
}

export function compilePredicates(raw: unknown, fields: PredicateFields, firstParam: number): CompiledPredicate {
  const sources = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
  const conditions: string[] = [];
  const params: string[] = [];
  const param = (value: string) => {
    params.push(value);
    return `$${firstParam + params.length - 1}`;
  };
  for (const source of sources) {
    if (typeof source !== 'string') throw new InvalidInput(`Query parameter 'where' is malformed.`);
    const tokens = tokenize(source);
    let position = 0;
    const peek = () => tokens[position];
    const next = (what: string): Token => {
      const token = tokens[position++];
      if (!token) throw new InvalidInput(`Query predicate '${source}' ends early: expected ${what}.`);
      return token;
    };
    const expect = (text: string) => {
      const token = next(`'${text}'`);
      if (token.text !== text || token.kind === 'string') throw new InvalidInput(`Query predicate '${source}': expected '${text}', found '${token.text}'.`);
    };
    const stringValue = () => {
      const token = next('a string in double quotes');
      if (token.kind !== 'string') throw new InvalidInput(`Query predicate '${source}': expected a string in double quotes, found '${token.text}'. Berth compares strings only.`);
      return token.text;
    };
    /** `= "x"` or `in ("x", "y")` against an SQL expression. */
    const comparison = (expression: string) => {
      const operator = next(`'=' or 'in'`);
      if (operator.kind === 'punct' && operator.text === '=') return `${expression} = ${param(stringValue())}`;
      if (operator.kind === 'ident' && operator.text.toLowerCase() === 'in') {
        expect('(');
        const values = [stringValue()];
        while (peek()?.text === ',' && peek()?.kind === 'punct') {
          position++;
          values.push(stringValue());
        }
        expect(')');
        if (values.length > MAX_IN_VALUES) throw new InvalidInput(`Query predicate '${source}': at most ${MAX_IN_VALUES} values in 'in'.`);
        return `${expression} IN (${values.map(param).join(', ')})`;
      }
      throw new InvalidInput(`Query predicate '${source}': the operator '${operator.text}' is not supported (Berth supports '=' and 'in').`);
    };
    for (;;) {
      const field = next('a field name');
      if (field.kind !== 'ident') throw new InvalidInput(`Query predicate '${source}': expected a field name, found '${field.text}'.`);
      if (fields.plain[field.text] !== undefined && peek()?.text !== '(') {
        conditions.push(comparison(fields.plain[field.text]));
      } else if (fields.localized[field.text] !== undefined && peek()?.text === '(') {
        position++;
        const locale = next('a locale');
        if (locale.kind !== 'ident' || !/^[a-z]{2}(-[A-Za-z]{2})?$/.test(locale.text)) throw new InvalidInput(`Query predicate '${source}': expected a locale, found '${locale.text}'.`);
        conditions.push(comparison(`(${fields.localized[field.text]} ->> ${param(locale.text)})`));
        expect(')');
      } else {
        const supported = [...Object.keys(fields.plain), ...Object.keys(fields.localized).map((name) => `${name}(<locale> = …)`)].join(', ');
        throw new InvalidInput(`Query predicates on '${field.text}' are not supported here. Berth supports = and in on: ${supported}.`);
      }
      if (conditions.length > MAX_TERMS) throw new InvalidInput(`At most ${MAX_TERMS} query predicates are supported.`);
      const joiner = peek();
      if (!joiner) break;
      if (joiner.kind === 'ident' && joiner.text.toLowerCase() === 'and') {
        position++;
        continue;
      }
      throw new InvalidInput(`Query predicate '${source}': '${joiner.text}' is not supported (Berth joins predicates with 'and' only).`);
    }
  }
  return { conditions, params };
}

/**
 * Streaming record readers of file imports: the request body (a byte stream) becomes a stream of records, one
 * object each, read by well-kept streaming parsers — csv-parse (CSV), stream-json (JSON arrays, NDJSON, inline
 * `inputs`), saxes (XML). Nothing holds the whole file: each stage passes records on with Node's stream
 * backpressure, so a slow consumer (the database) pauses the socket.
 */
import { Readable, Transform, TransformCallback } from 'node:stream';
import { parse as parseCsv } from 'csv-parse';
import { SaxesParser } from 'saxes';
import Assembler from 'stream-json/Assembler';
import { parser as jsonParser } from 'stream-json';
import JsonlParser from 'stream-json/jsonl/Parser';
import { INPUT_LIMITS } from '../../../common/src';

export const FILE_FORMATS = ['csv', 'json', 'ndjson', 'xml'] as const;
export type FileFormat = (typeof FILE_FORMATS)[number];
export const ENCODINGS = ['utf-8', 'utf-16le', 'latin1'] as const;
export type FileEncoding = (typeof ENCODINGS)[number];

/**
 * Largest single record (characters) a reader holds: a row, an NDJSON line, an XML record's text. A file with a
 * bigger one fails (FileReadError) instead of growing the process without bound.
 */
export const MAX_RECORD_CHARS = 1_048_576;

/**
 * Characters a value takes as JSON, roughly (strings and keys by their length, other scalars 8): sizes the batches of
 * a file import by what they hold, not only by their row count. Iterative, so any nesting is fine.
 */
export function approximateChars(value: unknown): number {
  let total = 0;
  const pending: unknown[] = [value];
  while (pending.length > 0) {
    const next = pending.pop();
    if (typeof next === 'string') total += next.length + 2;
    else if (next === null || typeof next !== 'object') total += 8;
    else if (Array.isArray(next)) {
      total += 2 + next.length;
      for (const item of next) pending.push(item);
    } else {
      total += 2;
      for (const [key, item] of Object.entries(next)) {
        total += key.length + 4;
        pending.push(item);
      }
    }
  }
  return total;
}

/** A record the reader could not read (a malformed NDJSON line): reported as that row's error, the file goes on. */
export interface UnreadableRecord {
  unreadable: string;
}

export type SourceRecord = Record<string, unknown> | UnreadableRecord;

export function isUnreadable(record: SourceRecord): record is UnreadableRecord {
  return typeof (record as UnreadableRecord).unreadable === 'string' && Object.keys(record).length === 1;
}

/** A failure of the file as a whole (malformed CSV quoting, broken JSON or XML, too many inputs): the job fails. */
export class FileReadError extends Error {
  /** The 1-based record where reading stopped, when known. */
  row?: number;
}

/** Bytes → text in the given encoding (a UTF-8 or UTF-16 BOM is skipped), chunk by chunk. */
export function decoder(encoding: FileEncoding): Transform {
  const text = encoding === 'latin1' ? undefined : new TextDecoder(encoding, { fatal: false });
  return new Transform({
    readableObjectMode: false,
    decodeStrings: true,
    transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback) {
      callback(null, text ? text.decode(chunk, { stream: true }) : chunk.toString('latin1'));
    },
    flush(callback: TransformCallback) {
      const rest = text ? text.decode() : '';
      callback(null, rest.length > 0 ? rest : undefined);
    },
  });
}

export interface CsvSettings {
  delimiter: string;
  quote: string;
  header: boolean;
}

/** CSV rows as objects keyed by column name (header) or by 1-based position (`"1"`, `"2"`) without a header. */
export function csvRecords(settings: CsvSettings): Transform[] {
  const parser = parseCsv({
    columns: settings.header ? (names: string[]) => names.map((name) => name.trim()) : false,
    delimiter: settings.delimiter,
    quote: settings.quote,
    bom: true,
    relax_column_count: true,
    skip_empty_lines: true,
    max_record_size: MAX_RECORD_CHARS,
  });
  if (settings.header) return [parser];
  const byPosition = new Transform({
    objectMode: true,
    transform(row: string[], _encoding, callback) {
      const record: Record<string, string> = {};
      row.forEach((value, i) => (record[String(i + 1)] = value));
      callback(null, record);
    },
  });
  return [parser, byPosition];
}

const unwrapValue = () =>
  new Transform({
    objectMode: true,
    transform(item: { value: unknown }, _encoding, callback) {
      const value = item.value;
      callback(null, typeof value === 'object' && value !== null && !Array.isArray(value) ? value : { unreadable: 'The record is not a JSON object.' });
    },
  });

/** A token of stream-json's parser. Unpacked (`packValues: false`): strings, keys and numbers come as chunks. */
interface JsonToken {
  name: string;
  value?: unknown;
}

/** The Assembler's token methods (called directly: no packed token object per value). */
interface AssemblerMethods {
  startObject(): void;
  endObject(): void;
  startArray(): void;
  endArray(): void;
  keyValue(value: string): void;
  stringValue(value: string): void;
  numberValue(value: string): void;
  nullValue(): void;
  trueValue(): void;
  falseValue(): void;
  current: unknown;
}

/**
 * One JSON value (an array item, an inline input, an option) assembled from UNPACKED tokens under a bound, so that
 * no item is ever held whole beyond MAX_RECORD_CHARS: its characters are counted as the tokens arrive (the parser
 * streams a long string in chunks of 256 characters, never holding it whole) and past the limit the file fails.
 * Counted: string, key and number characters, 4/4/5 for null/true/false, one per quote and bracket (whitespace,
 * commas and colons are not). Chunked strings, keys and numbers are packed here (at most MAX_RECORD_CHARS each) for
 * the Assembler. A value nested deeper than INPUT_LIMITS.maxJsonDepth is no longer assembled (its tokens are only
 * counted) and ends `deep`.
 */
class BoundedValue {
  private assembler: AssemblerMethods | undefined = new Assembler() as unknown as AssemblerMethods;
  private chars = 0;
  private depth = 0;
  private text = '';
  deep = false;

  /** `what` names the value in the error: "An array item", "The field 'mapping'". */
  constructor(private readonly what: string) {}

  private charge(chars: number): void {
    this.chars += chars;
    if (this.chars > MAX_RECORD_CHARS) throw new FileReadError(`${this.what} is larger than the limit of ${MAX_RECORD_CHARS} characters.`);
  }

  /** Feeds the value's next token; true once the value is complete (then read `value` and `deep`). */
  consume(token: JsonToken): boolean {
    const assembler = this.assembler;
    switch (token.name) {
      case 'stringChunk':
      case 'numberChunk': {
        const chunk = token.value as string;
        this.charge(chunk.length);
        if (assembler) this.text += chunk;
        return false;
      }
      case 'startString':
      case 'startKey':
        this.charge(1);
        this.text = '';
        return false;
      case 'startNumber':
        this.text = '';
        return false;
      case 'endKey':
        this.charge(1);
        assembler?.keyValue(this.text);
        this.text = '';
        return false;
      case 'endString':
        this.charge(1);
        assembler?.stringValue(this.text);
        this.text = '';
        break;
      case 'endNumber':
        assembler?.numberValue(this.text);
        this.text = '';
        break;
      case 'startObject':
      case 'startArray':
        this.charge(1);
        if (++this.depth > INPUT_LIMITS.maxJsonDepth && assembler) {
          this.deep = true;
          this.assembler = undefined;
        } else if (assembler) {
          if (token.name === 'startObject') assembler.startObject();
          else assembler.startArray();
        }
        return false;
      case 'endObject':
      case 'endArray':
        this.charge(1);
        this.depth--;
        if (token.name === 'endObject') assembler?.endObject();
        else assembler?.endArray();
        break;
      case 'nullValue':
        this.charge(4);
        assembler?.nullValue();
        break;
      case 'trueValue':
        this.charge(4);
        assembler?.trueValue();
        break;
      case 'falseValue':
        this.charge(5);
        assembler?.falseValue();
        break;
      default:
        return false;
    }
    return this.depth === 0;
  }

  get value(): unknown {
    return this.assembler?.current;
  }
}

const TOO_DEEP = `The record is nested deeper than the limit of ${INPUT_LIMITS.maxJsonDepth} levels.`;

/** The items of a top-level JSON array as records, each bounded (BoundedValue) while it streams in. */
/** A stage of the JSON token stream: each token goes to consume(); what it throws fails the stream. */
abstract class TokenStage extends Transform {
  constructor() {
    super({ objectMode: true });
  }

  _transform(token: JsonToken, _encoding: BufferEncoding, callback: TransformCallback): void {
    try {
      this.consume(token);
      callback();
    } catch (error) {
      callback(error as Error);
    }
  }

  protected abstract consume(token: JsonToken): void;
}

class JsonArrayItems extends TokenStage {
  private started = false;
  private item: BoundedValue | undefined;

  protected consume(token: JsonToken): void {
    if (!this.started) {
      if (token.name !== 'startArray') throw new FileReadError('The file must be a JSON array of records.');
      this.started = true;
      return;
    }
    if (!this.item) {
      if (token.name === 'endArray') return;
      this.item = new BoundedValue('An array item');
    }
    if (!this.item.consume(token)) return;
    const { value, deep } = this.item;
    this.item = undefined;
    if (deep) this.push({ unreadable: TOO_DEEP });
    else this.push(typeof value === 'object' && value !== null && !Array.isArray(value) ? value : { unreadable: 'The record is not a JSON object.' });
  }
}

/** The items of a top-level JSON array, one record each; an item over MAX_RECORD_CHARS fails the file while it streams. */
export function jsonArrayRecords(): Transform[] {
  return [jsonParser({ packValues: false }), new JsonArrayItems()];
}

/** One record per NDJSON line; a line that is not JSON is an unreadable record (its row's error), not the file's end. */
export function ndjsonRecords(): Transform[] {
  // errorIndicator (stream-json 1.8+, missing from its typings): a bad line becomes this value instead of an error.
  const options = { errorIndicator: (error: Error) => ({ unreadable: `The line is not valid JSON: ${error.message}` }) };
  const lines = new JsonlParser(options as unknown as ConstructorParameters<typeof JsonlParser>[0]) as unknown as Transform;
  return [lineLengthGuard(), lines, unwrapValue()];
}

/** Fails the stream at a line longer than MAX_RECORD_CHARS (the NDJSON parser would hold it whole). */
function lineLengthGuard(): Transform {
  let current = 0;
  return new Transform({
    decodeStrings: false,
    transform(chunk: string | Buffer, _encoding, callback) {
      const text = typeof chunk === 'string' ? chunk : chunk.toString('utf8');
      const lastBreak = text.lastIndexOf('\n');
      if (lastBreak === -1) current += text.length;
      else {
        let start = 0;
        for (let i = text.indexOf('\n'); i !== -1 && i <= lastBreak; start = i + 1, i = text.indexOf('\n', start)) {
          if (current + (i - start) > MAX_RECORD_CHARS) return callback(new FileReadError(`A line is longer than the limit of ${MAX_RECORD_CHARS} characters.`));
          current = 0;
        }
        current = text.length - lastBreak - 1;
      }
      if (current > MAX_RECORD_CHARS) return callback(new FileReadError(`A line is longer than the limit of ${MAX_RECORD_CHARS} characters.`));
      callback(null, text);
    },
  });
}

/**
 * Inline inputs: a JSON object `{resourceType, inputs: [...], ...options}`. The `inputs` items stream out as records;
 * every other top-level field is collected into `options` (complete once the stream has ended). Each item, each
 * option value and each top-level key is bounded by MAX_RECORD_CHARS while it streams in (BoundedValue).
 */
export class InlineInputs extends TokenStage {
  readonly options: Record<string, unknown> = {};
  private depth = 0;
  private key: string | undefined;
  /** A top-level key being read (its chunks), bounded. */
  private keyText: string | undefined;
  private inInputs = false;
  private sawInputs = false;
  private value: BoundedValue | undefined;
  private count = 0;

  constructor(private readonly maxInputs: number) {
    super();
  }

  get inputsSeen(): boolean {
    return this.sawInputs;
  }

  protected consume(token: JsonToken): void {
    if (this.value) {
      if (this.value.consume(token)) this.finish(this.value);
      return;
    }
    if (this.depth === 0) {
      if (token.name !== 'startObject') throw new FileReadError('The body must be a JSON array of resources or an object with inputs.');
      this.depth = 1;
      return;
    }
    if (this.inInputs) {
      if (token.name === 'endArray') this.inInputs = false;
      else this.startValue(token, `An item of 'inputs'`);
      return;
    }
    if (this.keyText !== undefined) {
      if (token.name === 'stringChunk') {
        this.keyText += token.value as string;
        if (this.keyText.length > MAX_RECORD_CHARS) throw new FileReadError(`A field name of the body is longer than the limit of ${MAX_RECORD_CHARS} characters.`);
      } else if (token.name === 'endKey') {
        this.key = this.keyText;
        this.keyText = undefined;
      }
      return;
    }
    if (token.name === 'startKey') {
      this.keyText = '';
      return;
    }
    if (token.name === 'endObject') {
      this.depth = 0;
      return;
    }
    if (this.key === 'inputs') {
      this.key = undefined;
      if (token.name !== 'startArray') throw new FileReadError(`The field 'inputs' must be an array of resources.`);
      this.inInputs = true;
      this.sawInputs = true;
      return;
    }
    this.startValue(token, `The field '${(this.key ?? '').slice(0, 100)}'`);
  }

  private startValue(token: JsonToken, what: string): void {
    this.value = new BoundedValue(what);
    if (this.value.consume(token)) this.finish(this.value);
  }

  private finish(bounded: BoundedValue): void {
    this.value = undefined;
    const { value, deep } = bounded;
    if (this.inInputs) {
      if (++this.count > this.maxInputs) throw new FileReadError(`The field 'inputs' has more than the limit of ${this.maxInputs} items.`);
      if (deep) this.push({ unreadable: TOO_DEEP });
      else this.push(typeof value === 'object' && value !== null && !Array.isArray(value) ? value : { unreadable: 'The input is not a JSON object.' });
    } else if (this.key !== undefined) {
      if (deep) throw new FileReadError(`The field '${this.key.slice(0, 100)}' is nested deeper than the limit of ${INPUT_LIMITS.maxJsonDepth} levels.`);
      this.options[this.key] = value;
      this.key = undefined;
    }
  }
}

export function inlineRecords(maxInputs: number): { stages: Transform[]; collector: InlineInputs } {
  const collector = new InlineInputs(maxInputs);
  // Unpacked: the parser never holds a whole string, key or number; InlineInputs packs them under the bound.
  return { stages: [jsonParser({ packValues: false }), collector], collector };
}

interface XmlNode {
  name: string;
  attributes: Record<string, string>;
  children: Array<[string, unknown]>;
  text: string;
}

function nodeValue(node: XmlNode): unknown {
  const hasAttributes = Object.keys(node.attributes).length > 0;
  if (node.children.length === 0 && !hasAttributes) return node.text.trim();
  const value: Record<string, unknown> = {};
  for (const [name, attribute] of Object.entries(node.attributes)) value[`@${name}`] = attribute;
  // A node's value is never an array, so an array here means the element repeats.
  for (const [name, child] of node.children) {
    const existing = value[name];
    if (existing === undefined) value[name] = child;
    else if (Array.isArray(existing)) existing.push(child);
    else value[name] = [existing, child];
  }
  const text = node.text.trim();
  if (text.length > 0 && node.children.length === 0) value['#text'] = text;
  return value;
}

/**
 * XML: each child element of the root is a record; nested elements become fields (repeated ones an array),
 * attributes `@name`, the text of a leaf its value.
 */
export function xmlRecords(): Transform[] {
  const sax = new SaxesParser({ xmlns: false });
  const stack: XmlNode[] = [];
  let records: unknown[] = [];
  let failure: Error | undefined;
  sax.on('error', (error) => {
    failure ??= new FileReadError(`The XML is malformed: ${error.message}`);
  });
  sax.on('opentag', (tag) => {
    if (stack.length === 1) held = 0;
    hold(tag.name.length + Object.entries(tag.attributes as Record<string, string>).reduce((sum, [name, value]) => sum + name.length + value.length, 0));
    stack.push({ name: tag.name, attributes: { ...(tag.attributes as Record<string, string>) }, children: [], text: '' });
  });
  // Characters held for the current record (its text and attribute values): bounded by MAX_RECORD_CHARS.
  let held = 0;
  const hold = (length: number) => {
    held += length;
    if (held > MAX_RECORD_CHARS) failure ??= new FileReadError(`An XML record is larger than the limit of ${MAX_RECORD_CHARS} characters.`);
  };
  sax.on('text', (text) => {
    if (stack.length > 1) {
      stack[stack.length - 1].text += text;
      hold(text.length);
    }
  });
  sax.on('cdata', (text) => {
    if (stack.length > 1) {
      stack[stack.length - 1].text += text;
      hold(text.length);
    }
  });
  sax.on('closetag', () => {
    const node = stack.pop();
    if (!node) return;
    if (stack.length === 1) {
      const value = nodeValue(node);
      records.push(typeof value === 'object' && value !== null ? value : { unreadable: `The record element '${node.name}' has no fields.` });
    } else if (stack.length > 1) {
      stack[stack.length - 1].children.push([node.name, nodeValue(node)]);
    }
  });
  const transform = new Transform({
    writableObjectMode: false,
    readableObjectMode: true,
    decodeStrings: false,
    transform(chunk: string | Buffer, _encoding, callback) {
      sax.write(typeof chunk === 'string' ? chunk : chunk.toString('utf8'));
      if (failure) return callback(failure);
      const out = records;
      records = [];
      for (const record of out) this.push(record);
      callback();
    },
    flush(callback) {
      sax.close();
      if (failure) return callback(failure);
      for (const record of records) this.push(record);
      records = [];
      callback();
    },
  });
  return [transform];
}

/**
 * Counts the bytes of an upload. Past `maxBytes` it drops them (and sets `exceeded`) instead of failing the stream, so
 * the body is still read to its end and the client gets its 413 rather than a reset connection.
 */
export class ByteLimit {
  bytes = 0;
  exceeded = false;

  constructor(readonly maxBytes: number) {}

  transform(): Transform {
    return new Transform({
      transform: (chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback) => {
        this.bytes += chunk.length;
        if (this.bytes > this.maxBytes) this.exceeded = true;
        callback(null, this.exceeded ? undefined : chunk);
      },
    });
  }
}

export class FileTooLarge extends Error {
  constructor(readonly maxBytes: number) {
    super(`The file exceeds the limit of ${maxBytes} bytes.`);
  }
}

export type { Readable };

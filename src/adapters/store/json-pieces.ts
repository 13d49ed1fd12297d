const skipped = (v: unknown): boolean => v === undefined || typeof v === 'function' || typeof v === 'symbol';

const isPlain = (v: unknown): v is Record<string, unknown> => {
  if (typeof v !== 'object' || v === null) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
};

/**
 * The text of `JSON.stringify(value)` in pieces: the arrays and plain objects of the first `depth`
 * levels are opened element by element, anything below (or anything else) is stringified whole. One
 * `JSON.stringify` of a large state holds the event loop for the whole text; a writer that takes the
 * pieces can let it run between them.
 */
export function* jsonPieces(value: unknown, depth: number): Generator<string, void, undefined> {
  if (depth > 0 && Array.isArray(value)) {
    yield '[';
    for (let i = 0; i < value.length; i++) {
      if (i > 0) yield ',';
      const v: unknown = value[i];
      if (skipped(v)) yield 'null';
      else yield* jsonPieces(v, depth - 1);
    }
    yield ']';
  } else if (depth > 0 && isPlain(value) && typeof value.toJSON !== 'function') {
    yield '{';
    let first = true;
    for (const [key, v] of Object.entries(value)) {
      if (skipped(v)) continue;
      yield `${first ? '' : ','}${JSON.stringify(key)}:`;
      first = false;
      yield* jsonPieces(v, depth - 1);
    }
    yield '}';
  } else {
    yield JSON.stringify(value) ?? 'null';
  }
}

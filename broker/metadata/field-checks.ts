// Checks of decoded JSON fields, shared by the record codec and the snapshot codec. Each checker
// returns the value typed, or throws the error that the caller's `fail` builds, so both codecs name
// the field that was wrong.
export type Fail = (message: string) => never;

const INT32_MAX = 2147483647;

export type Obj = Record<string, unknown>;

export function asObject(value: unknown, what: string, fail: Fail): Obj {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) fail(`${what} is not an object`);
  return value as Obj;
}

/** Refuses fields other than the allowed ones: a record with unknown fields is from a newer version
 * (which would have a newer version number) or corrupt. */
export function onlyKeys(obj: Obj, allowed: readonly string[], what: string, fail: Fail): void {
  for (const key of Object.keys(obj)) {
    if (!allowed.includes(key)) fail(`${what} has an unknown field ${JSON.stringify(key)}`);
  }
}

export function int(obj: Obj, key: string, min: number, max: number, fail: Fail): number {
  const v = obj[key];
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min || v > max) {
    fail(`field ${key} must be an integer in [${min}, ${max}], got ${JSON.stringify(v)}`);
  }
  return v as number;
}

export const int32 = (obj: Obj, key: string, min: number, fail: Fail): number => int(obj, key, min, INT32_MAX, fail);
export const int64 = (obj: Obj, key: string, min: number, fail: Fail): number => int(obj, key, min, Number.MAX_SAFE_INTEGER, fail);

export function str(obj: Obj, key: string, fail: Fail, allowEmpty = false): string {
  const v = obj[key];
  if (typeof v !== 'string' || (!allowEmpty && v.length === 0)) fail(`field ${key} must be a ${allowEmpty ? '' : 'non-empty '}string`);
  return v as string;
}

export function optStr(obj: Obj, key: string, fail: Fail): string | undefined {
  return obj[key] === undefined ? undefined : str(obj, key, fail);
}

export function bool(obj: Obj, key: string, fail: Fail): boolean {
  const v = obj[key];
  if (typeof v !== 'boolean') fail(`field ${key} must be a boolean`);
  return v as boolean;
}

/** A list of distinct broker ids (int32 >= 0). */
export function brokerIds(obj: Obj, key: string, fail: Fail, allowEmpty: boolean): number[] {
  const v = obj[key];
  if (!Array.isArray(v)) return fail(`field ${key} must be an array of broker ids`);
  const out: number[] = [];
  for (const id of v) {
    if (typeof id !== 'number' || !Number.isInteger(id) || id < 0 || id > INT32_MAX) fail(`field ${key} holds a bad broker id ${JSON.stringify(id)}`);
    if (out.includes(id)) fail(`field ${key} lists broker ${id} twice`);
    out.push(id);
  }
  if (!allowEmpty && out.length === 0) fail(`field ${key} must not be empty`);
  return out;
}

export function optBrokerIds(obj: Obj, key: string, fail: Fail, allowEmpty: boolean): number[] | undefined {
  return obj[key] === undefined ? undefined : brokerIds(obj, key, fail, allowEmpty);
}

/** An array of JSON objects (a decision's per-item results), returned as a fresh canonical copy, so
 * that what a follower decodes from the log is exactly what the controller applied. */
export function jsonObjects(obj: Obj, key: string, fail: Fail): Readonly<Record<string, unknown>>[] {
  const v = obj[key];
  const bad = (): never => fail(`field ${key} must be an array of JSON objects`);
  if (!Array.isArray(v)) return bad();
  for (const item of v) if (item === null || typeof item !== 'object' || Array.isArray(item)) bad();
  let text: string;
  try {
    text = JSON.stringify(v);
  } catch {
    return bad();
  }
  return JSON.parse(text) as Readonly<Record<string, unknown>>[];
}

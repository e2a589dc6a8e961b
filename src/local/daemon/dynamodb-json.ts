/** DynamoDB JSON (wire format) helpers for the proxy: key extraction and plain-JSON conversion. */
export type WireValue = Record<string, unknown>;
export type WireItem = Record<string, WireValue>;

export function pickKey(item: WireItem, keyNames: string[]): WireItem | undefined {
  const key: WireItem = {};
  for (const name of keyNames) {
    const value = item[name];
    if (value === undefined) return undefined;
    key[name] = value;
  }
  return key;
}

/** A canonical string for a key, to compare keys across requests and responses. */
export function keyString(key: WireItem, keyNames: string[]): string {
  return JSON.stringify(keyNames.map((name) => key[name]));
}

/** Plain JSON from DynamoDB JSON (numbers as numbers, sets as arrays, binary as base64). */
export function plainValue(value: WireValue): unknown {
  const [type, inner] = Object.entries(value)[0] ?? [];
  switch (type) {
    case 'S':
    case 'B':
      return inner;
    case 'N':
      return Number(inner);
    case 'BOOL':
      return inner === true;
    case 'NULL':
      return null;
    case 'SS':
    case 'BS':
      return inner;
    case 'NS':
      return (inner as string[]).map(Number);
    case 'L':
      return (inner as WireValue[]).map(plainValue);
    case 'M':
      return plainItem(inner as WireItem);
    default:
      return inner;
  }
}

export function plainItem(item: WireItem): Record<string, unknown> {
  return Object.fromEntries(Object.entries(item).map(([name, value]) => [name, plainValue(value)]));
}

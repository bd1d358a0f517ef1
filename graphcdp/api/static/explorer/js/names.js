// How persons and values are named on screen.

/** A person's name from her golden traits, or her id. */
export function personName(person) {
  const traits = person?.traits ?? {};
  const parts = [traits.firstName, traits.lastName].filter((part) => part !== undefined && part !== null && part !== '');
  if (parts.length) return parts.join(' ');
  if (traits.name) return String(traits.name);
  return person?.id ?? '(unknown)';
}

/** JSON text with object keys sorted, so equal values compare equal whatever their key order. */
export function canonical(value) {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value).sort().map((key) => `${JSON.stringify(key)}:${canonical(value[key])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** {type, value} of an identifier key "type:value". */
export function identifierInput(key) {
  const colon = key.indexOf(':');
  return { type: key.slice(0, colon), value: key.slice(colon + 1) };
}

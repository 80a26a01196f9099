// Imported files repeat themselves: an ACLED export of a million rows holds a few hundred
// distinct dates. Pure parsers of such values keep their recent answers here. The cache is
// emptied when full, so memory stays bounded whatever the file.

export function memo<K, V>(fn: (key: K) => V, limit = 4096): (key: K) => V {
  const cache = new Map<K, V>();
  return (key: K): V => {
    const hit = cache.get(key);
    if (hit !== undefined) return hit;
    const value = fn(key);
    if (cache.size >= limit) cache.clear();
    cache.set(key, value);
    return value;
  };
}

/** What every argument mistake of the components words the same way. */

/** "x is not a known argument", with the closest known name when one is near (a likely typo). */
export function unknownKey(path: string, shownValue: string, known: readonly string[]): string {
    const key = path.slice(path.lastIndexOf(".") + 1);
    const closest = known.map((k) => ({ k, d: editDistance(key.toLowerCase(), k.toLowerCase()) })).sort((a, b) => a.d - b.d)[0];
    const hint = closest && closest.d <= Math.max(2, Math.floor(key.length / 4)) ? `did you mean ${closest.k}? ` : "";
    return `${path} (${shownValue}) is not known; ${hint}allowed: ${known.join(", ")}`;
}

/** The Levenshtein distance between two short names. */
function editDistance(a: string, b: string): number {
    let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
        const current = [i];
        for (let j = 1; j <= b.length; j++) {
            current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
        }
        previous = current;
    }
    return previous[b.length];
}

/**
 * Semantic versions (semver.org 2.0.0): validation and precedence. Private to the schema area.
 *
 * @module
 */

// The regular expression suggested by semver.org.
const SEMVER =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/;

/** True when `v` is a valid semantic version such as `"1.2.3"` or `"2.0.0-rc.1"`. */
export function isSemver(v: string): boolean {
  return SEMVER.test(v);
}

/** Compares two valid versions by semver precedence (build metadata ignored): -1, 0 or 1. */
export function compareSemver(a: string, b: string): number {
  const ma = SEMVER.exec(a), mb = SEMVER.exec(b);
  if (!ma || !mb) throw new RangeError(`Cannot compare versions "${a}" and "${b}": not semver`);
  for (let i = 1; i <= 3; i++) {
    const d = Number(ma[i]) - Number(mb[i]);
    if (d !== 0) return Math.sign(d);
  }
  const pa = ma[4], pb = mb[4];
  if (pa === undefined || pb === undefined) {
    return pa === pb ? 0 : pa === undefined ? 1 : -1; // a release outranks its prereleases
  }
  const xa = pa.split("."), xb = pb.split(".");
  for (let i = 0; i < Math.max(xa.length, xb.length); i++) {
    const ia = xa[i], ib = xb[i];
    if (ia === undefined) return -1;
    if (ib === undefined) return 1;
    const na = /^\d+$/.test(ia), nb = /^\d+$/.test(ib);
    if (na && nb) {
      const d = Number(ia) - Number(ib);
      if (d !== 0) return Math.sign(d);
    } else if (na !== nb) return na ? -1 : 1;
    else if (ia !== ib) return ia < ib ? -1 : 1;
  }
  return 0;
}

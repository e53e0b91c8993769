/**
 * `build` run on the first call, its result kept for every later call. For
 * values that cost to make and that not every caller needs: the wire, item
 * and settings schemas are built this way, so a Lambda function builds the
 * few it uses when it first uses them, not every schema of the service at
 * module load (zod builds ~1,700 objects for them: ~25 ms of each cold start;
 * docs/testing-and-bench.md, "Cold start").
 *
 * Marked free of side effects for the bundler: a `once(...)` nothing reads is
 * left out of the bundle.
 */
/* @__NO_SIDE_EFFECTS__ */
export function once<T>(build: () => T): () => T {
  let built: { readonly value: T } | undefined;
  return () => {
    built ??= { value: build() };
    return built.value;
  };
}

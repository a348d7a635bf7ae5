/**
 * V8 compiles hot code for the hidden classes ("maps") of the objects it ran on, and holds
 * those maps weakly: once no object of a map is alive, the next full garbage collection
 * deoptimizes every function compiled for it (`--trace-deopt`: "marking dependent code …
 * weak objects"). The instances of a class that lives only while a document is parsed
 * (the parser, the model and source-map builders) are all garbage between two parses, so
 * after each full collection their code went back to V8's interpreter: after the warm-up
 * and a collection, a 500-job parse took 35–46 ms instead of 8–13 (bench/README.md,
 * session 12). One instance of each, kept for the life of the process, keeps the map
 * alive, and the compiled code with it.
 */
const kept: unknown[] = [];

/** Keeps `instance` alive for the life of the process (see above); returns it. */
export function keepOneAlive<T>(instance: T): T {
  kept.push(instance);
  return instance;
}

/**
 * Compression, injected: the domain names what it needs and the runtime lends
 * an implementation (as the bundle job's text codec and packer are lent).
 */

/** Compresses one buffer to gzip (RFC 1952). */
export type Gzip = (bytes: Uint8Array) => Uint8Array | Promise<Uint8Array>;

/*
 * synack/ca-bundle — Debian's ca-certificates (Mozilla's roots) as PEM,
 * made at build time; pass it as `tls.ca` (synack.mjs) or to
 * setDefaultCA() (synack/tls).
 */
/** Every root certificate, PEM, concatenated. */
export const caBundle: string;
/** How many certificates caBundle holds. */
export const caBundleCount: number;
export default caBundle;

// The two Node globals that pg uses without importing them, for esbuild's
// `inject` (what browser builds of Node packages usually do).
import { Buffer } from 'buffer';
import process from 'process';

export { Buffer, process };

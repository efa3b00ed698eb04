/** Every provider the conformance suite drives, in the README matrix's column order. */
import type { ConformanceProvider } from "../contract.ts";

export const PROVIDERS: ConformanceProvider[] = [];

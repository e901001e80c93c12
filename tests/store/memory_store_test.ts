import { MemoryStore } from "../../lib/store/mod.ts";
import { testStoreConformance } from "./conformance.ts";

let n = 0;
testStoreConformance("MemoryStore", () =>
  Promise.resolve({
    open: () => Promise.resolve(new MemoryStore({ name: `conformance-${++n}` })),
    close: () => Promise.resolve(),
  }), { raceFreeCreateOnly: true });

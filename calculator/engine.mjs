// ES module entry of the jxjy engine: `import { evaluate } from "./engine.mjs"`.
// The code lives in engine.js (a classic script too, for pages opened from file://).
import "./engine.js";

const api = globalThis.JXJY_ENGINE;
export const {
  ENGINE_VERSION, ENGINE, BUNDLE_FORMAT, BUNDLE_MAJOR, RESULT_FORMAT,
  evaluate, shortfallPhrases, checkEntry, checkLedger, periodOf, message, rational, fromIsoFormat, display, suggestion,
  defaultAsOf, inForce, verificationCode, canonical,
} = api;
export default api;

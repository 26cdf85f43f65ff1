/**
 * @poscare/diagnosis — ranks the probable root causes of a POS problem from everything known about
 * it (telemetry, events, transactions, response codes, EMV results, site peers, fleet aggregates,
 * card history, what the merchant said), with evidence, scope and remedies. Framework-free.
 */
export { diagnose, diagnoseCase, parseCase, questionText, scoreCauses, scopeOf, render, type DiagnoseOptions, type ScoredCause } from './engine.js';
export { extractFeatures, SILENT_AFTER_MIN, TOGETHER_MIN, type Features } from './features.js';
export { loadKnowledge, conditionStrength, signalStrength, type CauseRule, type Knowledge } from './knowledge.js';
export { analyseText, segment, normalise } from './text.js';
export { DiagnosisInputError } from './errors.js';
export { thinTelemetry } from './assemble.js';
export { troubleshoot, symptomReport, SYMPTOMS, TROUBLESHOOTER_VERSION, type TroubleStep } from './troubleshooter.js';

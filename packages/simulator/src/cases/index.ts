/** Labelled diagnosis cases built with the simulator's fault injection: the project's own evaluation set. */
export { DEFAULT_SEED, labelledCase, labelledCases, type CaseLabel, type CaseMeta, type LabelledCase, type LabelledCasesOptions } from './generate.js';
export { buildCase, CASE_WINDOW_MS, isoAt, MessageLog, type BuildOptions, type InventoryNote, type Received } from './build.js';
export { EVIDENCE, silentMinutes, type Evidence, type EvidencePart } from './evidence.js';
export { ALL_RECIPES, HEALTHY_RECIPE, isCardFault, labelScope, recipeFor, SLOTS, VARIANTS, type Recipe, type Slot, type Variant } from './recipes.js';
export { merchantReport, SYMPTOMS, type Symptom } from './reports.js';
export { PHRASING_KINDS, PHRASING_SEED, phrasedCases, type PhrasedCase, type PhrasingKind, type PhrasingOptions, type PhrasingSplit } from './phrasing.js';

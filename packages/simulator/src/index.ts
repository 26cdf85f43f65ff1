/**
 * @poscare/simulator — a deterministic POS fleet: terminals that trade on a realistic daily curve,
 * report telemetry every minute, and show the signals of injected faults; plus a runner that drives
 * real TerminalClients against a PosCare server over MQTT or HTTPS.
 */
export { createFleet, type Fleet, type FleetMerchant, type FleetOptions, type FleetSite, type FleetTerminal, type Language } from './fleet.js';
export { ACQUIRER_HOSTS, APP_VERSIONS, CITIES, MERCHANT_KINDS, MODELS, type AcquirerHost, type Connectivity, type Interface, type MerchantKind, type ModelSpec } from './catalog.js';
export { DAY_SHAPES, isOpen, localTime, tradingIntensity, type LocalTime } from './curves.js';
export { Rng, hashSeed, mulberry32 } from './random.js';
export { Simulator, type GroundTruthEntry, type LogUpload, type SimDelivery, type SimulatorOptions } from './simulator.js';
export { REMOTE_MESSAGES, type ReleaseDefect } from './terminal/commands.js';
export { FAULT_IDS, isFaultId, type FaultId } from './faults/ids.js';
export { FAULTS } from './faults/registry.js';
export { nextVersion } from './faults/software.js';
export type { FaultInjection, FaultParams, FaultScope, ScopeKind } from './faults/types.js';
export { TERMINAL_MESSAGES, renderEvent, type MessageCode } from './terminalMessages.js';
export { runFleet, type RunFleetOptions, type RunProgress, type TerminalCredential } from './runner.js';
export { injectEveryFault, type EveryFaultOptions } from './scenarios.js';
export { buildCase, DEFAULT_SEED, EVIDENCE, labelledCase, labelledCases, labelScope, merchantReport, MessageLog, phrasedCases, PHRASING_KINDS, VARIANTS, type CaseLabel, type CaseMeta, type LabelledCase, type LabelledCasesOptions, type PhrasedCase, type PhrasingKind, type PhrasingSplit, type Variant } from './cases/index.js';

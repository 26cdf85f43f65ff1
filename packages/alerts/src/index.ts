export { AlertEngine, compare, fingerprint, type EngineOptions } from './engine.js';
export { featuresOf, metricIndex, txnFeaturesOf, METRIC_COUNT, READERS, type Features, type TxnFeatures } from './metrics.js';
export { DEFAULT_RULES, DEFAULT_RULES_VERSION, parseRuleSet } from './rules.js';
export { compareVersions } from './versions.js';
export { Trend } from './trend.js';
export { TradingBaseline } from './trading.js';
export * from './state.js';

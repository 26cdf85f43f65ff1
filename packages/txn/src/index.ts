export { TxnAnalyzer, analyze, type TxnDelta } from './analyzer.js';
export { DEFAULT_THRESHOLDS, resolveThresholds, singleSaleLimit, type TxnThresholds, type TxnThresholdOverrides } from './thresholds.js';
export { WORDING, CATALOGUE_VERSION, formatAmount } from './catalogue.js';
export { median } from './detectors.js';
export { parseTxnLines, describeLineError, type ParsedLines, type LineError } from './parse.js';

/**
 * The one error type of this package. Callers (the diagnosis engine, the server's error mapper)
 * branch on `id`, never on message text; `params` carries what the message names (a field number,
 * an offset) so another language can render the same sentence.
 */

export type CodesErrorId =
  | 'emv.not_hex'
  | 'emv.wrong_length'
  | 'emv.tlv_invalid'
  | 'iso8583.truncated'
  | 'iso8583.bad_mti'
  | 'iso8583.bad_bitmap'
  | 'iso8583.bad_length'
  | 'iso8583.field_format'
  | 'iso8583.unknown_field'
  | 'iso8583.unexpected_field'
  | 'iso8583.missing_field'
  | 'iso8583.trailing_bytes'
  | 'iso8583.bad_spec'
  | 'pos_entry.invalid'
  | 'pos_entry.unknown_mode';

type Params = Record<string, string | number | boolean | readonly (string | number)[] | undefined>;

const MESSAGES: Record<CodesErrorId, { zh: string; en: string }> = {
  'emv.not_hex': { zh: '{what}不是十六进制数据：{value}', en: '{what} is not hexadecimal: {value}' },
  'emv.wrong_length': {
    zh: '{what}长度错误：应为{expected}字节，实际{actual}字节',
    en: '{what} has the wrong length: {expected} bytes expected, {actual} given',
  },
  'emv.tlv_invalid': { zh: 'EMV TLV数据在偏移{offset}处无法解析：{reason}', en: 'EMV TLV data cannot be parsed at offset {offset}: {reason}' },
  'iso8583.truncated': {
    zh: 'ISO 8583报文在{part}处被截断：需要{need}字节，只剩{have}字节',
    en: 'ISO 8583 message is truncated in {part}: {need} bytes needed, {have} left',
  },
  'iso8583.bad_mti': { zh: '报文类型(MTI)无效：{value}', en: 'Invalid message type indicator (MTI): {value}' },
  'iso8583.bad_bitmap': { zh: '位图无效：{value}', en: 'Invalid bitmap: {value}' },
  'iso8583.bad_length': {
    zh: '第{field}域的长度前缀无效：{value}（最大{max}）',
    en: 'Field {field} has an invalid length prefix: {value} (maximum {max})',
  },
  'iso8583.field_format': {
    zh: '第{field}域格式错误：{reason}（值：{value}）',
    en: 'Field {field} is malformed: {reason} (value: {value})',
  },
  'iso8583.unknown_field': {
    zh: '位图中出现了规范未定义的第{field}域，无法确定其长度',
    en: 'The bitmap announces field {field}, which the specification does not define, so its length is unknown',
  },
  'iso8583.unexpected_field': {
    zh: '{mti}报文不应包含第{field}域（多余的域：{fields}）',
    en: 'A {mti} message must not carry field {field} (unexpected fields: {fields})',
  },
  'iso8583.missing_field': {
    zh: '{mti}报文缺少必备的第{field}域（缺少：{fields}）',
    en: 'A {mti} message lacks mandatory field {field} (missing: {fields})',
  },
  'iso8583.trailing_bytes': {
    zh: '报文在最后一个域之后还有{count}个多余字节（偏移{offset}）',
    en: '{count} bytes follow the last field (at offset {offset})',
  },
  'iso8583.bad_spec': { zh: '报文规范无效：{reason}', en: 'Invalid message specification: {reason}' },
  'pos_entry.invalid': {
    zh: 'POS输入方式码(22域)无效：{value}（应为3位数字）',
    en: 'Invalid POS entry mode (field 22): {value} (3 digits expected)',
  },
  'pos_entry.unknown_mode': { zh: '未知的卡输入方式：{value}', en: 'Unknown card entry mode: {value}' },
};

/**
 * Words that stand for a localised phrase when they are the value of `reason`, `part`, `what` or
 * `expected`: code says `reason: 'date'`, each language says it its own way. A phrase may name
 * other params ({format}); user values (the field content) are never looked up here.
 */
const WORDS: Record<string, { zh: string; en: string }> = {
  // parts of a message
  mti: { zh: '报文类型(MTI)', en: 'the MTI' },
  primary_bitmap: { zh: '主位图', en: 'the primary bitmap' },
  secondary_bitmap: { zh: '第二位图', en: 'the secondary bitmap' },
  field: { zh: '第{field}域', en: 'field {field}' },
  icc: { zh: 'IC卡数据(55域)', en: 'ICC data (field 55)' },
  // why a field is malformed
  charset: { zh: '应为{expected}', en: 'expected {expected}' },
  date: { zh: '不是有效的{format}日期/时间', en: 'not a valid {format} date/time' },
  bcd_pad: { zh: 'BCD填充半字节不是0或F', en: 'the BCD pad nibble is not 0 or F' },
  not_bcd: { zh: '不是BCD数字', en: 'not BCD digits' },
  track_nibble: { zh: '压缩磁道数据含有0-9和D以外的半字节', en: 'packed track data holds a nibble other than 0-9 and D' },
  binary_not_hex: { zh: '二进制域不是十六进制', en: 'binary field is not hexadecimal' },
  binary_not_bits: { zh: '二进制域不是0/1字符', en: 'binary field is not 0/1 characters' },
  bad_text: { zh: '字节不是有效的{encoding}编码', en: 'bytes are not valid {encoding}' },
  ebcdic_unwritable: { zh: '含有EBCDIC 037无法表示的字符', en: 'has characters EBCDIC 037 cannot write' },
  single_byte_only: { zh: '{encoding}只能写入单字节字符', en: 'only single-byte characters can be written as {encoding}' },
  too_long: { zh: '超过{max}位', en: 'longer than {max}' },
  hex_digits: { zh: '应为{count}位十六进制', en: 'expected {count} hex digits' },
  whole_bytes: { zh: '变长二进制域须为整字节', en: 'a variable binary field needs whole bytes' },
  // character sets, as `expected`
  chars_n: { zh: '数字', en: 'digits' },
  chars_a: { zh: '字母和空格', en: 'letters and spaces' },
  chars_an: { zh: '字母、数字和空格', en: 'letters, digits and spaces' },
  chars_ans: { zh: '可打印字符', en: 'printable characters' },
  chars_s: { zh: '特殊字符', en: 'special characters' },
  chars_ns: { zh: '数字和特殊字符', en: 'digits and special characters' },
  chars_as: { zh: '字母和特殊字符', en: 'letters and special characters' },
  chars_z: { zh: '磁道字符(数字、=或D、F)', en: 'track characters (digits, = or D, F)' },
  'chars_x+n': { zh: 'C或D后跟数字', en: 'C or D followed by digits' },
  // why TLV data cannot be read
  nesting: { zh: '嵌套过深', en: 'templates nested too deep' },
  tag_past_end: { zh: '标签超出数据末尾', en: 'the tag runs past the end' },
  tag_too_long: { zh: '标签超过4字节', en: 'the tag is longer than 4 bytes' },
  no_length: { zh: '标签{tag}没有长度', en: 'tag {tag} has no length' },
  length_form: { zh: '标签{tag}的长度格式无效', en: 'tag {tag} has an invalid length form' },
  length_past_end: { zh: '标签{tag}的长度超出数据末尾', en: 'the length of tag {tag} runs past the end' },
  value_past_end: { zh: '标签{tag}声明{declared}字节，只剩{left}字节', en: 'tag {tag} declares {declared} bytes, {left} left' },
  // why a specification is invalid
  not_json: { zh: '不是JSON（{detail}）', en: 'not JSON ({detail})' },
  not_object: { zh: '不是JSON对象', en: 'not a JSON object' },
  no_fields: { zh: '没有"fields"或"elements"', en: 'no "fields" or "elements"' },
  field_number: { zh: '"{key}"不是域号', en: '"{key}" is not a field number' },
  field_not_object: { zh: '第{field}域不是对象', en: 'field {field} is not an object' },
  no_describe: { zh: '第{field}域没有describe', en: 'field {field} has no describe' },
  describe_unreadable: { zh: '第{field}域的"{describe}"无法识别', en: 'field {field}: cannot read "{describe}"' },
  length_mismatch: { zh: '第{field}域的长度与"{describe}"不符', en: 'field {field}: the length does not fit "{describe}"' },
  unknown_format: { zh: '第{field}域的格式"{format}"未知', en: 'field {field}: unknown format "{format}"' },
  secondary_bitmap_spec: { zh: '第1域(第二位图)必须是"b 64"', en: 'field 1 (secondary bitmap) must be "b 64"' },
  bad_encoding: { zh: '{slot}编码"{encoding}"不在{allowed}之中', en: '{slot} encoding "{encoding}" is not one of {allowed}' },
  bad_rule: { zh: '报文规则"{mti}"需要4位MTI和必备域列表', en: 'message rule "{mti}" needs a 4-digit MTI and a mandatory list' },
};

const WORD_KEYS = new Set(['reason', 'part', 'what', 'expected']);

function render(template: string, params: Params, lang: 'zh' | 'en', depth = 0): string {
  return template.replace(/\{(\w+)\}/g, (whole, key: string) => {
    const v = params[key];
    if (v === undefined) return whole;
    if (Array.isArray(v)) return v.join(', ');
    const word = depth < 3 && WORD_KEYS.has(key) ? WORDS[String(v)] : undefined;
    return word ? render(word[lang], params, lang, depth + 1) : String(v);
  });
}

export class CodesError extends Error {
  readonly id: CodesErrorId;
  readonly params: Params;

  constructor(id: CodesErrorId, params: Params = {}) {
    super(render(MESSAGES[id].en, params, 'en'));
    this.name = 'CodesError';
    this.id = id;
    this.params = params;
  }

  /** The message in a language: anything starting with 'zh' gives Chinese, everything else English. */
  messageIn(lang: string): string {
    const m = MESSAGES[this.id];
    const zh = lang.toLowerCase().startsWith('zh');
    return render(zh ? m.zh : m.en, this.params, zh ? 'zh' : 'en');
  }
}

export const isCodesError = (e: unknown, id?: CodesErrorId): e is CodesError =>
  e instanceof CodesError && (id === undefined || e.id === id);

/** Every error id with its two message templates, for documentation and for the server's i18n check. */
export const CODES_ERROR_MESSAGES: Readonly<Record<CodesErrorId, { zh: string; en: string }>> = MESSAGES;

/** The localised phrases params may stand for (reasons, message parts, character sets). */
export const CODES_ERROR_WORDS: Readonly<Record<string, { zh: string; en: string }>> = WORDS;

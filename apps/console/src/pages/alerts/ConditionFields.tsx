/** The editor's fields for each kind of condition (threshold, ratio, absence, trend, …). */
import type { ReactNode } from 'react';
import { Form, InputNumber, Select } from 'antd';
import type { InputNumberProps } from 'antd';
import { useTranslation } from 'react-i18next';
import { ALERT_METRICS, COMPARATORS, RATIO_SOURCES, type AlertCondition } from '../../api/alerts';
import { BOOLEAN_METRICS, METRIC_UNITS, TREND_EXTRA_METRICS, metricLabel, opText, ratioSourceLabel } from '../../lib/alerts';
import { useTr } from './shared';

const CARD_OUTCOMES = ['declined', 'timeout', 'error', 'card_read_error'] as const;
const FLEET_VERSION_METRICS = ['app.crashes', 'app.anrs', 'os.reboots', 'txn.terminal_error'] as const;

/** A fraction (0–1) edited as a percentage. */
function PercentInput({ value, onChange, ...rest }: Omit<InputNumberProps<number>, 'value' | 'onChange'> & { value?: number; onChange?: (v: number | undefined) => void }) {
  return (
    <InputNumber<number>
      min={0}
      max={100}
      step={1}
      suffix="%"
      style={{ width: '100%' }}
      {...rest}
      value={value === undefined || value === null ? undefined : Number((value * 100).toFixed(4))}
      onChange={(v) => onChange?.(v === null ? undefined : v / 100)}
    />
  );
}

const n = (extra: Partial<InputNumberProps<number>> = {}) => <InputNumber<number> style={{ width: '100%' }} {...extra} />;

function Field({ name, label, children, required = true, hint }: { name: string | (string | number)[]; label: string; children: ReactNode; required?: boolean; hint?: string }) {
  const { t } = useTranslation();
  return (
    <Form.Item
      name={['condition', ...(Array.isArray(name) ? name : [name])]}
      label={label}
      tooltip={hint}
      rules={required ? [{ required: true, message: t('common.required') }] : undefined}
    >
      {children}
    </Form.Item>
  );
}

export function ConditionFields({ kind }: { kind: AlertCondition['kind'] | undefined }) {
  const { t } = useTranslation();
  const tr = useTr();
  const metric = Form.useWatch(['condition', 'metric']) as string | undefined;
  const minutes = t('alerts.editor.minutesUnit');
  const metricOptions = (list: readonly string[]) => list.map((m) => ({ value: m, label: metricLabel(m, tr), code: m }));
  const metricSelect = (list: readonly string[], testId?: string) => (
    <Select
      showSearch={{ optionFilterProp: 'label' }}
      options={metricOptions(list)}
      optionRender={(o) => (
        <span className="alert-metric-option">
          {o.label}
          <span className="mono muted">{String(o.value)}</span>
        </span>
      )}
      data-testid={testId}
    />
  );
  const unit = metric ? METRIC_UNITS[metric]?.trim() : undefined;

  switch (kind) {
    case 'threshold':
      return (
        <div className="alert-form-grid" data-testid="condition-threshold">
          <Field name="metric" label={t('alerts.editor.metric')}>
            {metricSelect(ALERT_METRICS, 'cond-metric')}
          </Field>
          <Field name="op" label={t('alerts.editor.op')}>
            <Select options={COMPARATORS.map((o) => ({ value: o, label: opText(o) }))} data-testid="cond-op" />
          </Field>
          <Field name="value" label={t('alerts.editor.value')}>
            {metric && BOOLEAN_METRICS.has(metric) ? (
              <Select
                options={[
                  { value: 1, label: t('alerts.bool.yes') },
                  { value: 0, label: t('alerts.bool.no') },
                ]}
                data-testid="cond-value"
              />
            ) : (
              n({ suffix: unit, 'data-testid': 'cond-value' } as Partial<InputNumberProps<number>>)
            )}
          </Field>
          <Field name="forMinutes" label={t('alerts.editor.forMinutes')} hint={t('alerts.editor.forMinutesHint')}>
            {n({ min: 0, max: 1440, suffix: minutes, 'data-testid': 'cond-for' } as Partial<InputNumberProps<number>>)}
          </Field>
        </div>
      );
    case 'ratio':
      return (
        <div className="alert-form-grid" data-testid="condition-ratio">
          <Field name="source" label={t('alerts.editor.source')}>
            <Select options={RATIO_SOURCES.map((s) => ({ value: s, label: ratioSourceLabel(s, tr) }))} />
          </Field>
          <Field name="op" label={t('alerts.editor.op')}>
            <Select options={(['>', '>='] as const).map((o) => ({ value: o, label: opText(o) }))} />
          </Field>
          <Field name="value" label={t('alerts.editor.ratioValue')}>
            <PercentInput />
          </Field>
          <Field name="attempts" label={t('alerts.editor.attempts')} hint={t('alerts.editor.attemptsHint')}>
            {n({ min: 3, max: 1000, precision: 0 })}
          </Field>
          <Field name="minAttempts" label={t('alerts.editor.minAttempts')}>
            {n({ min: 1, max: 1000, precision: 0 })}
          </Field>
        </div>
      );
    case 'absence':
      return (
        <div className="alert-form-grid" data-testid="condition-absence">
          <Field name="minutes" label={t('alerts.editor.silentMinutes')}>
            {n({ min: 1, suffix: minutes })}
          </Field>
        </div>
      );
    case 'trade_absence':
      return (
        <div className="alert-form-grid" data-testid="condition-trade_absence">
          <Field name="minutes" label={t('alerts.editor.noTradeMinutes')}>
            {n({ min: 1, suffix: minutes })}
          </Field>
          <Field name="minPerHour" label={t('alerts.editor.minPerHour')} hint={t('alerts.editor.minPerHourHint')}>
            {n({ min: 0.1 })}
          </Field>
          <Field name="minWeeks" label={t('alerts.editor.minWeeks')}>
            {n({ min: 1, max: 8, precision: 0 })}
          </Field>
        </div>
      );
    case 'trend':
      return (
        <div className="alert-form-grid" data-testid="condition-trend">
          <Field name="metric" label={t('alerts.editor.metric')}>
            {metricSelect([...ALERT_METRICS, ...TREND_EXTRA_METRICS])}
          </Field>
          <Field name="direction" label={t('alerts.editor.direction')}>
            <Select
              options={[
                { value: 'falling', label: t('alerts.editor.falling') },
                { value: 'rising', label: t('alerts.editor.rising') },
              ]}
            />
          </Field>
          <Field name="threshold" label={t('alerts.editor.threshold')}>
            {n({ suffix: unit })}
          </Field>
          <Field name="horizonMinutes" label={t('alerts.editor.horizon')} hint={t('alerts.editor.horizonHint')}>
            {n({ min: 1, suffix: minutes })}
          </Field>
          <Field name="windowMinutes" label={t('alerts.editor.window')}>
            {n({ min: 1, suffix: minutes })}
          </Field>
          <Field name="minPoints" label={t('alerts.editor.minPoints')}>
            {n({ min: 3, precision: 0 })}
          </Field>
        </div>
      );
    case 'fleet_version':
      return (
        <div className="alert-form-grid" data-testid="condition-fleet_version">
          <Field name="metric" label={t('alerts.editor.metric')}>
            {metricSelect(FLEET_VERSION_METRICS)}
          </Field>
          <Field name="factor" label={t('alerts.editor.factor')} hint={t('alerts.editor.factorHint')}>
            {n({ min: 1, step: 0.5, suffix: '×' })}
          </Field>
          <Field name="windowMinutes" label={t('alerts.editor.window')}>
            {n({ min: 1, suffix: minutes })}
          </Field>
          <Field name="minTerminals" label={t('alerts.editor.minTerminals')}>
            {n({ min: 1, precision: 0 })}
          </Field>
          <Field name="minRate" label={t('alerts.editor.minRate')}>
            {n({ min: 0, step: 0.1 })}
          </Field>
        </div>
      );
    case 'site_offline':
      return (
        <div className="alert-form-grid" data-testid="condition-site_offline">
          <Field name="minutes" label={t('alerts.editor.silentMinutes')}>
            {n({ min: 1, suffix: minutes })}
          </Field>
          <Field name="share" label={t('alerts.editor.share')}>
            <PercentInput min={10} />
          </Field>
          <Field name="minTerminals" label={t('alerts.editor.minTerminals')}>
            {n({ min: 1, precision: 0 })}
          </Field>
        </div>
      );
    case 'host_outage':
      return (
        <div className="alert-form-grid" data-testid="condition-host_outage">
          <Field name="value" label={t('alerts.editor.hostErrorRate')}>
            <PercentInput />
          </Field>
          <Field name="minSites" label={t('alerts.editor.minSites')}>
            {n({ min: 1, precision: 0 })}
          </Field>
          <Field name="minPayments" label={t('alerts.editor.minPayments')}>
            {n({ min: 1, precision: 0 })}
          </Field>
          <Field name="windowMinutes" label={t('alerts.editor.window')}>
            {n({ min: 1, suffix: minutes })}
          </Field>
        </div>
      );
    case 'card_failures':
      return (
        <div className="alert-form-grid" data-testid="condition-card_failures">
          <Field name="count" label={t('alerts.editor.cardCount')}>
            {n({ min: 2, max: 100, precision: 0 })}
          </Field>
          <Field name="minutes" label={t('alerts.editor.within')}>
            {n({ min: 1, suffix: minutes })}
          </Field>
          <Field name="responseCodes" label={t('alerts.editor.responseCodes')} required={false} hint={t('alerts.editor.responseCodesHint')}>
            <Select mode="tags" tokenSeparators={[',', ' ', '，']} maxCount={30} placeholder="05, 51, 55" />
          </Field>
          <Field name="outcomes" label={t('alerts.editor.outcomes')} required={false}>
            <Select mode="multiple" options={CARD_OUTCOMES.map((o) => ({ value: o, label: t(`alerts.outcomes.${o}`) }))} />
          </Field>
        </div>
      );
    default:
      return null;
  }
}

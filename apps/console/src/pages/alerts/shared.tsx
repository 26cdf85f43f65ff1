/** Pieces every alert page uses: tags, the acknowledge and silence dialogs, a terminal picker. */
import { useEffect, useMemo, useState } from 'react';
import { App, DatePicker, Form, Input, Modal, Radio, Select, Tag, Tooltip } from 'antd';
import { BellOutlined, PauseCircleOutlined, SoundOutlined, ToolOutlined } from '@ant-design/icons';
import { useMutation } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import dayjs, { type Dayjs } from 'dayjs';
import { api } from '../../api/client';
import {
  ALERT_SEVERITIES,
  alertsApi,
  type AlertRow,
  type AlertRuleDefinition,
  type AlertSeverity,
  type SilenceMatchers,
} from '../../api/alerts';
import { MerchantSelect, SiteSelect, TerminalSelect } from '../../components/EntitySelects';

import { SEVERITY_COLORS, SILENCE_PRESETS, formatMinutes, type Translate } from '../../lib/alerts';
import { formatTime } from '../../lib/format';
import { useShowError } from '../../lib/hooks';
import { useAlertRules, useRefreshAlerts } from './queries';
import { currentLanguage } from '../../i18n';
import './alerts.css';

/** A rule's name in the language on screen. */
export const ruleName = (def: Pick<AlertRuleDefinition, 'name'>): string => def.name[currentLanguage()] ?? def.name['zh-CN'];

/** i18next's `t` for the pure helpers in lib/alerts.ts, which build keys at run time. */
export function useTr(): Translate {
  const { t } = useTranslation();
  return useMemo(() => t as unknown as Translate, [t]);
}

export function SeverityTag({ severity, large }: { severity: AlertSeverity; large?: boolean }) {
  const { t } = useTranslation();
  return (
    <Tag
      color={SEVERITY_COLORS[severity].tag}
      data-testid="severity-tag"
      data-severity={severity}
      className={large ? 'alert-tag-large' : undefined}
      icon={severity === 'critical' ? <BellOutlined /> : undefined}
    >
      {t(`alerts.severity.${severity}`)}
    </Tag>
  );
}

const STATUS_COLORS: Record<AlertRow['status'], string> = { firing: 'red', acknowledged: 'blue', resolved: 'green' };

/** Status, plus flapping and why it is suppressed (silence / maintenance / inhibited). */
export function AlertStatusTags({ row, large }: { row: Pick<AlertRow, 'status' | 'flapping' | 'suppressed'>; large?: boolean }) {
  const { t } = useTranslation();
  const cls = large ? 'alert-tag-large' : undefined;
  const s = row.suppressed;
  return (
    <span className="alert-status-tags" data-testid="alert-status" data-status={row.status}>
      <Tag color={STATUS_COLORS[row.status]} className={cls}>
        {t(`alerts.status.${row.status}`)}
      </Tag>
      {row.flapping && (
        <Tooltip title={t('alerts.flappingHint')}>
          <Tag color="purple" className={cls} data-testid="alert-flapping">
            {t('alerts.flapping')}
          </Tag>
        </Tooltip>
      )}
      {s && (
        <Tooltip title={s.until ? t('alerts.suppressedUntil', { time: formatTime(s.until) }) : t(`alerts.suppressionHint.${s.kind}`)}>
          <Tag
            className={cls}
            icon={s.kind === 'maintenance' ? <ToolOutlined /> : s.kind === 'silence' ? <PauseCircleOutlined /> : <SoundOutlined />}
            data-testid="alert-suppressed"
            data-kind={s.kind}
          >
            {t(`alerts.suppression.${s.kind}`)}
          </Tag>
        </Tooltip>
      )}
    </span>
  );
}


/** Acknowledge one alert, with an optional comment. */
export function AckModal({ alert, onClose }: { alert: Pick<AlertRow, 'id' | 'name'> | null; onClose: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const showError = useShowError();
  const refresh = useRefreshAlerts();
  const [form] = Form.useForm<{ comment?: string }>();
  const ack = useMutation({
    mutationFn: (v: { comment?: string }) => alertsApi.ack(alert!.id, { comment: v.comment?.trim() || undefined }),
    onSuccess: () => {
      void message.success(t('alerts.ack.done'));
      refresh();
      onClose();
    },
    onError: (e) => showError(e, form),
  });
  return (
    <Modal
      open={alert !== null}
      title={t('alerts.ack.title', { name: alert?.name ?? '' })}
      onCancel={onClose}
      onOk={() => form.submit()}
      okText={t('alerts.ack.action')}
      cancelText={t('common.cancel')}
      confirmLoading={ack.isPending}
      okButtonProps={{ 'data-testid': 'ack-submit' }}
      destroyOnHidden
    >
      <p className="muted alert-modal-hint">{t('alerts.ack.hint')}</p>
      <Form form={form} layout="vertical" onFinish={(v) => ack.mutate(v)}>
        <Form.Item name="comment" label={t('alerts.ack.comment')}>
          <Input.TextArea rows={3} maxLength={500} showCount placeholder={t('alerts.ack.commentPlaceholder')} data-testid="ack-comment" />
        </Form.Item>
      </Form>
    </Modal>
  );
}

type Duration = (typeof SILENCE_PRESETS)[number] | 'custom';
interface SilenceForm extends SilenceMatchers {
  duration: Duration;
  endsAt?: Dayjs;
  comment: string;
}

/** Create a silence; opened from an alert, its rule and scope come prefilled. */
export function SilenceModal({ open, initial, onClose }: { open: boolean; initial?: SilenceMatchers; onClose: () => void }) {
  const { t } = useTranslation();
  const tr = useTr();
  const { message } = App.useApp();
  const showError = useShowError();
  const refresh = useRefreshAlerts();
  const [form] = Form.useForm<SilenceForm>();
  const duration = Form.useWatch('duration', form);
  const merchantId = Form.useWatch('merchantId', form);
  const siteId = Form.useWatch('siteId', form);
  const rules = useAlertRules(open);
  const [matcherError, setMatcherError] = useState(false);

  // The form mounts with each opening (destroyOnHidden), so the prefill applies once per opening,
  // not on every refresh of the alert behind the dialog.
  useEffect(() => {
    if (open) setMatcherError(false);
  }, [open]);

  const ruleOptions = useMemo(() => {
    const opts = (rules.data ?? []).map((r) => ({ value: r.code, label: ruleName(r.definition) }));
    if (initial?.rule && !opts.some((o) => o.value === initial.rule)) opts.unshift({ value: initial.rule, label: initial.rule });
    return opts;
  }, [rules.data, initial]);

  const create = useMutation({
    mutationFn: (v: SilenceForm) => {
      const matchers: SilenceMatchers = {};
      for (const k of ['rule', 'severity', 'merchantId', 'siteId', 'terminalId'] as const) if (v[k]) (matchers as Record<string, string>)[k] = v[k]!;
      const endsAt = v.duration === 'custom' ? v.endsAt!.toISOString() : dayjs().add(v.duration, 'minute').toISOString();
      return alertsApi.createSilence({ matchers, endsAt, comment: v.comment.trim() });
    },
    onSuccess: () => {
      void message.success(t('alerts.silenceForm.done'));
      refresh();
      onClose();
    },
    onError: (e) => showError(e, form),
  });

  const submit = (v: SilenceForm) => {
    const any = ['rule', 'severity', 'merchantId', 'siteId', 'terminalId'].some((k) => !!v[k as keyof SilenceForm]);
    setMatcherError(!any);
    if (any) create.mutate(v);
  };

  return (
    <Modal
      open={open}
      title={t('alerts.silenceForm.title')}
      onCancel={onClose}
      onOk={() => form.submit()}
      okText={t('alerts.silenceForm.submit')}
      cancelText={t('common.cancel')}
      confirmLoading={create.isPending}
      okButtonProps={{ 'data-testid': 'silence-submit' }}
      destroyOnHidden
      width={560}
    >
      <p className="muted alert-modal-hint">{t('alerts.silenceForm.hint')}</p>
      <Form form={form} layout="vertical" onFinish={submit} requiredMark="optional" initialValues={{ duration: 240, ...initial }} data-testid="silence-form">
        <div className="alert-form-grid">
          <Form.Item name="rule" label={t('alerts.matchers.rule')}>
            <Select allowClear showSearch={{ optionFilterProp: 'label' }} options={ruleOptions} placeholder={t('alerts.silenceForm.anyRule')} data-testid="silence-rule" />
          </Form.Item>
          <Form.Item name="severity" label={t('alerts.matchers.severity')}>
            <Select allowClear options={ALERT_SEVERITIES.map((s) => ({ value: s, label: t(`alerts.severity.${s}`) }))} placeholder={t('alerts.silenceForm.anySeverity')} />
          </Form.Item>
          <Form.Item name="merchantId" label={t('alerts.matchers.merchantId')}>
            <MerchantSelect />
          </Form.Item>
          <Form.Item name="siteId" label={t('alerts.matchers.siteId')}>
            <SiteSelect merchantId={merchantId} />
          </Form.Item>
        </div>
        <Form.Item name="terminalId" label={t('alerts.matchers.terminalId')}>
          <TerminalSelect siteId={siteId} />
        </Form.Item>
        {matcherError && <div className="alert-form-error" role="alert">{t('alerts.silenceForm.needMatcher')}</div>}
        <Form.Item name="duration" label={t('alerts.silenceForm.duration')} rules={[{ required: true }]}>
          <Radio.Group optionType="button" buttonStyle="solid" className="alert-radio-wrap">
            {SILENCE_PRESETS.map((m) => (
              <Radio.Button key={m} value={m}>
                {formatMinutes(m, tr)}
              </Radio.Button>
            ))}
            <Radio.Button value="custom">{t('alerts.silenceForm.custom')}</Radio.Button>
          </Radio.Group>
        </Form.Item>
        {duration === 'custom' && (
          <Form.Item name="endsAt" label={t('alerts.silenceForm.endsAt')} rules={[{ required: true, message: t('common.required') }]}>
            <DatePicker showTime format="YYYY-MM-DD HH:mm" disabledDate={(d) => d.isBefore(dayjs(), 'day')} style={{ width: '100%' }} />
          </Form.Item>
        )}
        <Form.Item name="comment" label={t('alerts.silenceForm.comment')} rules={[{ required: true, whitespace: true, message: t('alerts.silenceForm.commentRequired') }]}>
          <Input.TextArea rows={2} maxLength={500} placeholder={t('alerts.silenceForm.commentPlaceholder')} data-testid="silence-comment" />
        </Form.Item>
      </Form>
    </Modal>
  );
}
